// describes hypercore-storage@3.x (test/core/types-pinned.test.ts checks the installed major)
declare module 'hypercore-storage' {
  /** The RocksDB-backed storage Corestore uses; pass an instance to tune it. */
  class CoreStorage {
    constructor(directory: string, opts?: { writeBufferSize?: number; readOnly?: boolean; allowBackup?: boolean })
    close(): Promise<void>
  }
  export = CoreStorage
}
