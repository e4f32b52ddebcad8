// describes blind-peering@2.x (test/core/types-pinned.test.ts checks the installed major)
declare module 'blind-peering' {
  import type HyperDHT from 'hyperdht'
  import type Corestore from 'corestore'
  import type Autobase from 'autobase'

  /**
   * Client of always-on "blind" peers (2.x): dials them by key on the DHT and asks them to keep
   * an Autobase's cores. Only core keys and lengths are sent, never the encryption key.
   */
  class BlindPeering {
    constructor(dht: HyperDHT, store: Corestore, opts?: { keys?: Array<Buffer | string>; pick?: number })
    keys: Buffer[]
    /** Resolves once connected to the chosen blind peers; the request itself is not acknowledged. */
    addAutobase(base: Autobase<unknown>, opts?: { announce?: boolean; priority?: number }): Promise<void>
    addAutobaseBackground(base: Autobase<unknown>, opts?: { announce?: boolean; priority?: number }): void
    close(): Promise<void>
  }

  export = BlindPeering
}
