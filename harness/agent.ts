import { spawn } from 'child_process'
import type { ChildProcessWithoutNullStreams } from 'child_process'
import path from 'path'
import readline from 'readline'
import type { MethodName, NotificationName, Notifications, ParamsArg, Result } from '../lib/contract'

/** The command line as it ships: the bundle bin/peerline.js runs (scripts/build-cli.js). */
export const MAIN = path.join(__dirname, '..', 'app', 'cli', 'peerline.js')
/**
 * Lookups and room-key joins give up after this long in tests (the app waits 20-30 s). Long enough
 * for a join on two cores busy with other work; tests that wait on purpose for nobody to answer
 * pass a shorter one.
 */
export const LOOKUP_TIMEOUT = 15_000
/** For tests that wait on purpose for a lookup nobody answers. */
export const SHORT_LOOKUP = { PEERLINE_LOOKUP_TIMEOUT: '5000' }
/** The longest any call may go unanswered (the slowest is a file download on a loaded machine). */
const CALL_TIMEOUT = 120_000

/** The V8 flags bin/peerline.js runs the agent with (a small young generation: less memory). */
export const AGENT_NODE_FLAGS = ['--max-semi-space-size=2']

export interface AgentOptions {
  storage: string
  /** Bootstrap nodes; omit for none configured (the public HyperDHT). */
  bootstrap?: string
  /** Bind address; default 127.0.0.1, null for none (all interfaces). */
  host?: string | null
  /** More agent arguments, e.g. ['--no-lan']. */
  args?: string[]
  /** argv prefix to run the agent under, e.g. `ip netns exec NS`. */
  /** Node flags for the agent (a bench's --cpu-prof). */
  nodeArgs?: string[]
  wrap?: string[]
  env?: Record<string, string>
  /** Keep stderr lines (logs) for assertions. */
  keepLogs?: boolean
  /** Another build's app/cli/main.js (an older release, for mixed-version tests). */
  main?: string
}

interface Waiter {
  method: string
  match: (params: Record<string, unknown>) => boolean
  resolve: (params: Record<string, unknown>) => void
}

export class RpcError extends Error {
  code: number
  data: { code?: string; [k: string]: unknown } | undefined
  constructor(e: { code: number; message: string; data?: { code?: string } }) {
    super(e.message)
    this.code = e.code
    this.data = e.data
  }
}

/** The error code (`data.code`) a call was refused with, or 'no error'. */
export async function errorCode(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p
  } catch (err) {
    if (err instanceof RpcError) return err.data?.code
    throw err
  }
  return 'no error'
}

/** A real `peerline agent` process, driven over its stdio JSON-RPC. */
export class AgentProcess {
  readonly proc: ChildProcessWithoutNullStreams
  readonly logs: string[] = []
  readonly notifications: Array<{ method: string; params: Record<string, unknown> }> = []
  readonly raw: Array<Record<string, unknown>> = []
  number = ''
  publicKey = ''
  private _id = 0
  private readonly _calls = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  private _waiters: Waiter[] = []
  /** Called with every notification, in order (for bridges that forward them). */
  onnotification: ((method: string, params: Record<string, unknown>) => void) | null = null
  readonly exited: Promise<number | null>

  constructor(opts: AgentOptions) {
    const host = opts.host === undefined ? '127.0.0.1' : opts.host
    const argv = [
      process.execPath,
      ...AGENT_NODE_FLAGS,
      ...(opts.nodeArgs ?? []),
      opts.main ?? MAIN,
      'agent',
      '--storage',
      opts.storage,
      ...(opts.bootstrap ? ['--bootstrap', opts.bootstrap] : []),
      ...(host ? ['--host', host] : []),
      ...(opts.args ?? [])
    ]
    const wrap = opts.wrap ?? []
    this.proc = spawn(
      wrap.length ? wrap[0] : argv[0],
      [...wrap.slice(1), ...(wrap.length ? argv : argv.slice(1))],
      { env: { ...process.env, PEERLINE_LOOKUP_TIMEOUT: String(LOOKUP_TIMEOUT), ...(opts.env ?? {}) } }
    )
    this.exited = new Promise((resolve) => this.proc.once('exit', (code) => resolve(code)))
    // A call still open when the agent is gone never gets an answer: end it now, so its timer
    // does not hold the test process open for two minutes after the last test.
    void this.exited.then((code) => {
      for (const call of this._calls.values()) call.reject(new Error(`the agent exited (${code}) before answering`))
      this._calls.clear()
    })
    readline.createInterface({ input: this.proc.stdout }).on('line', (line) => this._online(line))
    readline.createInterface({ input: this.proc.stderr }).on('line', (line) => {
      this.logs.push(line)
      if (process.env.PEERLINE_TEST_LOGS) process.stderr.write(`[${this.number || 'agent'}] ${line}\n`)
    })
  }

  static async start(opts: AgentOptions): Promise<AgentProcess> {
    const a = new AgentProcess(opts)
    const ready = await Promise.race([
      a.waitFor('ready', () => true, 30_000),
      a.exited.then((code) => {
        throw new Error(`agent exited with ${code} before ready:\n${a.logs.join('\n')}`)
      })
    ])
    a.number = ready.number as string
    a.publicKey = ready.publicKey as string
    return a
  }

  /** A method of the contract, typed by it. */
  call<M extends MethodName>(method: M, ...params: ParamsArg<M>): Promise<Result<M>> {
    return this.callRaw(method, params[0] ?? {}) as Promise<Result<M>>
  }

  /** Any method with any params, as a hostile or careless client sends them. */
  callRaw(method: string, params: unknown = {}): Promise<unknown> {
    const id = ++this._id
    return new Promise<unknown>((resolve, reject) => {
      // Every method answers within its own network bounds; a call that never does is a hang
      // to report by name (with the agent's last logs), not one to wait out until the test's timeout.
      const timer = setTimeout(() => {
        this._calls.delete(id)
        reject(new Error(`${method} got no answer in ${CALL_TIMEOUT / 1000} s; the agent's last log lines:\n${this.logs.slice(-40).join('\n')}`))
      }, CALL_TIMEOUT)
      const done = <V>(fn: (v: V) => void) => (v: V) => {
        clearTimeout(timer)
        fn(v)
      }
      this._calls.set(id, { resolve: done(resolve as (v: unknown) => void), reject: done(reject) })
      this.writeLine(JSON.stringify({ jsonrpc: '2.0', id, method, params }))
    })
  }

  writeLine(line: string): void {
    this.proc.stdin.write(line + '\n')
  }

  /** Resolves with the first notification (past or future) that matches. */
  waitFor<N extends NotificationName>(method: N, match: (p: Notifications[N]) => boolean = () => true, timeout = 20_000): Promise<Notifications[N]> {
    const matches = match as (p: Record<string, unknown>) => boolean
    const past = this.notifications.find((n) => n.method === method && matches(n.params))
    if (past) return Promise.resolve(past.params as unknown as Notifications[N])
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        method,
        match: matches,
        resolve: (p) => {
          clearTimeout(timer)
          resolve(p as unknown as Notifications[N])
        }
      }
      const timer = setTimeout(() => {
        this._waiters = this._waiters.filter((w) => w !== waiter)
        reject(new Error(`timed out waiting for ${method} on ${this.number || 'agent'}`))
      }, timeout)
      this._waiters.push(waiter)
    })
  }

  /** SIGTERM and wait for the exit code. */
  async stop(): Promise<number | null> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGTERM')
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 10_000)
    const code = await this.exited
    clearTimeout(timer)
    return code
  }

  private _online(line: string): void {
    let msg: Record<string, unknown>
    try {
      msg = JSON.parse(line)
    } catch {
      throw new Error('agent wrote a non-JSON line on stdout: ' + line)
    }
    this.raw.push(msg)
    if (typeof msg.method === 'string') {
      const params = (msg.params ?? {}) as Record<string, unknown>
      this.notifications.push({ method: msg.method, params })
      this.onnotification?.(msg.method, params)
      for (const w of this._waiters) {
        if (w.method === msg.method && w.match(params)) {
          this._waiters = this._waiters.filter((x) => x !== w)
          w.resolve(params)
          break
        }
      }
      return
    }
    const call = typeof msg.id === 'number' ? this._calls.get(msg.id) : undefined
    if (!call) return
    this._calls.delete(msg.id as number)
    if (msg.error) call.reject(new RpcError(msg.error as { code: number; message: string }))
    else call.resolve(msg.result)
  }
}
