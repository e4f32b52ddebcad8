// describes blind-peer@3.x (test/core/types-pinned.test.ts checks the installed major)
declare module 'blind-peer' {
  import type Hyperswarm from 'hyperswarm'
  import type Corestore from 'corestore'
  import type { EventEmitter } from 'events'

  /** An always-on peer that stores and serves other people's (encrypted) cores. */
  class BlindPeer extends EventEmitter {
    constructor(storage: string, opts?: { swarm?: Hyperswarm; maxBytes?: number; bootstrap?: Array<{ host: string; port: number }> })
    /** the swarm key clients dial */
    readonly publicKey: Buffer
    readonly store: Corestore
    /** ready() and swarm.listen() */
    listen(): Promise<void>
    ready(): Promise<void>
    close(): Promise<void>
  }

  export = BlindPeer
}
