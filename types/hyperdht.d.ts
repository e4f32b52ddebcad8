// describes hyperdht@6.x (test/core/types-pinned.test.ts checks the installed major)
declare module 'hyperdht' {
  import { EventEmitter } from 'events'
  import { Readable } from 'streamx'
  import NoiseSecretStream = require('@hyperswarm/secret-stream')

  namespace HyperDHT {
    interface KeyPair {
      publicKey: Buffer
      secretKey: Buffer
    }

    interface Address {
      host: string
      port: number
    }
    interface SocketAddress extends Address {
      family: number
    }
    interface Node extends Address {
      id?: Buffer | null
    }

    /** 'host:port', 'ip@hostname:port', a bare port (means 127.0.0.1) or {host, port} */
    type BootstrapNode = string | number | Address

    /** A NoiseSecretStream whose publicKey/remotePublicKey are always set. */
    type Connection = NoiseSecretStream.Keyed

    interface Options {
      /** Defaults to the public bootstrap nodes (HyperDHT.BOOTSTRAP); pass [] for none (false is NOT honoured). */
      bootstrap?: BootstrapNode[]
      /** initial routing table entries */
      nodes?: Address[]
      /** preferred bind port, default 49737 (falls back to a random port unless anyPort: false) */
      port?: number
      anyPort?: boolean
      /** bind host, default '0.0.0.0' */
      host?: string
      /** Forcing ephemeral: false turns off the adaptive mode; a persistent node stores records for others. */
      ephemeral?: boolean
      adaptive?: boolean
      firewalled?: boolean
      /** default key pair for servers/connections (else generated from seed, else random) */
      keyPair?: KeyPair
      seed?: Buffer
      /** ms, default 5000; false disables */
      connectionKeepAlive?: number | false
      randomPunchInterval?: number
      deferRandomPunch?: boolean
      maxSize?: number
      maxAge?: number
      concurrency?: number
      maxPingDelay?: number
      quickFirewall?: boolean
      sendDownHints?: boolean
      downHintsRateLimit?: number
      filterNode?(node: Address): boolean
    }

    /** The parts of an incoming dht-rpc request that a subclass's onrequest() reads. */
    interface Request {
      command: number
      target: Buffer | null
    }

    type RelayThrough = Buffer | Buffer[] | null

    /** Firewall values are HyperDHT.FIREWALL constants; return false to abort hole punching. */
    type HolepunchFilter = (
      remoteFirewall: number,
      localFirewall: number,
      remoteAddresses: Address[],
      localAddresses: Address[] | null
    ) => boolean

    interface ConnectOptions {
      keyPair?: KeyPair
      relayAddresses?: Address[]
      relayThrough?: RelayThrough | (() => RelayThrough)
      relayKeepAlive?: number
      /** try LAN addresses first (default true) */
      localConnection?: boolean
      fastOpen?: boolean
      reusableSocket?: boolean
      pool?: ConnectionPool
      holepunch?: HolepunchFilter
    }

    /** Decoded Noise handshake payload of the connecting peer (shape owned by hyperdht). */
    type HandshakePayload = unknown

    interface ServerOptions {
      /** Return true to REJECT the peer. May be async here (hyperswarm's firewall may not). */
      firewall?(
        remotePublicKey: Buffer,
        remoteHandshakePayload: HandshakePayload,
        clientAddress: Address
      ): boolean | Promise<boolean>
      /** false disables hole punching entirely */
      holepunch?: false | HolepunchFilter
      relayThrough?: RelayThrough | (() => RelayThrough)
      relayKeepAlive?: number
      pool?: ConnectionPool
      shareLocalAddress?: boolean
      reusableSocket?: boolean
      handshakeClearWait?: number
      onconnection?(connection: Connection): void
    }

    interface ServerEvents {
      connection: [connection: Connection]
      listening: []
      close: []
    }

    /** Not exported at runtime: create with dht.createServer(). */
    interface Server extends EventEmitter {
      readonly dht: HyperDHT
      target: Buffer | null
      closed: boolean
      suspended: boolean
      /** true once listen() was called (not necessarily finished) */
      readonly listening: boolean
      /** null until listening */
      readonly publicKey: Buffer | null
      readonly relayAddresses: Address[]

      /** Announces keyPair (default: dht.defaultKeyPair) on the DHT; throws if already listening. */
      listen(keyPair?: KeyPair, opts?: object): Promise<this>
      close(): Promise<void>
      address(): { publicKey: Buffer; host: string | null; port: number } | null
      refresh(): void
      notifyOnline(): void
      suspend(opts?: { log?: (...args: unknown[]) => void }): Promise<void>
      resume(): Promise<void>

      on<K extends keyof ServerEvents>(event: K, listener: (...args: ServerEvents[K]) => void): this
      once<K extends keyof ServerEvents>(event: K, listener: (...args: ServerEvents[K]) => void): this
      off<K extends keyof ServerEvents>(event: K, listener: (...args: ServerEvents[K]) => void): this
      removeListener<K extends keyof ServerEvents>(event: K, listener: (...args: ServerEvents[K]) => void): this
      emit<K extends keyof ServerEvents>(event: K, ...args: ServerEvents[K]): boolean
    }

    interface ConnectionPool {
      has(publicKey: Buffer): boolean
      get(publicKey: Buffer): Connection | null
    }

    interface Peer {
      publicKey: Buffer
      relayAddresses: Address[]
    }

    interface Reply {
      token: Buffer | null
      from: Node
      to: Node | null
    }
    interface LookupReply extends Reply {
      peers: Peer[]
      bump: number
    }
    interface FindPeerReply extends Reply {
      peer: Peer
    }
    interface ImmutableGetResult extends Reply {
      value: Buffer
    }
    interface MutableGetResult extends Reply {
      seq: number
      value: Buffer
      signature: Buffer
    }

    /** A dht-rpc query: a readable stream of (mapped) replies. */
    interface Query<T> extends Readable<T> {
      readonly target: Buffer
      readonly closestNodes: Node[]
      closestReplies: Reply[]
      errors: number
      successes: number
      /** Resolves once the query is fully done (rejects on a query error). */
      finished(): Promise<void>
    }

    interface QueryOptions {
      closestNodes?: Node[]
      nodes?: Node[]
      concurrency?: number
      retries?: number
      force?: boolean
    }

    interface Events {
      ready: []
      listening: []
      close: []
      persistent: []
      ephemeral: []
      wakeup: []
      suspend: []
      resume: []
      'network-change': [interfaces: unknown]
      'network-update': []
      'nat-update': [host: string, port: number]
      'add-node': [node: Node]
      'remove-node': [node: Node]
    }
  }

  class HyperDHT extends EventEmitter {
    constructor(opts?: HyperDHT.Options)

    static keyPair(seed?: Buffer | null): HyperDHT.KeyPair
    static hash(data: Uint8Array): Buffer
    /** A persistent, non-firewalled node meant to be used as a bootstrap node. */
    static bootstrapper(port: number, host: string, opts?: HyperDHT.Options): HyperDHT
    static BOOTSTRAP: string[]
    static FIREWALL: { UNKNOWN: 0; OPEN: 1; CONSISTENT: 2; RANDOM: 3 }

    readonly defaultKeyPair: HyperDHT.KeyPair
    /** Servers of this node, not a boolean. */
    readonly listening: Set<HyperDHT.Server>
    readonly bootstrapNodes: HyperDHT.Address[]
    connectionKeepAlive: number
    bootstrapped: boolean
    ephemeral: boolean
    firewalled: boolean
    adaptive: boolean
    destroyed: boolean
    suspended: boolean
    online: boolean
    degraded: boolean
    concurrency: number
    /** null while ephemeral */
    readonly id: Buffer | null
    /** public (NAT) address as seen by others, null/0 until sampled */
    readonly host: string | null
    readonly port: number
    /** true if behind a randomizing NAT */
    readonly randomized: boolean

    connect(remotePublicKey: Buffer | string, opts?: HyperDHT.ConnectOptions): HyperDHT.Connection
    createServer(opts?: HyperDHT.ServerOptions, onconnection?: (connection: HyperDHT.Connection) => void): HyperDHT.Server
    createServer(onconnection: (connection: HyperDHT.Connection) => void): HyperDHT.Server

    /** Deprecated alias of fullyBootstrapped(). */
    ready(): Promise<void>
    fullyBootstrapped(): Promise<void>
    bind(): Promise<void>
    /** Closes all servers first unless force is set. */
    destroy(opts?: { force?: boolean }): Promise<void>
    suspend(opts?: { log?: (...args: unknown[]) => void }): Promise<void>
    resume(opts?: { log?: (...args: unknown[]) => void }): Promise<void>
    refresh(): void

    /** Bound UDP socket address; null before the socket is bound. */
    address(): HyperDHT.SocketAddress | null
    localAddress(): HyperDHT.Address | null
    remoteAddress(): HyperDHT.Address | null
    addNode(node: HyperDHT.Address): void
    /** dht-rpc's dispatcher for every request that reaches this node; true when handled. */
    onrequest(req: HyperDHT.Request): boolean
    /** Resolves with the reply; rejects on timeout (after retries unless retry: false). */
    ping(node: HyperDHT.Address, opts?: { retry?: boolean; size?: number }): Promise<HyperDHT.Reply>
    /** A query for the nodes closest to target (what bootstrapping and refresh run). */
    findNode(target: Buffer, opts?: HyperDHT.QueryOptions): HyperDHT.Query<HyperDHT.Reply>
    toArray(opts?: { limit?: number }): HyperDHT.Address[]

    lookup(target: Buffer, opts?: HyperDHT.QueryOptions): HyperDHT.Query<HyperDHT.LookupReply>
    announce(
      target: Buffer,
      keyPair: HyperDHT.KeyPair,
      relayAddresses?: HyperDHT.Address[] | null,
      opts?: HyperDHT.QueryOptions & { clear?: boolean; bump?: number }
    ): HyperDHT.Query<HyperDHT.LookupReply>
    unannounce(target: Buffer, keyPair: HyperDHT.KeyPair, opts?: HyperDHT.QueryOptions): Promise<void>
    lookupAndUnannounce(
      target: Buffer,
      keyPair: HyperDHT.KeyPair,
      opts?: HyperDHT.QueryOptions
    ): HyperDHT.Query<HyperDHT.LookupReply>
    findPeer(publicKey: Buffer, opts?: HyperDHT.QueryOptions & { hash?: boolean }): HyperDHT.Query<HyperDHT.FindPeerReply>

    immutablePut(value: Buffer, opts?: HyperDHT.QueryOptions): Promise<{ hash: Buffer; closestNodes: HyperDHT.Node[] }>
    immutableGet(target: Buffer, opts?: HyperDHT.QueryOptions): Promise<HyperDHT.ImmutableGetResult | null>
    mutablePut(
      keyPair: HyperDHT.KeyPair,
      value: Buffer,
      opts?: HyperDHT.QueryOptions & { seq?: number }
    ): Promise<{ publicKey: Buffer; closestNodes: HyperDHT.Node[]; seq: number; signature: Buffer }>
    mutableGet(
      publicKey: Buffer,
      opts?: HyperDHT.QueryOptions & {
        seq?: number
        latest?: boolean
        refresh?: (result: HyperDHT.MutableGetResult) => boolean
      }
    ): Promise<HyperDHT.MutableGetResult | null>

    on<K extends keyof HyperDHT.Events>(event: K, listener: (...args: HyperDHT.Events[K]) => void): this
    once<K extends keyof HyperDHT.Events>(event: K, listener: (...args: HyperDHT.Events[K]) => void): this
    off<K extends keyof HyperDHT.Events>(event: K, listener: (...args: HyperDHT.Events[K]) => void): this
    removeListener<K extends keyof HyperDHT.Events>(event: K, listener: (...args: HyperDHT.Events[K]) => void): this
    emit<K extends keyof HyperDHT.Events>(event: K, ...args: HyperDHT.Events[K]): boolean
  }

  export = HyperDHT
}
