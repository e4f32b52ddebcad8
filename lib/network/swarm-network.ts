import HyperDHT from 'hyperdht'
import Hyperswarm from 'hyperswarm'
import type NoiseSecretStream from '@hyperswarm/secret-stream'
import ReadyResource from 'ready-resource'
import b4a from 'b4a'
import UDX from 'udx-native'
import type { NetworkState, NetworkStatus } from '../contract'
import type { KeyPair } from '../identity/identity'
import type { Log } from '../log'
import { LanDiscovery } from './lan-discovery'
import type { LanPeer } from './lan-discovery'
import { PublicReach } from './public-reach'
import { LanDHT, addBootstrap, lanAddress, removeBootstrap } from './lan-dht'

export interface PeerAddress {
  host: string
  port: number
}

export interface SwarmNetworkOptions {
  keyPair: KeyPair
  /** DHT bootstrap nodes; undefined means the public HyperDHT. */
  bootstrap?: PeerAddress[]
  /** Address to bind the DHT socket to. */
  host?: string
  /** Return true to refuse a peer before any connection is made. */
  firewall: (remotePublicKey: Buffer) => boolean
  log: Log
  /**
   * Find other instances on the LAN and form a DHT with them (default: on, except when `host` is
   * a loopback address, where tests run private testnets).
   */
  lan?: boolean
}

/** A LAN node that does not answer a ping is asked again this often, this many times. */
const LAN_PING_RETRY = 2000
const LAN_PING_TRIES = 5
/** LAN nodes in our bootstrap list at most (a LAN of laptops is small; a flood is not). */
const MAX_LAN_BOOTSTRAP = 16
/** Re-announce this long after the last LAN peer showed up (several often come at once). */
const REFRESH_DELAY = 100
/** Status notifications are coalesced over this long (node counts move in bursts). */
const STATUS_DELAY = 200

/** The Hyperswarm + HyperDHT pair: announce, look up, dial by key, and hand over connections. */
export class SwarmNetwork extends ReadyResource {
  readonly swarm: Hyperswarm
  readonly dht: HyperDHT
  readonly lan: LanDiscovery | null
  private readonly _log: Log
  /** The public (or configured) bootstrap nodes, as IPs (no DNS: it hangs with no internet). */
  private readonly _public: HyperDHT.Address[]
  private readonly _reach: PublicReach | null
  /** Our LAN DHT node (LAN mode only): switched between LAN server and internet client. */
  private readonly _lanDht: LanDHT | null
  /** Topics we joined, so they can all be announced again when the reachable DHT changes. */
  private readonly _topics = new Map<string, Buffer>()
  /** Keys we keep connections to (dial), to retry at once when the DHT we can reach changes. */
  private readonly _dialed = new Map<string, Buffer>()
  private _refreshTimer: ReturnType<typeof setTimeout> | null = null
  /** Pending refreshRoom() per topic (hex). */
  private readonly _roomRefresh = new Map<string, ReturnType<typeof setTimeout>>()
  private _statusTimer: ReturnType<typeof setTimeout> | null = null
  private _lastStatus = ''
  onconnection: (conn: NoiseSecretStream) => void = () => {}
  onstatus: (status: NetworkStatus) => void = () => {}

  constructor(opts: SwarmNetworkOptions) {
    super()
    const { keyPair, bootstrap, host, firewall, log } = opts
    this._log = log
    const lan = opts.lan ?? !(host && isLoopback(host))
    this._public = bootstrapAddresses(bootstrap ?? HyperDHT.BOOTSTRAP)
    if (lan) {
      // A persistent, unfirewalled node: on a flat LAN everyone reaches everyone, and a persistent
      // node stores announcements for the others, so five laptops form a working DHT with no
      // internet.
      this._lanDht = new LanDHT({ keyPair, lanHost: lanAddress(new UDX(), host), ...(host ? { host } : {}) })
      this.dht = this._lanDht
      this.lan = new LanDiscovery({ dhtPort: () => this.dht.address()?.port ?? 0, log })
      this.lan.on('peer', (peer: LanPeer) => this._onlanpeer(peer))
      this.lan.on('gone', (peer: LanPeer) => this._onlangone(peer))
      this.lan.on('change', () => this._statusChanged())
      this._reach = new PublicReach(this.dht, this._public)
      this._reach.on('change', (ok: boolean) => this._onreach(ok))
    } else {
      this.dht = new HyperDHT({
        keyPair,
        ...(bootstrap ? { bootstrap } : {}),
        ...(host ? { host } : {}),
        // Nothing on loopback is behind a NAT. Left "firewalled", two processes on one host
        // hole-punch into half-open connections that never carry data.
        ...(host && isLoopback(host) ? { firewalled: false } : {})
      })
      this.lan = null
      this._reach = null
      this._lanDht = null
    }
    this.swarm = new Hyperswarm({ keyPair, dht: this.dht, firewall: (key: Buffer) => firewall(key) })
    this.swarm.on('connection', (conn: NoiseSecretStream) => {
      // Every connection error is expected at some point (peer gone, timeout): log, never throw.
      this._log(`connected to ${short(conn.remotePublicKey)} (${conn.isInitiator ? 'out' : 'in'})`)
      conn.on('error', (err: Error) => this._log(`connection ${short(conn.remotePublicKey)}: ${err.message}`))
      conn.once('close', () => this._statusChanged())
      this._statusChanged()
      this.onconnection(conn)
    })
    this.dht.on('add-node', () => this._statusChanged())
    this.dht.on('remove-node', () => this._statusChanged())
  }

  protected override async _open(): Promise<void> {
    // Announcing before the bootstrap query finishes leaves a record that peers connect to and
    // the server never accepts (seen across processes on loopback), so wait for it.
    await this.dht.fullyBootstrapped()
    if (this.lan === null || this._reach === null) return
    await this.lan.ready()
    // The public DHT is only queried once it answers: an unreachable bootstrap node in every
    // query makes each one wait for its timeouts (12-24 s measured), so LAN-only would crawl.
    // The first probe runs in the background: start-up never waits for the internet, and when
    // the public DHT answers (now or later) we join it and announce everything again.
    this._reach.start().catch((err: Error) => this._log('public DHT probe: ' + err.message))
    this._log(`network: LAN discovery on, DHT port ${this.dht.address()?.port}`)
  }

  protected override async _close(): Promise<void> {
    if (this._refreshTimer) clearTimeout(this._refreshTimer)
    for (const timer of this._roomRefresh.values()) clearTimeout(timer)
    if (this._statusTimer) clearTimeout(this._statusTimer)
    if (this._reach) this._reach.stop()
    if (this.lan) await this.lan.close()
    await this.swarm.destroy()
    await this.dht.destroy()
  }

  status(): NetworkStatus {
    const lanPeers = this.lan ? this.lan.peers().length : 0
    const dhtNodes = this.dht.destroyed ? 0 : this.dht.toArray().length
    const online = this._reach ? this._reach.reachable : dhtNodes > 0
    const state: NetworkState = online ? 'online' : lanPeers > 0 ? 'lan-only' : 'offline'
    return { state, dhtNodes, lanPeers, peers: this.swarm.connections.size }
  }

  private _statusChanged(): void {
    if (this._statusTimer || this.closing) return
    this._statusTimer = setTimeout(() => {
      this._statusTimer = null
      if (this.closing) return
      const status = this.status()
      const text = JSON.stringify(status)
      if (text === this._lastStatus) return
      this._lastStatus = text
      this.onstatus(status)
    }, STATUS_DELAY)
  }

  private _onlanpeer(peer: LanPeer, tries = 0): void {
    // A beacon is only a claim: the node must answer a DHT ping before we route through it.
    this.dht.ping({ host: peer.host, port: peer.port }).then(
      () => {
        if (this.closing || !this.lan?.has(peer)) return
        this._log(`lan: DHT node ${peer.host}:${peer.port}`)
        this.dht.addNode({ host: peer.host, port: peer.port })
        // Queries on a small table start from the bootstrap list, so LAN nodes belong in it.
        if (this.dht.bootstrapNodes.length < MAX_LAN_BOOTSTRAP + this._public.length + 1) this._bootstrapAdd(peer)
        this._refreshSoon()
      },
      () => {
        if (this.closing || !this.lan?.has(peer)) return
        // It may still be starting: ask again while it keeps sending beacons.
        if (tries < LAN_PING_TRIES) return void setTimeout(() => this._onlanpeer(peer, tries + 1), LAN_PING_RETRY).unref()
        this._log(`lan: ${peer.host}:${peer.port} sends beacons but its DHT node does not answer; not used`)
      }
    )
  }

  private _onlangone(peer: LanPeer): void {
    this._bootstrapRemove(peer)
    // The records that node held are gone with it (a partition, a laptop closed): announce and
    // look up again on the nodes still here, so the peers left on this side find each other.
    this._refreshSoon()
  }

  private _bootstrapAdd(node: PeerAddress): void {
    addBootstrap(this.dht, node)
  }

  private _bootstrapRemove(node: PeerAddress): void {
    removeBootstrap(this.dht, node)
  }

  private _onreach(ok: boolean): void {
    this._log(`network: public DHT ${ok ? 'reachable' : 'out of reach'}`)
    // A LAN server alone, an internet client online (see LanDHT.setInternet).
    this._lanDht?.setInternet(ok)
    if (ok) {
      this._joinPublic().catch((err: Error) => this._log('join public DHT: ' + err.message))
    } else {
      for (const p of this._public) this._bootstrapRemove(p)
    }
    this._statusChanged()
  }

  /** Adds the public bootstrap nodes, fills the routing table from them, and announces again. */
  private async _joinPublic(): Promise<void> {
    for (const p of this._public) this._bootstrapAdd(p)
    await this.dht.findNode(this.dht.defaultKeyPair.publicKey).finished().catch(() => {})
    this._refreshSoon()
  }

  /** Announce and look up every topic again (and our own key), on whatever DHT is reachable now. */
  private _refreshSoon(): void {
    if (this._refreshTimer || this.closing) return
    this._refreshTimer = setTimeout(() => {
      this._refreshTimer = null
      if (this.closing || this.swarm.destroyed) return
      for (const topic of this._topics.values()) {
        const discovery = this.swarm.status(topic)
        if (discovery) discovery.refresh().catch((err: Error) => this._log('refresh: ' + err.message))
      }
      if (this.swarm.server.listening) this.swarm.server.refresh()
      this._redial()
    }, REFRESH_DELAY)
  }

  /**
   * Hyperswarm gives up on a dialed key after 5 failed attempts (and spaces them out before
   * that). Contacts dialed at start-up, before any LAN peer was known, would then stay offline
   * for minutes: start them afresh.
   */
  private _redial(): void {
    for (const [hex, key] of this._dialed) {
      if (this._connectedTo(hex)) continue
      const info = this.swarm.peers.get(hex)
      if (info) info.attempts = 0
      this.swarm.joinPeer(key)
    }
  }

  /** Be findable on `topic`. Resolves once the announce reached the DHT. */
  async announce(topic: Buffer): Promise<void> {
    this._topics.set(b4a.toString(topic, 'hex'), topic)
    await this.swarm.join(topic, { server: true, client: false }).flushed()
  }

  /** Look `topic` up and connect to whoever announces it; call the returned function to stop. */
  lookup(topic: Buffer): { flushed: Promise<boolean>; refresh: () => void; stop: () => Promise<void> } {
    const discovery = this.swarm.join(topic, { server: false, client: true })
    this._topics.set(b4a.toString(topic, 'hex'), topic)
    const flushed = discovery.flushed().then(() => this.swarm.flush())
    return {
      flushed,
      refresh: () => {
        discovery.refresh({ server: false, client: true }).catch((err: Error) => this._log('lookup refresh: ' + err.message))
      },
      stop: async () => {
        // Leave only the client side: our own announce may use the same topic in tests.
        await discovery.destroy()
      }
    }
  }

  /** Meet everyone else on `topic`: both sides announce and look up, again on every DHT change. */
  meet(topic: Buffer): void {
    this._topics.set(b4a.toString(topic, 'hex'), topic)
    this.swarm.join(topic, { server: true, client: true })
  }

  /** Meet the other members of a room on its discovery key. */
  joinRoom(discoveryKey: Buffer): void {
    this.meet(discoveryKey)
  }

  /**
   * Look the room's topic up (and announce) again now. Hyperswarm does that by itself only every
   * ~10 min, so a member who joined after our last lookup stays unknown to us, and dialing them
   * by key alone often fails on a LAN DHT (the handshake relays of their key are not reachable
   * from every node; the topic record carries their own address as relay, which works). Called
   * when a room gains members; several updates in a burst make one refresh.
   */
  refreshRoom(discoveryKey: Buffer): void {
    const hex = b4a.toString(discoveryKey, 'hex')
    if (!this._topics.has(hex) || this._roomRefresh.has(hex) || this.closing) return
    this._roomRefresh.set(
      hex,
      setTimeout(() => {
        this._roomRefresh.delete(hex)
        if (this.closing || this.swarm.destroyed) return
        const discovery = this.swarm.status(discoveryKey)
        if (discovery) discovery.refresh().catch((err: Error) => this._log('room refresh: ' + err.message))
      }, REFRESH_DELAY)
    )
  }

  leaveRoom(discoveryKey: Buffer): void {
    this._topics.delete(b4a.toString(discoveryKey, 'hex'))
    this.swarm.leave(discoveryKey).catch((err: Error) => this._log('leave room topic: ' + err.message))
  }

  /**
   * Keep a connection to this key (reconnecting with backoff) without any topic lookup. Dialing
   * again a key we are not connected to starts afresh: Hyperswarm stops after 5 failed attempts.
   */
  dial(publicKey: Buffer): void {
    const hex = b4a.toString(publicKey, 'hex')
    this._dialed.set(hex, publicKey)
    this.unban(publicKey)
    const info = this.swarm.peers.get(hex)
    if (info && info.attempts >= 5 && !this._connectedTo(hex)) info.attempts = 0
    this.swarm.joinPeer(publicKey)
  }

  private _connectedTo(hex: string): boolean {
    for (const c of this.swarm.connections) if (short(c.remotePublicKey, 64) === hex) return true
    return false
  }

  /** Forget an earlier firewall refusal of this key, so it can connect again. */
  unban(publicKey: Buffer): void {
    const info = this.swarm.peers.get(b4a.toString(publicKey, 'hex'))
    if (info && info.banned) info.ban(false)
  }
}

export function isLoopback(host: string): boolean {
  return /^127\./.test(host) || host === '::1' || host === 'localhost'
}

export function short(key: Buffer | null | undefined, length = 8): string {
  return key ? b4a.toString(key, 'hex').slice(0, length) : '?'
}

/** Bootstrap entries as addresses; 'ip@name:port' keeps the ip, so no DNS lookup is needed. */
export function bootstrapAddresses(nodes: Array<string | PeerAddress>): PeerAddress[] {
  return nodes.map((n) => {
    if (typeof n !== 'string') return n
    const i = n.lastIndexOf(':')
    return { host: n.slice(0, i).split('@')[0], port: Number(n.slice(i + 1)) }
  })
}

/** Parses `host:port[,host:port]`. */
export function parseBootstrap(input: string): PeerAddress[] {
  return input
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const i = s.lastIndexOf(':')
      const port = Number(s.slice(i + 1))
      if (i <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
        throw new Error(`bootstrap "${s}" is not host:port`)
      }
      return { host: s.slice(0, i), port }
    })
}
