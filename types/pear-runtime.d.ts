declare module 'pear-runtime' {
  import type { Duplex, Readable, Writable } from 'stream'
  import type { EventEmitter } from 'events'

  /** A Bare process (bare-sidecar) with a duplex IPC pipe. */
  export interface Sidecar extends Duplex {
    /**
     * The child process. bare-sidecar 0.3's destroy() does not stop it under Node (it defines
     * streamx's _predestroy on a Node Duplex), so callers signal it through this.
     */
    readonly _process: import('child_process').ChildProcess
    readonly stdin: Writable
    readonly stdout: Readable
    readonly stderr: Readable
    on(event: 'data', fn: (data: Buffer) => void): this
    on(event: 'exit', fn: (code: number | null) => void): this
    on(event: string, fn: (...args: never[]) => void): this
    once(event: 'exit', fn: (code: number | null) => void): this
    once(event: string, fn: (...args: never[]) => void): this
  }

  interface PearRuntimeOptions {
    dir: string
    app: string | null
    updates: boolean
    version: string
    upgrade: string
    name: string
  }

  export default class PearRuntime extends EventEmitter {
    constructor(opts: PearRuntimeOptions)
    static run(entrypoint: string, args?: string[]): Sidecar
    readonly updater: EventEmitter & { applyUpdate(): Promise<void> }
    readonly storage: string
    ready(): Promise<void>
    close(): Promise<void>
  }
}
