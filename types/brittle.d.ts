// describes brittle@4.x (test/core/types-pinned.test.ts checks the installed major)
declare module 'brittle' {
  namespace test {
    interface TestOptions {
      /** ms; top-level tests default to 30000, subtests have none */
      timeout?: number
      solo?: boolean
      skip?: boolean
      todo?: boolean
      stealth?: boolean
      /** default true: end the run if the test stalls with nothing pending */
      deadlock?: boolean
    }

    type TestFn = (t: Test) => unknown

    /** RegExp (matched against the message), Error class, or an object pattern (tmatch). */
    type ErrorPattern = RegExp | (abstract new (...args: never[]) => Error) | object

    interface Comparison {
      (actual: unknown, expected: unknown, message?: string): void
      /** == / loose deep equality */
      coercively(actual: unknown, expected: unknown, message?: string): void
    }

    interface ExceptionAssertion {
      /** fn is called (and awaited if it returns a promise); a promise is awaited */
      (fn: (() => unknown) | PromiseLike<unknown>, expected?: ErrorPattern, message?: string): Promise<void>
      (fn: (() => unknown) | PromiseLike<unknown>, message: string): Promise<void>
      /** also accepts native errors (TypeError, ReferenceError, ...) which are otherwise rethrown */
      all(fn: (() => unknown) | PromiseLike<unknown>, expected?: ErrorPattern, message?: string): Promise<void>
      all(fn: (() => unknown) | PromiseLike<unknown>, message: string): Promise<void>
    }

    interface SubtestFn {
      /** inverted subtest: use plan() and await it */
      (name?: string, opts?: TestOptions | null): Test
      (name: string, opts: TestOptions | null, fn: TestFn): Promise<boolean | undefined>
      (fn: TestFn): Promise<boolean | undefined>
      (name: string, fn: TestFn): Promise<boolean | undefined>
    }

    /** Awaiting a test resolves once it has ended (true if all assertions passed). */
    interface Test extends PromiseLike<boolean> {
      readonly name: string | null
      passes: number
      fails: number
      assertions: number

      plan(n: number): void
      end(): void
      /** (re)set this test's timeout; 0 clears it */
      timeout(ms: number): void
      comment(...message: unknown[]): void
      /** Runs after the test ends, lowest order first; force runs it even if the test threw. */
      teardown(fn: () => unknown, opts?: { order?: number; force?: boolean }): void
      test: SubtestFn
      stealth: SubtestFn

      pass(message?: string): void
      fail(message?: string): void
      ok(value: unknown, message?: string): void
      absent(value: unknown, message?: string): void
      /** === */
      is: Comparison
      /** !== */
      not: Comparison
      /** strict deep equality */
      alike: Comparison
      unlike: Comparison
      exception: ExceptionAssertion
      /** asserts fn/promise does not throw; resolves with the elapsed ms */
      execution(fn: (() => unknown) | PromiseLike<unknown>, message?: string): Promise<number>
      snapshot(actual: unknown, message?: string): void
      /** fresh temp directory, removed on teardown */
      tmp(): Promise<string>

      catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<boolean | R>
      finally(onfinally?: (() => void) | null): Promise<boolean>
    }

    interface Config {
      timeout?: number
      bail?: boolean
      solo?: boolean
      unstealth?: boolean
      source?: boolean
      jobs?: number
      coverage?: boolean | string
      pick?: number
    }

    type TestFunction = {
      /** inverted test: use plan() and await it */
      (name?: string, opts?: TestOptions | null): Test
      (name: string, opts: TestOptions | null, fn: TestFn): Promise<boolean | undefined>
      (fn: TestFn): Promise<boolean | undefined>
      (name: string, fn: TestFn): Promise<boolean | undefined>
    }

    const test: TestFunction
    /** solo() with no arguments only sets configure({ solo: true }) */
    const solo: { (): void } & TestFunction
    const skip: TestFunction
    const todo: TestFunction
    const stealth: TestFunction
    /** Like test, but always runs, even when solo tests exist. Returns an unhook function. */
    function hook(name: string, fn: TestFn): (...args: unknown[]) => unknown
    function hook(name: string, opts: TestOptions | null, fn: TestFn): (...args: unknown[]) => unknown
    /** Must run before any test is registered. */
    function configure(config?: Config): void
    function pause(): void
    function resume(): void
  }

  /** inverted test (no fn): use plan() and await it */
  function test(name?: string, opts?: test.TestOptions | null): test.Test
  function test(name: string, opts: test.TestOptions | null, fn: test.TestFn): Promise<boolean | undefined>
  function test(fn: test.TestFn): Promise<boolean | undefined>
  // kept last so that Parameters<typeof test> describes the common (name, fn) form
  function test(name: string, fn: test.TestFn): Promise<boolean | undefined>

  export = test
}
