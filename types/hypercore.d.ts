// describes hypercore@11.x (test/core/types-pinned.test.ts checks the installed major)
declare module 'hypercore' {
  import { EventEmitter } from 'events'
  import { Encoder } from 'compact-encoding'
  import { Duplex, Readable, Writable } from 'streamx'
  import NoiseSecretStream = require('@hyperswarm/secret-stream')
  import Protomux = require('protomux')

  namespace Hypercore {
    interface KeyPair {
      publicKey: Buffer
      secretKey: Buffer
    }

    /** Names understood by compact-encoding's from(); unknown strings mean 'binary'. */
    type ValueEncodingName =
      | 'binary'
      | 'json'
      | 'ndjson'
      | 'utf-8'
      | 'utf8'
      | 'ascii'
      | 'hex'
      | 'base64'
      | 'ucs2'
      | 'ucs-2'
      | 'utf16le'
      | 'utf16-le'

    interface Codec<T> {
      encode(value: T): Uint8Array
      decode(buffer: Buffer): T
    }

    /**
     * T is the decoded block type (what get() returns). With a name, state it explicitly,
     * e.g. store.get<Msg>({ name, valueEncoding: 'json' }).
     */
    type ValueEncoding<T> = Encoder<never, T> | Codec<T> | ValueEncodingName

    interface ManifestSigner {
      signature?: 'ed25519'
      namespace?: Buffer
      publicKey: Buffer
    }
    interface Manifest {
      version?: number
      hash?: 'blake2b'
      allowPatch?: boolean
      quorum?: number
      signers?: ManifestSigner[]
      prologue?: { hash: Buffer; length: number } | null
      linked?: Buffer[] | null
      userData?: Buffer | null
    }

    interface EncryptionProvider {
      padding(core: unknown, index: number): number
      encrypt(index: number, block: Buffer, fork: number, core: unknown): Promise<void> | void
      decrypt(index: number, block: Buffer, core: unknown): Promise<void> | void
    }
    type Encryption = Buffer | { key: Buffer; block?: boolean } | EncryptionProvider

    /** Options shared by sessions and the cores returned by Corestore.get(). */
    interface SessionOptions {
      /** default true: wait for peers when a block is missing */
      wait?: boolean
      /** ms, 0 = no timeout */
      timeout?: number
      writable?: boolean
      /** take the exclusive write lock of the core */
      exclusive?: boolean
      /** a weak session does not keep the core open */
      weak?: boolean
      /** default true: take part in replication */
      active?: boolean
      snapshot?: boolean
      /** named/atomic batch sessions */
      name?: string
      atom?: unknown
      checkout?: number
      overwrite?: boolean
      keyPair?: KeyPair
      encryption?: Encryption | null
      /** old style; prefer encryption */
      encryptionKey?: Buffer | null
      isBlockKey?: boolean
      onwait?: ((index: number, core: Hypercore<unknown>) => void) | null
      onseq?: ((index: number, core: Hypercore<unknown>) => void) | null
      userData?: Record<string, Buffer | string>
      pushOnly?: boolean
    }

    interface Options<T> extends SessionOptions {
      valueEncoding?: ValueEncoding<T>
      encodeBatch?: (blocks: T[]) => Buffer[]
      key?: Buffer | string | null
      discoveryKey?: Buffer
      manifest?: Manifest | null
      createIfMissing?: boolean
      force?: boolean
      compat?: boolean
      allowFork?: boolean
      allowPush?: boolean
      notDownloadingLinger?: number
      inflightRange?: [number, number]
      legacy?: boolean
      group?: Buffer | null
      storage?: string | object
      globalCache?: unknown
      preload?: Promise<object> | null
    }

    interface GetOptions {
      /** overrides the session's wait */
      wait?: boolean
      timeout?: number
      /** fetch even if not wanted by the download ranges */
      force?: boolean
      /** default true */
      decrypt?: boolean
      onwait?: (index: number, core: Hypercore<unknown>) => void
      activeRequests?: unknown[]
      /** return the stored (still encrypted, undecoded) block */
      raw?: boolean
      valueEncoding?: ValueEncoding<unknown>
    }

    interface UpdateOptions {
      wait?: boolean
      /** writable cores never update unless forced */
      force?: boolean
      activeRequests?: unknown[]
    }

    interface AppendOptions {
      keyPair?: KeyPair | null
      signature?: Buffer | null
      /** no-op (returns the current length) if the append would exceed it */
      maxLength?: number
      writable?: boolean
    }

    interface AppendResult {
      /** the new length */
      length: number
      byteLength: number
    }

    interface Info {
      key: Buffer
      discoveryKey: Buffer
      length: number
      contiguousLength: number
      byteLength: number
      fork: number
      padding: number
      storage: { oplog: number; tree: number; blocks: number; bitfield: number } | null
    }

    interface ReplicateOptions {
      /** default true (5s keep-alive on the noise stream) */
      keepAlive?: boolean
      ondiscoverykey?: (discoveryKey: Buffer) => unknown
      stream?: Duplex<Buffer, Buffer>
      keyPair?: KeyPair
    }

    interface Range {
      start?: number
      /** -1 = open ended (keeps downloading as the core grows) */
      end?: number
      length?: number
      /** explicit block indexes (start/end are then ignored) */
      blocks?: number[]
      linear?: boolean
      activeRequests?: unknown[]
    }

    interface Download {
      ready(): Promise<void>
      done(): Promise<void>
      destroy(): void
    }

    interface ReadStreamOptions {
      start?: number
      end?: number
      live?: boolean
      snapshot?: boolean
      wait?: boolean
      timeout?: number
    }

    interface Extension<M> {
      readonly name: string
      send(message: M, peer: Peer): void
      broadcast(message: M): void
      destroy(): void
    }

    interface Peer {
      readonly remotePublicKey: Buffer
      /** how many blocks from the start this peer has said it holds */
      readonly remoteContiguousLength: number
      readonly stream: NoiseSecretStream
      readonly protomux: Protomux
      paused: boolean
      removed: boolean
    }

    interface Events {
      ready: []
      close: []
      /** new blocks (local or replicated) */
      append: []
      truncate: [ancestors: number, forkId: number]
      'peer-add': [peer: Peer]
      'peer-remove': [peer: Peer]
      download: [index: number, byteLength: number, from: Peer, req: unknown]
      upload: [index: number, byteLength: number, from: Peer]
      conflict: [length: number, fork: number, proof: unknown]
      migrate: [key: Buffer]
      manifest: []
      'remote-contiguous-length': [length: number]
      'verification-error': [err: Error, req: unknown, res: unknown, from: Peer]
      'invalid-request': [err: Error, req: unknown, from: Peer]
      repairing: [proof: unknown]
      repaired: [proof: unknown]
      'repair-failed': []
    }
  }

  class Hypercore<T = Buffer> extends EventEmitter {
    /** storage: a directory, or a hypercore-storage instance; key may be hex/z32 */
    constructor(storage: string | object, key?: Buffer | string | null, opts?: Hypercore.Options<T>)
    constructor(storage: string | object, opts?: Hypercore.Options<T>)
    constructor(opts: Hypercore.Options<T> & { storage: string | object })

    static readonly MAX_SUGGESTED_BLOCK_SIZE: number
    static discoveryKey(key: Buffer): Buffer
    /** The core key for a manifest (or a 32-byte signer public key). */
    static key(manifest: Hypercore.Manifest | Buffer, opts?: { compat?: boolean; version?: number; namespace?: Buffer }): Buffer
    static getProtocolMuxer(stream: NoiseSecretStream): Protomux
    static createProtocolStream(
      isInitiator: boolean | Duplex<Buffer, Buffer> | Protomux,
      opts?: Hypercore.ReplicateOptions
    ): Duplex<Buffer, Buffer> & { noiseStream: NoiseSecretStream }
    static blockEncryptionKey(key: Buffer, encryptionKey: Buffer): Buffer

    /** null until ready() when opened by name (or by discoveryKey) */
    readonly key: Buffer | null
    readonly discoveryKey: Buffer | null
    /** z32 key */
    readonly id: string | null
    readonly manifest: Hypercore.Manifest | null
    /** 0 until ready() */
    readonly length: number
    readonly signedLength: number
    /** deprecated, prefer (await info()).byteLength */
    readonly byteLength: number
    readonly contiguousLength: number
    readonly remoteContiguousLength: number
    readonly fork: number
    readonly padding: number
    readonly peers: Hypercore.Peer[]
    writable: boolean
    readable: boolean
    opened: boolean
    closed: boolean
    readonly opening: Promise<void>
    closing: Promise<void> | null
    snapshotted: boolean
    weak: boolean
    exclusive: boolean
    wait: boolean
    timeout: number
    keyPair: Hypercore.KeyPair | null
    valueEncoding: Encoder<T> | null
    encryption: Hypercore.EncryptionProvider | null
    sessions: Hypercore<unknown>[] | null

    ready(): Promise<void>
    close(opts?: { error?: Error }): Promise<void>

    /** An array appends one block per element. Throws SESSION_NOT_WRITABLE on read-only cores. */
    append(blocks: T | readonly T[], opts?: Hypercore.AppendOptions): Promise<Hypercore.AppendResult>
    /** null when the block is missing and wait is false (or times out with wait) */
    get(index: number, opts: Hypercore.GetOptions & { raw: true }): Promise<Buffer | null>
    get<U>(index: number, opts: Hypercore.GetOptions & { valueEncoding: Hypercore.ValueEncoding<U> }): Promise<U | null>
    get(index: number, opts?: Hypercore.GetOptions): Promise<T | null>
    has(start: number, end?: number): Promise<boolean>
    /** true if the length changed (never waits on a writable core unless force) */
    update(opts?: Hypercore.UpdateOptions): Promise<boolean>
    /** [block index, offset in block] of a byte offset */
    seek(
      bytes: number,
      opts?: { wait?: boolean; timeout?: number }
    ): Promise<[index: number, relativeOffset: number] | null>
    /** Drops local block data in [start, end). */
    clear(start: number, end?: number, opts?: { diff?: boolean }): Promise<{ blocks: number } | null>
    clear(start: number, opts: { diff?: boolean }): Promise<{ blocks: number } | null>
    truncate(newLength?: number, opts?: number | { fork?: number; keyPair?: Hypercore.KeyPair; signature?: Buffer }): Promise<void>
    /** closes all sessions and deletes the core from storage */
    purge(): Promise<void>
    info(opts?: { storage?: boolean }): Promise<Hypercore.Info>
    treeHash(length?: number): Promise<Buffer>

    /** Sessions do NOT inherit the valueEncoding: they yield raw Buffers unless one is given. */
    session(opts?: Hypercore.SessionOptions & { valueEncoding?: undefined }): Hypercore<Buffer>
    session<U>(opts: Hypercore.SessionOptions & { valueEncoding: Hypercore.ValueEncoding<U> }): Hypercore<U>
    snapshot(opts?: Hypercore.SessionOptions & { valueEncoding?: undefined }): Hypercore<Buffer>
    snapshot<U>(opts: Hypercore.SessionOptions & { valueEncoding: Hypercore.ValueEncoding<U> }): Hypercore<U>

    /** Passing a stream returns that same stream; passing a boolean returns a new raw stream to pipe. */
    replicate(mux: Protomux): Protomux
    replicate<S extends Duplex<Buffer, Buffer>>(stream: S, opts?: Hypercore.ReplicateOptions): S
    replicate(
      isInitiator: boolean,
      opts?: Hypercore.ReplicateOptions
    ): Duplex<Buffer, Buffer> & { noiseStream: NoiseSecretStream }
    /** Call the returned function once the initial peer discovery is done (makes get/update stop waiting). */
    findingPeers(): () => void
    download(range?: Hypercore.Range): Hypercore.Download
    createReadStream(opts?: Hypercore.ReadStreamOptions): Readable<T>
    createWriteStream(): Writable<T>
    createByteStream(opts?: { byteOffset?: number; byteLength?: number; prefetch?: number }): Readable<Buffer>

    setUserData(key: string, value: Buffer | string | null): Promise<void>
    getUserData(key: string): Promise<Buffer | null>
    setEncryptionKey(key: Buffer | null, opts?: { block?: boolean }): Promise<void>
    setEncryption(encryption: Hypercore.EncryptionProvider | null): Promise<void>
    setKeyPair(keyPair: Hypercore.KeyPair | null): void
    setActive(active: boolean): void
    registerExtension<M = Buffer>(
      name: string,
      handlers?: { encoding?: Encoder<M>; onmessage?: (message: M, peer: Hypercore.Peer) => void }
    ): Hypercore.Extension<M>

    on<K extends keyof Hypercore.Events>(event: K, listener: (...args: Hypercore.Events[K]) => void): this
    once<K extends keyof Hypercore.Events>(event: K, listener: (...args: Hypercore.Events[K]) => void): this
    off<K extends keyof Hypercore.Events>(event: K, listener: (...args: Hypercore.Events[K]) => void): this
    removeListener<K extends keyof Hypercore.Events>(event: K, listener: (...args: Hypercore.Events[K]) => void): this
    emit<K extends keyof Hypercore.Events>(event: K, ...args: Hypercore.Events[K]): boolean
  }

  export = Hypercore
}
