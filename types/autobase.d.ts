// describes autobase@7.x (test/core/types-pinned.test.ts checks the installed major)
declare module 'autobase' {
  import ReadyResource = require('ready-resource')
  import { Encoder } from 'compact-encoding'
  import Corestore = require('corestore')
  import Hypercore = require('hypercore')

  namespace Autobase {
    type KeyPair = Hypercore.KeyPair

    interface Head {
      key: Buffer
      length: number
    }

    /** One block handed to apply(). Acks (null appends) are never passed to apply. */
    interface Node<T = Buffer> {
      value: T
      /** the writer's core (always opened by key) */
      from: Hypercore<unknown> & { readonly key: Buffer; readonly discoveryKey: Buffer }
      /** length of the writer's core including this node */
      length: number
      /** whether the node is already signed by a quorum (won't be reordered) */
      indexed: boolean
      optimistic: boolean
      heads: Head[]
    }

    /** Views are named cores; open() may only derive its view from these. */
    interface AutoStore {
      get(name: string, moreOpts?: { valueEncoding?: undefined }): Hypercore<Buffer>
      get(opts: { name: string; valueEncoding?: null }): Hypercore<Buffer>
      get<T>(opts: { name: string; valueEncoding: Hypercore.ValueEncoding<T> }): Hypercore<T>
      get<T>(name: string, moreOpts: { valueEncoding: Hypercore.ValueEncoding<T> }): Hypercore<T>
    }

    /**
     * Side effects allowed inside apply(). The host given to open() (for base.view) is a public
     * one on which every mutating call throws 'Not allowed on the public view'.
     */
    interface Host {
      readonly key: Buffer | null
      readonly discoveryKey: Buffer | null
      readonly id: string | null
      /** true for the host passed to apply() */
      readonly internal: boolean
      /** NB: indexer defaults to TRUE */
      addWriter(key: Buffer, opts?: { indexer?: boolean; isIndexer?: boolean }): Promise<void>
      /** throws when removing the last indexer */
      removeWriter(key: Buffer): Promise<void>
      /** lets an optimistic block of a non-writer be applied */
      ackWriter(key: Buffer): Promise<void>
      removeable(key: Buffer): boolean
      /** Stops applying, emits 'interrupt' (reason) and 'update'; throws to unwind apply(). */
      interrupt(reason?: unknown): never
      preferFastForward(): void
    }

    interface Options<V, T> {
      /** Called synchronously in the constructor (for base.view) and again internally for apply's view. */
      open?(store: AutoStore, host: Host): V
      apply?(nodes: Node<T>[], view: V, host: Host): Promise<void> | void
      close?(view: V): Promise<void> | void
      /** default 'binary' (Buffer values) */
      valueEncoding?: Hypercore.ValueEncoding<T>
      /** auto-ack interval in ms; DEFAULT 10000 (auto-acking is on unless set to 0) */
      ackInterval?: number
      ackThreshold?: number
      optimistic?: boolean
      encryptionKey?: Buffer | Promise<Buffer> | null
      /** encrypt a new base with a generated key */
      encrypt?: boolean
      /** require encryption (implied by encryptionKey) */
      encrypted?: boolean
      /** default true; { key } fast-forwards to that system core first */
      fastForward?: boolean | { key: Buffer }
      /** a protomux-wakeup instance */
      wakeup?: unknown
      bigBatches?: boolean
      keyPair?: KeyPair | Promise<KeyPair> | null
      wait?(): Promise<void>
      backoff?: unknown
      blindEncryption?: unknown
    }

    type AutobaseNode<T = Buffer> = Node<T>
    type AutobaseHost = Host

    interface AppendBatch<T> {
      append(value: T): Promise<number>
      flush(): Promise<void>
      flushed(): Promise<void>
      close(): void
    }

    interface Events {
      ready: []
      close: []
      /** the view changed (apply ran or was undone) */
      update: []
      interrupt: [reason: unknown]
      'fast-forward': [to: number, from: number]
      'is-indexer': []
      'is-non-indexer': []
      writable: []
      unwritable: []
      warning: [warning: Error]
      /** if nobody listens for 'error', the error is rethrown (crashes the process) */
      error: [err: Error]
      reboot: []
      'rotate-local-writer': []
      writer: [writer: unknown]
    }
  }

  class Autobase<V = unknown, T = Buffer> extends ReadyResource {
    /** bootstrap: the key of an existing base (Buffer or hex/z32), or null to create one */
    constructor(store: Corestore, bootstrap: Buffer | string | null, opts?: Autobase.Options<V, T>)
    constructor(store: Corestore, opts?: Autobase.Options<V, T>)

    /** key of the local writer core ('local' named core unless a keyPair is given) */
    static getLocalKey(store: Corestore, opts?: Corestore.GetOptions<Buffer>): Promise<Buffer>
    static getLocalCore(store: Corestore, handlers?: object, encryptionKey?: Buffer | null): Hypercore<unknown>
    static getUserData(core: Hypercore<unknown>): Promise<{ referrer: Buffer | null; view: string | null }>
    static isAutobase(core: Hypercore<unknown>, opts?: Hypercore.GetOptions): Promise<boolean>
    static encodeValue(value: unknown, opts?: { optimistic?: boolean; encrypted?: boolean; padding?: number; heads?: Autobase.Head[]; version?: number }): Buffer
    static decodeValue(
      value: Buffer,
      opts?: { autobase?: Buffer; encryptionKey?: Buffer; key?: Buffer; manifest?: unknown; index?: number }
    ): Promise<unknown>

    /** null until ready() when bootstrap was null */
    key: Buffer | null
    discoveryKey: Buffer | null
    id: string | null
    /** base.key */
    readonly bootstrap: Buffer | null
    /** the Corestore passed in; closing the base CLOSES this store */
    readonly store: Corestore
    /** this writer's input core; null until ready() */
    local: Hypercore<unknown> | null
    /**
     * protomux-wakeup: tells peers on the streams added which writers moved (key, length), so a
     * writer this base does not follow yet is fetched. `base.replicate()` adds its stream itself.
     */
    readonly wakeupProtocol: { addStream(stream: unknown): void }
    /**
     * (internal) our writer as the linearizer sees it: `length` is how many of our own nodes it
     * has taken in, which lags `local.length` when our core grew by replication; null when this
     * device is not a writer
     */
    readonly localWriter: { readonly length: number } | null
    /** the system core */
    core: Hypercore<unknown>
    /** the value returned by open() (null without an open handler) */
    view: V
    valueEncoding: Encoder<T>
    keyPair: Autobase.KeyPair | null
    /** null until ready(); the generated/loaded key when encrypted */
    encryptionKey: Buffer | null
    encrypted: boolean
    encrypt: boolean
    isIndexer: boolean
    paused: boolean
    updating: boolean
    interrupted: unknown
    version: number
    bigBatches: boolean
    fastForwardEnabled: boolean

    /** this instance may append (is an active writer) */
    readonly writable: boolean
    readonly ackable: boolean
    readonly appending: boolean
    readonly flushing: boolean
    /** length of the system core */
    readonly length: number
    /** system length signed by a quorum of indexers (never reordered) */
    readonly signedLength: number
    readonly indexedLength: number

    /** Appends (an array appends one node per element; null appends an ack); resolves with the local length. */
    append(value: T | readonly T[] | null, opts?: { optimistic?: boolean }): Promise<number>
    batch(): Autobase.AppendBatch<T>
    /** fetch and apply whatever is available */
    update(): Promise<void>
    /** Append an ack (null) if useful; only indexers ack. bg: just speed up the ack timer. */
    ack(bg?: boolean): Promise<void>
    /** resolves true once writable, false if closed first */
    waitForWritable(): Promise<boolean>
    /** hash of the system core's merkle roots */
    hash(): Promise<Buffer>
    heads(): Autobase.Head[]
    /** the view cores (the system core among them) as they stand now */
    views(): Array<{ name: string; key: Buffer; length: number; signedLength: number }>
    replicate: Corestore['replicate']
    pause(): void
    resume(): void
    flush(): Promise<void>
    advance(): Promise<void>
    setBigBatches(enable?: boolean): void
    setUserData(key: string, value: Buffer | string | null): Promise<void>
    getUserData(key: string): Promise<Buffer | null>
    removeable(key: Buffer): boolean
    isFastForwarding(): boolean
    hintWakeup(hints: Autobase.Head | Autobase.Head[]): void
    getLastError(): Error | null

    on<K extends keyof Autobase.Events>(event: K, listener: (...args: Autobase.Events[K]) => void): this
    once<K extends keyof Autobase.Events>(event: K, listener: (...args: Autobase.Events[K]) => void): this
    off<K extends keyof Autobase.Events>(event: K, listener: (...args: Autobase.Events[K]) => void): this
    removeListener<K extends keyof Autobase.Events>(event: K, listener: (...args: Autobase.Events[K]) => void): this
    emit<K extends keyof Autobase.Events>(event: K, ...args: Autobase.Events[K]): boolean
  }

  export = Autobase
}
