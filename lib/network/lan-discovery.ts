import UDX from 'udx-native'
import crypto from 'hypercore-crypto'
import c from 'compact-encoding'
import b4a from 'b4a'
import { FrameRate } from './frame-rate'
import { decodeRecord } from '../wire/struct'
import { LAN_BEACON_DOMAIN, MAX_LAN_BEACON_BYTES, lanBeacon, lanBeaconBody } from '../wire/beacon'
import type { LanBeaconBody } from '../wire/beacon'
import { extension as nextVersionFields } from '../wire/version'
import type { Log } from '../log'
import { Resource } from '../resource'

/** Organisation-local multicast group and port of Peerline beacons (next to HyperDHT's 49737). */
export const LAN_GROUP = '239.255.49.37'
export const LAN_PORT = 49736

/** A beacon every second while starting (fast discovery), then every 5 s. */
const FAST_INTERVAL = 1000
const FAST_BEACONS = 10
const SLOW_INTERVAL = 5000
/** A sender unheard for this long is gone (four missed slow beacons). */
const PEER_TTL = 21_000
/** Clocks on a LAN cut off from the internet drift; a beacon older or newer than this is refused. */
const MAX_CLOCK_SKEW = 10 * 60_000
const MAX_SENDERS = 256
const PER_SENDER_PER_SECOND = 4
const TOTAL_PER_SECOND = 100
/** At most one extra beacon this often, sent when someone new shows up so they learn of us at once. */
const ANSWER_GAP = 250

export interface LanPeer {
  /** The sender's throwaway beacon key, hex. */
  id: string
  host: string
  port: number
  seen: number
}

export interface LanDiscoveryOptions {
  /** Our DHT node's port, read at every beacon. */
  dhtPort: () => number
  log: Log
  group?: string
  port?: number
  /** false: listen only, send nothing (tests on a host whose network is not ours to use). */
  send?: boolean
}

interface Sender {
  socket: UDX.Socket
  host: string
}

export interface LanDiscoveryEvents {
  peer: [LanPeer]
  gone: [LanPeer]
  /** how many peers are heard now */
  change: [number]
}

/**
 * Finds other Peerline instances on the LAN: sends a small signed beacon with our DHT node's
 * address by multicast on every non-loopback IPv4 interface and listens for theirs. Emits 'peer'
 * (a new sender or a new address), 'gone' (a sender unheard for 21 s) and 'change' (the number
 * of live peers changed).
 *
 * The key is made fresh per run, so beacons reveal no identity, number or name; the signature
 * only proves a beacon was not altered and lets us rate-limit and expire per sender.
 */
export class LanDiscovery extends Resource<LanDiscoveryEvents> {
  private readonly _o: LanDiscoveryOptions
  private readonly _udx = new UDX()
  private readonly _keyPair = crypto.keyPair()
  private readonly _group: string
  private readonly _port: number
  private _recv: UDX.Socket | null = null
  private readonly _senders = new Map<string, Sender>()
  private readonly _peers = new Map<string, LanPeer & { time: number }>()
  private readonly _rates = new Map<string, FrameRate>()
  private readonly _total = new FrameRate(TOTAL_PER_SECOND)
  private _timer: ReturnType<typeof setTimeout> | null = null
  private _sent = 0
  private _lastAnswer = 0

  constructor(opts: LanDiscoveryOptions) {
    super()
    this._o = opts
    this._group = opts.group ?? LAN_GROUP
    this._port = opts.port ?? LAN_PORT
  }

  /** Is this peer (id, address) still the live one? */
  has(peer: LanPeer): boolean {
    const p = this._peers.get(peer.id)
    return p !== undefined && p.host === peer.host && p.port === peer.port
  }

  /** Live peers (heard within the last 21 s). */
  peers(): LanPeer[] {
    return [...this._peers.values()].map(({ id, host, port, seen }) => ({ id, host, port, seen }))
  }

  protected async _open(): Promise<void> {
    const recv = this._udx.createSocket({ reuseAddress: true })
    try {
      recv.bind(this._port, '0.0.0.0')
      recv.on('message', (buf, from) => this._onmessage(buf, from.host))
      this._recv = recv
    } catch (err) {
      // Another program holds the port without SO_REUSEADDR: we still send, others still find us.
      this._o.log(`lan: cannot listen on ${this._port}: ${(err as Error).message}`)
      await recv.close()
    }
    this._tick()
  }

  protected async _close(): Promise<void> {
    if (this._timer) clearTimeout(this._timer)
    const closing = [...this._senders.values()].map((s) => s.socket.close())
    if (this._recv) closing.push(this._recv.close())
    this._senders.clear()
    await Promise.allSettled(closing)
  }

  private _tick(): void {
    if (this.closing) return
    if (this._o.send !== false) this._syncInterfaces()
    this._beacon()
    this._expire()
    this._timer = setTimeout(() => this._tick(), ++this._sent < FAST_BEACONS ? FAST_INTERVAL : SLOW_INTERVAL)
  }

  /** One sender socket per interface address, bound to it: with no multicast route (no default
   * route, as on a LAN with the internet gone) Linux sends multicast out of the interface that
   * owns the bound source address. The listener joins the group on every interface. */
  private _syncInterfaces(): void {
    const now = new Set(
      this._udx
        .networkInterfaces()
        .filter((i) => i.family === 4 && !i.internal)
        .map((i) => i.host)
    )
    for (const [host, sender] of this._senders) {
      if (now.has(host)) continue
      this._senders.delete(host)
      try {
        this._recv?.dropMembership(this._group, host)
      } catch {}
      sender.socket.close().catch(() => {})
    }
    for (const host of now) {
      if (this._senders.has(host)) continue
      const socket = this._udx.createSocket()
      try {
        socket.bind(0, host)
        this._recv?.addMembership(this._group, host)
        this._senders.set(host, { socket, host })
      } catch (err) {
        this._o.log(`lan: interface ${host}: ${(err as Error).message}`)
        socket.close().catch(() => {})
      }
    }
  }

  private _beacon(): void {
    const port = this._o.dhtPort()
    if (!port) return
    for (const { socket, host } of this._senders.values()) {
      const body: LanBeaconBody = { key: this._keyPair.publicKey, host, port, time: Date.now() }
      const extension = nextVersionFields() ?? EMPTY
      const signature = crypto.sign(signable(body, extension), this._keyPair.secretKey)
      socket.trySend(c.encode(lanBeacon, { ...body, signature, extension }), this._port, this._group)
    }
  }

  private _onmessage(buf: Buffer, from: string): void {
    // Anything on the LAN can send here: drop floods before doing any work.
    if (!this._total.take()) return
    let rate = this._rates.get(from)
    if (!rate) {
      if (this._rates.size >= MAX_SENDERS) return
      rate = new FrameRate(PER_SENDER_PER_SECOND)
      this._rates.set(from, rate)
    }
    if (!rate.take()) return
    const reason = this._accept(buf, from)
    if (reason) this._o.log(`lan: beacon from ${from} ignored: ${reason}`)
  }

  /** Returns why a beacon was refused, or null when it was taken. */
  private _accept(buf: Buffer, from: string): string | null {
    let beacon
    try {
      beacon = decodeRecord(lanBeacon, buf, MAX_LAN_BEACON_BYTES)
    } catch (err) {
      return 'does not decode: ' + (err as Error).message
    }
    const id = b4a.toString(beacon.key, 'hex')
    if (b4a.equals(beacon.key, this._keyPair.publicKey)) return null // our own, looped back
    // A beacon may only point at its own sender, so nobody can aim our DHT at a third host.
    if (beacon.host !== from) return `claims ${beacon.host}`
    if (Math.abs(Date.now() - beacon.time) > MAX_CLOCK_SKEW) return 'clock too far off'
    const body: LanBeaconBody = { key: beacon.key, host: beacon.host, port: beacon.port, time: beacon.time }
    if (!crypto.verify(signable(body, beacon.extension), beacon.signature, beacon.key)) return 'bad signature'
    const known = this._peers.get(id)
    if (known && beacon.time <= known.time) return 'replayed'
    // One peer per address: a host that restarts (or rotates keys) replaces its earlier entry, so
    // one machine can never become many DHT nodes of ours.
    for (const [other, peer] of this._peers) {
      if (other === id || peer.host !== beacon.host) continue
      this._peers.delete(other)
      if (peer.port !== beacon.port) this.emit('gone', peer)
    }
    if (!known && this._peers.size >= MAX_SENDERS) return 'too many senders'
    const moved = !known || known.host !== beacon.host || known.port !== beacon.port
    this._peers.set(id, { id, host: beacon.host, port: beacon.port, seen: Date.now(), time: beacon.time })
    if (moved) {
      this.emit('peer', { id, host: beacon.host, port: beacon.port, seen: Date.now() })
      if (!known) this.emit('change', this._peers.size)
      // Tell a newcomer about us now rather than at our next tick.
      if (Date.now() - this._lastAnswer > ANSWER_GAP) {
        this._lastAnswer = Date.now()
        this._beacon()
      }
    }
    return null
  }

  private _expire(): void {
    const now = Date.now()
    let gone = false
    for (const [id, peer] of this._peers) {
      if (now - peer.seen < PEER_TTL) continue
      this._peers.delete(id)
      this.emit('gone', peer)
      gone = true
    }
    // Rate buckets refill in a second; old ones only hold memory.
    if (this._rates.size > MAX_SENDERS / 2) this._rates.clear()
    if (gone) this.emit('change', this._peers.size)
  }
}

const EMPTY = b4a.alloc(0)

/** The body and the fields of newer versions after the signature, which it covers too. */
function signable(body: LanBeaconBody, extension: Buffer): Buffer {
  return b4a.concat([b4a.from(LAN_BEACON_DOMAIN + '\n'), c.encode(lanBeaconBody, body), extension])
}
