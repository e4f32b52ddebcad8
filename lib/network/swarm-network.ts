import HyperDHT from 'hyperdht'
import Hyperswarm from 'hyperswarm'
import type NoiseSecretStream from '@hyperswarm/secret-stream'
import ReadyResource from 'ready-resource'
import b4a from 'b4a'
import type { KeyPair } from '../identity/identity'
import type { Log } from '../log'

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
}

/** The Hyperswarm + HyperDHT pair: announce, look up, dial by key, and hand over connections. */
export class SwarmNetwork extends ReadyResource {
  readonly swarm: Hyperswarm
  readonly dht: HyperDHT
  private readonly _log: Log
  onconnection: (conn: NoiseSecretStream) => void = () => {}

  constructor(opts: SwarmNetworkOptions) {
    super()
    const { keyPair, bootstrap, host, firewall, log } = opts
    this._log = log
    this.dht = new HyperDHT({
      keyPair,
      ...(bootstrap ? { bootstrap } : {}),
      ...(host ? { host } : {}),
      // Nothing on loopback is behind a NAT. Left "firewalled", two processes on one host
      // hole-punch into half-open connections that never carry data.
      ...(host && isLoopback(host) ? { firewalled: false } : {})
    })
    this.swarm = new Hyperswarm({ keyPair, dht: this.dht, firewall: (key: Buffer) => firewall(key) })
    this.swarm.on('connection', (conn: NoiseSecretStream) => {
      // Every connection error is expected at some point (peer gone, timeout): log, never throw.
      this._log(`connected to ${short(conn.remotePublicKey)} (${conn.isInitiator ? 'out' : 'in'})`)
      conn.on('error', (err: Error) => this._log(`connection ${short(conn.remotePublicKey)}: ${err.message}`))
      this.onconnection(conn)
    })
  }

  protected override async _open(): Promise<void> {
    // Announcing before the bootstrap query finishes leaves a record that peers connect to and
    // the server never accepts (seen across processes on loopback), so wait for it.
    await this.dht.fullyBootstrapped()
  }

  protected override async _close(): Promise<void> {
    await this.swarm.destroy()
    await this.dht.destroy()
  }

  /** Be findable on `topic`. Resolves once the announce reached the DHT. */
  async announce(topic: Buffer): Promise<void> {
    await this.swarm.join(topic, { server: true, client: false }).flushed()
  }

  /** Look `topic` up and connect to whoever announces it; call the returned function to stop. */
  lookup(topic: Buffer): { flushed: Promise<boolean>; refresh: () => void; stop: () => Promise<void> } {
    const discovery = this.swarm.join(topic, { server: false, client: true })
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

  /** Meet the other members of a room on its discovery key (both sides announce and look up). */
  joinRoom(discoveryKey: Buffer): void {
    this.swarm.join(discoveryKey, { server: true, client: true })
  }

  leaveRoom(discoveryKey: Buffer): void {
    this.swarm.leave(discoveryKey).catch((err: Error) => this._log('leave room topic: ' + err.message))
  }

  /** Keep a connection to this key (reconnecting with backoff) without any topic lookup. */
  dial(publicKey: Buffer): void {
    this.unban(publicKey)
    this.swarm.joinPeer(publicKey)
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

export function short(key: Buffer | null | undefined): string {
  return key ? b4a.toString(key, 'hex').slice(0, 8) : '?'
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
