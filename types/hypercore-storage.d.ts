// describes hypercore-storage@3.x (test/core/types-pinned.test.ts checks the installed major)
declare module 'hypercore-storage' {
  /** A RocksDB key/value iterator entry. */
  interface RocksEntry {
    key: Buffer
    value: Buffer
  }

  interface RocksWriteBatch {
    tryPut(key: Buffer, value: Buffer): void
    flush(): Promise<void>
    destroy(): void
  }

  /** The column-family session hypercore-storage keeps everything in (rocksdb-native). */
  interface RocksSession {
    /** A session reading one point in time; close it when done. */
    snapshot(): RocksSession
    iterator(range: { gte?: Buffer; lt?: Buffer }, opts?: { values?: boolean }): AsyncIterable<RocksEntry>
    write(opts?: { autoDestroy?: boolean }): RocksWriteBatch
    close(): Promise<void>
  }

  /** The RocksDB-backed storage Corestore uses; pass an instance to tune it. */
  class CoreStorage {
    constructor(directory: string, opts?: { writeBufferSize?: number; readOnly?: boolean; allowBackup?: boolean })
    readonly db: RocksSession
    ready(): Promise<void>
    /** The Corestore seed (primary key) kept in this storage. */
    setSeed(seed: Buffer, opts?: { overwrite?: boolean }): Promise<void>
    close(): Promise<void>
  }
  export = CoreStorage
}
