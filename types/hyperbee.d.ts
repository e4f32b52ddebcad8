// describes hyperbee@2.x (test/core/types-pinned.test.ts checks the installed major)
declare module 'hyperbee' {
  import ReadyResource = require('ready-resource')
  import { Readable } from 'streamx'
  import Hypercore = require('hypercore')

  namespace Hyperbee {
    /** Keys/values without an encoding are Buffers (strings given to put() are utf-8 encoded). */
    type Encoding<T> = Hypercore.ValueEncoding<T>

    interface Options<K, V> {
      keyEncoding?: Encoding<K>
      valueEncoding?: Encoding<V>
      /** default true: register the hyperbee wire extension (faster remote range reads) */
      extension?: boolean
      metadata?: unknown
      readonly?: boolean
      /** default true: put() of an unchanged value still appends */
      alwaysDuplicate?: boolean
      sep?: Buffer
      prefix?: Buffer | null
      checkout?: number
      sessions?: boolean
    }

    interface Entry<K, V> {
      /** index of the block in the core */
      seq: number
      key: K
      value: V
    }

    interface Range<K> {
      gt?: K
      gte?: K
      lt?: K
      lte?: K
    }

    interface ReadOptions<K> extends Range<K> {
      /** -1 = no limit */
      limit?: number
      reverse?: boolean
      extension?: boolean
      signal?: AbortSignal
      wait?: boolean
      update?: boolean
      onseq?: (seq: number) => void
      onwait?: (seq: number) => void
    }

    interface GetOptions {
      wait?: boolean
      update?: boolean
      timeout?: number
      extension?: boolean
      /** default true; false returns the raw block entry */
      finalize?: boolean
      keyEncoding?: Encoding<unknown>
      valueEncoding?: Encoding<unknown>
    }

    interface PutOptions<K, V> {
      /** Compare-and-swap: return false to skip the write. prev is the current entry. */
      cas?: (prev: Entry<K, V>, next: Entry<K, V>) => boolean | Promise<boolean>
    }

    interface DelOptions<K, V> {
      cas?: (prev: Entry<K, V>, next: Entry<K, null>) => boolean | Promise<boolean>
    }

    interface HistoryEntry<K, V> extends Entry<K, V | null> {
      type: 'put' | 'del'
    }

    interface DiffEntry<K, V> {
      left: Entry<K, V> | null
      right: Entry<K, V> | null
    }

    interface HistoryOptions {
      live?: boolean
      reverse?: boolean
      /** negative values count back from the current version */
      gt?: number
      gte?: number
      lt?: number
      lte?: number
      limit?: number
      signal?: AbortSignal
    }

    /** Writes are buffered until flush(); reads see the pending writes. */
    interface Batch<K, V> {
      readonly version: number
      ready(): Promise<void>
      lock(): Promise<void>
      put(key: K, value: V, opts?: PutOptions<K, V>): Promise<void>
      get(key: K, opts?: GetOptions): Promise<Entry<K, V> | null>
      getBySeq(seq: number, opts?: GetOptions): Promise<{ key: K; value: V }>
      del(key: K, opts?: DelOptions<K, V>): Promise<void>
      peek(range?: ReadOptions<K>, opts?: ReadOptions<K>): Promise<Entry<K, V> | null>
      createReadStream(range?: ReadOptions<K>, opts?: ReadOptions<K>): Readable<Entry<K, V>>
      /** appends all pending writes as one atomic append */
      flush(): Promise<void>
      /** discards pending writes and releases the lock */
      close(): Promise<void>
    }

    /** Async iterator yielding [current, previous] snapshots on every change in the range. */
    interface Watcher<K, V> extends ReadyResource {
      readonly current: Hyperbee<K, V> | null
      readonly previous: Hyperbee<K, V> | null
      [Symbol.asyncIterator](): this
      next(): Promise<IteratorResult<[current: Hyperbee<K, V>, previous: Hyperbee<K, V>], undefined>>
      return(): Promise<IteratorResult<[current: Hyperbee<K, V>, previous: Hyperbee<K, V>], undefined>>
      /** same as close() */
      destroy(): Promise<void>
    }

    interface EntryWatcher<K, V> extends ReadyResource {
      readonly key: K
      /** the current entry, kept up to date ('update' event) */
      node: Entry<K, V> | null
    }
  }

  class Hyperbee<K = Buffer, V = Buffer> extends ReadyResource {
    /** core must be opened without a valueEncoding (Hyperbee encodes its own blocks) */
    constructor(core: Hypercore<Buffer>, opts?: Hyperbee.Options<K, V>)

    static isHyperbee(core: Hypercore<unknown>, opts?: Hypercore.GetOptions): Promise<boolean>

    readonly core: Hypercore<Buffer>
    /** deprecated alias of core */
    readonly feed: Hypercore<Buffer>
    readonly readonly: boolean
    readonly prefix: Buffer | null
    /** max(1, core.length), or the checkout */
    readonly version: number
    readonly id: string | null
    readonly key: Buffer | null
    readonly discoveryKey: Buffer | null
    readonly writable: boolean
    readonly readable: boolean

    put(key: K, value: V, opts?: Hyperbee.PutOptions<K, V>): Promise<void>
    get(key: K, opts?: Hyperbee.GetOptions): Promise<Hyperbee.Entry<K, V> | null>
    getBySeq(seq: number, opts?: Hyperbee.GetOptions): Promise<{ key: K; value: V }>
    del(key: K, opts?: Hyperbee.DelOptions<K, V>): Promise<void>
    batch(opts?: { update?: boolean; wait?: boolean; checkout?: number }): Hyperbee.Batch<K, V>
    /** first entry of the range, or null */
    peek(range?: Hyperbee.ReadOptions<K>, opts?: Hyperbee.ReadOptions<K>): Promise<Hyperbee.Entry<K, V> | null>
    createReadStream(range?: Hyperbee.ReadOptions<K>, opts?: Hyperbee.ReadOptions<K>): Readable<Hyperbee.Entry<K, V>>
    createHistoryStream(opts?: Hyperbee.HistoryOptions): Readable<Hyperbee.HistoryEntry<K, V>>
    createDiffStream(
      otherVersion: number | Hyperbee<K, V>,
      range?: Hyperbee.ReadOptions<K>,
      opts?: Hyperbee.ReadOptions<K>
    ): Readable<Hyperbee.DiffEntry<K, V>>
    /** Read-only view at a version; close it when done. */
    checkout(version: number, opts?: { reuseSession?: boolean; keyEncoding?: Hyperbee.Encoding<K>; valueEncoding?: Hyperbee.Encoding<V> }): Hyperbee<K, V>
    /** checkout() of the current version */
    snapshot(opts?: { keyEncoding?: Hyperbee.Encoding<K>; valueEncoding?: Hyperbee.Encoding<V> }): Hyperbee<K, V>
    sub<SK = K, SV = V>(
      prefix: string | Buffer,
      opts?: { sep?: string | Buffer; keyEncoding?: Hyperbee.Encoding<SK>; valueEncoding?: Hyperbee.Encoding<SV> }
    ): Hyperbee<SK, SV>
    watch(range?: Hyperbee.Range<K>, opts?: { keyEncoding?: Hyperbee.Encoding<K>; valueEncoding?: Hyperbee.Encoding<V> }): Hyperbee.Watcher<K, V>
    getAndWatch(key: K, opts?: { keyEncoding?: Hyperbee.Encoding<K>; valueEncoding?: Hyperbee.Encoding<V> }): Promise<Hyperbee.EntryWatcher<K, V>>
    getHeader(opts?: Hypercore.GetOptions): Promise<{ protocol: string; metadata: unknown } | null>
    update(opts?: Hypercore.UpdateOptions): Promise<boolean>
    replicate: Hypercore<Buffer>['replicate']
  }

  export = Hyperbee
}
