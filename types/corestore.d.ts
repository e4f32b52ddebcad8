// describes corestore@7.x (test/core/types-pinned.test.ts checks the installed major)
declare module 'corestore' {
  import ReadyResource = require('ready-resource')
  import { Duplex, Readable } from 'streamx'
  import Hypercore = require('hypercore')
  import NoiseSecretStream = require('@hyperswarm/secret-stream')
  import Protomux = require('protomux')

  namespace Corestore {
    type KeyPair = Hypercore.KeyPair

    interface Options {
      /** refuse writes (also makes every get() read-only) */
      readOnly?: boolean
      writable?: boolean
      /** Only with unsafe: true. Normally generated once and persisted in the storage. */
      primaryKey?: Buffer
      unsafe?: boolean
      /** 32-byte namespace for derived key pairs (default: 32 zero bytes) */
      namespace?: Buffer
      manifestVersion?: number
      /** default true (false on Android) */
      suspend?: boolean
      /** default true: replicate cores that are being downloaded */
      active?: boolean
      globalCache?: unknown
      id?: string
      allowBackup?: boolean
      wait?: boolean
      treeCache?: number
    }

    interface GetOptions<T> extends Hypercore.Options<T> {
      /** Writable core whose key pair is derived from (primaryKey, namespace, name); key is null until ready(). */
      name?: string
      /** hex/z32 strings are accepted */
      key?: Buffer | string | null
      draft?: boolean
      allowLatestBlock?: boolean
    }
  }

  class Corestore extends ReadyResource {
    /** storage: a directory path, or a hypercore-storage instance */
    constructor(storage: string | object, opts?: Corestore.Options)

    /** the root store of a session/namespace, null for the root itself */
    readonly root: Corestore | null
    /** hypercore-storage instance */
    readonly storage: import('hypercore-storage')
    readonly readOnly: boolean
    /** null until ready() */
    primaryKey: Buffer | null
    /** current namespace */
    readonly ns: Buffer
    readonly manifestVersion: number
    active: boolean
    globalCache: unknown

    /** key (Buffer or hex/z32 string) or options; returns synchronously, call ready() on the core. */
    get(key: Buffer | string): Hypercore<Buffer>
    get(opts: Corestore.GetOptions<Buffer> & { valueEncoding?: undefined }): Hypercore<Buffer>
    get<T>(opts: Corestore.GetOptions<T> & { valueEncoding: Hypercore.ValueEncoding<T> }): Hypercore<T>
    /** Sub-store sharing storage and replication; closing it closes only its own core sessions. */
    session(opts?: Corestore.Options): Corestore
    /** Session whose named cores are derived from hash(currentNamespace, name). */
    namespace(name: string | Buffer, opts?: Corestore.Options): Corestore
    createKeyPair(name: string, ns?: Buffer): Promise<Corestore.KeyPair>

    /**
     * Replicates every core of the store (also ones opened later, and ones the remote asks for
     * that exist locally). Passing a stream (e.g. a hyperswarm connection) returns that stream.
     */
    replicate<S extends Duplex<Buffer, Buffer>>(stream: S, opts?: Hypercore.ReplicateOptions): S
    replicate(mux: Protomux): Protomux
    replicate(
      isInitiator: boolean,
      opts?: Hypercore.ReplicateOptions
    ): Duplex<Buffer, Buffer> & { noiseStream: NoiseSecretStream }
    /** Call the returned function once the initial peer discovery is done. */
    findingPeers(): () => void
    /** discovery keys of stored cores, optionally only those of a namespace */
    list(namespace?: Buffer): Readable<Buffer>
    /** Copy of a core with a static (signer-less) manifest; the core must have data. */
    staticify<T = Buffer>(core: Hypercore<unknown>, opts?: Corestore.GetOptions<T>): Promise<Hypercore<T>>
    /** fn receives internal core objects as they are opened */
    watch(fn: (core: unknown) => void): void
    unwatch(fn: (core: unknown) => void): void
    suspend(opts?: { log?: (...args: unknown[]) => unknown }): Promise<void>
    resume(): Promise<void>
  }

  export = Corestore
}
