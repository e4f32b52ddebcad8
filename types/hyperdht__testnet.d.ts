// describes hyperdht@6.x (test/core/types-pinned.test.ts checks the installed major)
declare module 'hyperdht/testnet' {
  import HyperDHT = require('hyperdht')

  namespace createTestnet {
    /** Registers the testnet's destroy(); brittle's t.teardown fits. Called with { order: Infinity }. */
    type Teardown = (fn: () => Promise<void>, opts: { order: number }) => unknown

    interface Options {
      /** advertised host of the first node, default '127.0.0.1' (nodes bind 0.0.0.0 otherwise) */
      host?: string
      /** port of the first node, default random */
      port?: number
      /** join an existing network instead of bootstrapping off the first node */
      bootstrap?: HyperDHT.Address[]
      teardown?: Teardown
    }

    interface Testnet {
      /** persistent (ephemeral: false, firewalled: false) nodes, plus any createNode() ones */
      nodes: HyperDHT[]
      /** pass as `bootstrap` to DHT/Hyperswarm instances; [] when size is 0 */
      bootstrap: HyperDHT.Address[]
      /** ephemeral node on 127.0.0.1, destroyed with the testnet */
      createNode(opts?: HyperDHT.Options): HyperDHT
      /** closes every node's servers, then destroys the nodes */
      destroy(): Promise<void>
      [Symbol.iterator](): ArrayIterator<HyperDHT>
    }
  }

  /** size defaults to 10; the second argument may be the teardown function itself (or a brittle t). */
  function createTestnet(
    size?: number,
    opts?: createTestnet.Options | createTestnet.Teardown
  ): Promise<createTestnet.Testnet>

  export = createTestnet
}
