// describes hyperdrive@13.x (test/core/types-pinned.test.ts checks the installed major)
// hyperdrive 13 (a dependency of pear-runtime-updater): only what the updater test stages with.
declare module 'hyperdrive' {
  import Corestore = require('corestore')

  class Hyperdrive {
    constructor(store: Corestore, key?: Buffer | null)
    readonly key: Buffer
    readonly discoveryKey: Buffer
    readonly core: { length: number }
    ready(): Promise<void>
    put(path: string, data: Buffer | string, opts?: { executable?: boolean }): Promise<void>
    get(path: string): Promise<Buffer | null>
    close(): Promise<void>
  }

  export = Hyperdrive
}
