// describes hyperswarm@4.x (test/core/types-pinned.test.ts checks the installed major)
declare module 'hyperswarm' {
  import { EventEmitter } from 'events'
  import HyperDHT = require('hyperdht')

  namespace Hyperswarm {
    type KeyPair = HyperDHT.KeyPair
    /** Connections always have publicKey and remotePublicKey set. */
    type Connection = HyperDHT.Connection
    type RelayThrough = HyperDHT.RelayThrough

    interface Options {
      /** default: HyperDHT.keyPair(seed), NOT dht.defaultKeyPair */
      keyPair?: KeyPair
      seed?: Buffer
      /** reuse a DHT node; bootstrap/nodes/port/... are then ignored */
      dht?: HyperDHT
      /**
       * Return true to REJECT. Must be synchronous (a returned promise counts as "reject").
       * payload is the remote handshake payload for incoming connections, null for outgoing ones.
       * Rejected peers are banned (peerInfo.banned) for the lifetime of the swarm.
       */
      firewall?: (remotePublicKey: Buffer, payload: unknown) => boolean
      /** default 64 */
      maxPeers?: number
      maxClientConnections?: number
      maxServerConnections?: number
      /** concurrent outgoing connection attempts, default 3 */
      maxParallel?: number
      relayThrough?: RelayThrough | ((force: boolean, swarm: Hyperswarm) => RelayThrough)
      bootstrap?: HyperDHT.BootstrapNode[]
      nodes?: HyperDHT.Address[]
      port?: number
      deferRandomPunch?: boolean
      randomPunchInterval?: number
      handshakeClearWait?: number
      /** retry delays in ms */
      backoffs?: number[]
      jitter?: number
    }

    interface JoinOptions {
      /** announce ourselves on the topic (default true) */
      server?: boolean
      /** look up and connect to peers on the topic (default true) */
      client?: boolean
      limit?: number
      /** receives background refresh errors (default: swallowed) */
      onerror?: (err: Error) => void
    }

    interface PeerInfoEvents {
      topic: [topic: Buffer]
    }

    /** Not exported at runtime. */
    interface PeerInfo extends EventEmitter {
      readonly publicKey: Buffer
      relayAddresses: HyperDHT.Address[] | null
      reconnecting: boolean
      proven: boolean
      connectedTime: number
      disconnectedTime: number
      banned: boolean
      tried: boolean
      /** joined with joinPeer() */
      explicit: boolean
      waiting: boolean
      forceRelaying: boolean
      queued: boolean
      /** true when we initiated the current connection */
      client: boolean
      /** topics this peer was discovered on (not filled for incoming connections) */
      topics: Buffer[]
      attempts: number
      priority: number
      readonly server: boolean
      readonly prioritized: boolean

      reconnect(enabled: boolean): void
      /** ban(false) unbans; note that calling ban() without an argument also UNBANS */
      ban(banned: boolean): void
      shouldGC(): boolean

      on<K extends keyof PeerInfoEvents>(event: K, listener: (...args: PeerInfoEvents[K]) => void): this
      once<K extends keyof PeerInfoEvents>(event: K, listener: (...args: PeerInfoEvents[K]) => void): this
      off<K extends keyof PeerInfoEvents>(event: K, listener: (...args: PeerInfoEvents[K]) => void): this
      emit<K extends keyof PeerInfoEvents>(event: K, ...args: PeerInfoEvents[K]): boolean
    }

    /** Shared per-topic state behind all join() sessions of a topic (see swarm.status()). */
    interface PeerDiscovery {
      readonly swarm: Hyperswarm
      readonly topic: Buffer
      isClient: boolean
      isServer: boolean
      destroyed: boolean
      suspended: boolean
      limit: number
      refresh(): Promise<boolean | undefined>
      flushed(): Promise<boolean>
      destroy(): Promise<void>
    }

    /** Returned by join(). */
    interface PeerDiscoverySession {
      readonly discovery: PeerDiscovery
      readonly swarm: Hyperswarm
      readonly topic: Buffer
      isClient: boolean
      isServer: boolean
      destroyed: boolean
      /** Change client/server mode and re-run the announce/lookup. Throws if both are false. */
      refresh(opts?: { client?: boolean; server?: boolean; limit?: number }): Promise<boolean | undefined>
      /** Resolves when the first announce (server) / lookup (client) finished; false if it failed. */
      flushed(): Promise<boolean>
      /** Leaves the topic once no other session of it remains. */
      destroy(): Promise<void>
    }

    interface Stats {
      updates: number
      connects: {
        client: { opened: number; closed: number; attempted: number }
        server: { opened: number; closed: number }
      }
      bannedPeers: number
    }

    interface Events {
      connection: [connection: Connection, peerInfo: PeerInfo]
      update: []
      ban: [peerInfo: PeerInfo, err: Error]
    }
  }

  class Hyperswarm extends EventEmitter {
    constructor(opts?: Hyperswarm.Options)

    readonly keyPair: Hyperswarm.KeyPair
    readonly dht: HyperDHT
    readonly server: HyperDHT.Server
    destroyed: boolean
    suspended: boolean
    maxPeers: number
    maxClientConnections: number
    maxServerConnections: number
    maxParallel: number
    /** number of outgoing connection attempts in flight */
    connecting: number
    /** open connections (both directions) */
    readonly connections: Set<Hyperswarm.Connection>
    /** keyed by hex public key */
    readonly peers: Map<string, Hyperswarm.PeerInfo>
    readonly explicitPeers: Set<Hyperswarm.PeerInfo>
    /** set by listen() */
    listening: Promise<HyperDHT.Server> | null
    stats: Hyperswarm.Stats

    /** topic must be a 32-byte buffer */
    join(topic: Buffer, opts?: Hyperswarm.JoinOptions): Hyperswarm.PeerDiscoverySession
    leave(topic: Buffer): Promise<void>
    /** Keep (re)connecting to this public key directly, without a topic. */
    joinPeer(publicKey: Buffer): void
    leavePeer(publicKey: Buffer): void
    /** Per-topic discovery state, or null if not joined. */
    status(topic: Buffer): Hyperswarm.PeerDiscovery | null
    topics(): MapIterator<Hyperswarm.PeerDiscovery>
    /** Waits for pending announces/lookups and the resulting connection attempts; false if destroyed meanwhile. */
    flush(): Promise<boolean>
    /** Start the server explicitly (join with server: true does this). */
    listen(): Promise<HyperDHT.Server>
    /** leaves all topics */
    clear(): Promise<PromiseSettledResult<void>[]>
    /** Also destroys the DHT, even one passed in via opts.dht. force skips unannouncing. */
    destroy(opts?: { force?: boolean }): Promise<void>
    suspend(opts?: { log?: (...args: unknown[]) => void }): Promise<void>
    resume(opts?: { log?: (...args: unknown[]) => void }): Promise<void>

    on<K extends keyof Hyperswarm.Events>(event: K, listener: (...args: Hyperswarm.Events[K]) => void): this
    once<K extends keyof Hyperswarm.Events>(event: K, listener: (...args: Hyperswarm.Events[K]) => void): this
    off<K extends keyof Hyperswarm.Events>(event: K, listener: (...args: Hyperswarm.Events[K]) => void): this
    removeListener<K extends keyof Hyperswarm.Events>(
      event: K,
      listener: (...args: Hyperswarm.Events[K]) => void
    ): this
    emit<K extends keyof Hyperswarm.Events>(event: K, ...args: Hyperswarm.Events[K]): boolean
  }

  export = Hyperswarm
}
