// describes pear-runtime@1.x (test/core/types-pinned.test.ts checks the installed major)
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
    /** The file applyUpdate() swaps: the AppImage, the .app bundle, or (Windows) any truthy path. */
    app: string | null
    updates: boolean
    version: string
    /** pear://<key> of the release drive */
    upgrade: string
    /** The file under by-arch/<platform-arch>/app/ in the drive: Peerline.AppImage, .app or .msix. */
    name: string
    /**
     * Both or neither (it throws otherwise). Given a swarm, pear-runtime joins nothing itself:
     * the caller joins updater.drive.core.discoveryKey and replicates the store. close()
     * destroys the swarm and closes the store either way.
     */
    store?: InstanceType<typeof import('corestore')>
    swarm?: InstanceType<typeof import('hyperswarm')>
    bootstrap?: { host: string; port: number }[]
  }

  /** pear-runtime-updater 3.0: mirrors by-arch/<host>/app/<name> of a newer release into next. */
  export interface Updater extends EventEmitter {
    readonly drive: { core: { discoveryKey: Buffer; length: number }; get(path: string): Promise<Buffer | null> }
    /** where the last release was mirrored (pear-runtime/next/<length>.<fork> under dir) */
    readonly next: string | null
    readonly updated: boolean
    /** Swaps the mirrored app with opts.app (msix-manager on Windows); a no-op before 'updated'. */
    applyUpdate(): Promise<void>
    on(event: 'updating' | 'updated', fn: () => void): this
    on(event: 'updating-delta', fn: (data: unknown) => void): this
    on(event: 'error', fn: (err: Error) => void): this
  }

  export default class PearRuntime extends EventEmitter {
    constructor(opts: PearRuntimeOptions)
    static run(entrypoint: string, args?: string[]): Sidecar
    readonly updater: Updater
    readonly storage: string
    ready(): Promise<void>
    close(): Promise<void>
  }
}
