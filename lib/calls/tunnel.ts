import b4a from 'b4a'
import type UDX from 'udx-native'

const STUN_MAGIC = 0x2112a442
/** Binding requests remembered so their responses find the socket that asked. */
const MAX_TRANSACTIONS = 64

type Address = { host: string; port: number }

/** ICE type preference 0 (like a relay): host candidates that work are preferred over the tunnel. */
const TUNNEL_PRIORITY = (0 << 24) | (65535 << 8) | 255
export const TUNNEL_HOST = '127.0.0.1'

/**
 * One call's media tunnel to one peer: a UDP socket on 127.0.0.1 that the local WebRTC is given
 * as the peer's candidate. Whatever WebRTC sends to it goes to the peer's worker over the
 * Hyperswarm connection; whatever arrives from there goes to a local WebRTC socket learned from
 * what it sent us (ICE always sends a binding request before it expects anything back):
 * a STUN response to the socket whose request it answers (WebRTC may check the tunnel from several
 * local sockets at once), anything else to the socket that last sent media, or else the last
 * one that sent anything. Media stays DTLS-SRTP end to end; the tunnel only moves datagrams.
 */
export class CallTunnel {
  readonly port: number
  /** datagrams from local WebRTC sent to the peer, from the peer handed to local WebRTC, dropped */
  readonly stats = { out: 0, in: 0, dropped: 0 }
  private readonly _socket: UDX.Socket
  private _local: Address | null = null
  private _media: Address | null = null
  private readonly _asked = new Map<string, Address>()

  constructor(socket: UDX.Socket, forward: (data: Buffer) => void) {
    this._socket = socket
    // Bound to loopback: only processes on this machine can reach it.
    socket.bind(0, TUNNEL_HOST)
    const address = socket.address()
    if (address === null) throw new Error('tunnel socket did not bind')
    this.port = address.port
    socket.on('message', (data, from) => {
      const address = { host: from.host, port: from.port }
      this._local = address
      const stun = stunTransaction(data)
      if (stun === null) this._media = address
      else if (stun.request) this._remember(stun.id, address)
      this.stats.out++
      forward(data)
    })
  }

  /** The remote ICE candidate a renderer adds for this peer (component 1: media is bundled, rtcp-mux). */
  candidate(foundation = 'peerline'): string {
    return `candidate:${foundation} 1 udp ${TUNNEL_PRIORITY} ${TUNNEL_HOST} ${this.port} typ host generation 0`
  }

  /** A datagram from the peer: to local WebRTC, once we know its port. */
  deliver(data: Buffer): void {
    const stun = stunTransaction(data)
    const to = (stun !== null && !stun.request ? this._asked.get(stun.id) : undefined) ?? this._media ?? this._local
    if (!to) {
      this.stats.dropped++
      return
    }
    this.stats.in++
    this._socket.trySend(data, to.port, to.host)
  }

  private _remember(id: string, address: Address): void {
    this._asked.set(id, address)
    if (this._asked.size > MAX_TRANSACTIONS) this._asked.delete(this._asked.keys().next().value as string)
  }

  async close(): Promise<void> {
    await this._socket.close()
  }
}

/**
 * A STUN message's transaction id (hex) and whether it is a request (RFC 5389: two zero bits, the
 * class in the type, the magic cookie at byte 4); null for anything else (DTLS, SRTP, RTCP).
 */
export function stunTransaction(data: Buffer): { id: string; request: boolean } | null {
  if (data.byteLength < 20 || (data[0] & 0xc0) !== 0) return null
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  if (view.getUint32(4) !== STUN_MAGIC) return null
  const request = (view.getUint16(0) & 0x0110) === 0 // class bits C1 C0 = 00
  return { id: b4a.toString(data, 'hex', 8, 20), request }
}
