import type UDX from 'udx-native'

/** ICE type preference 0 (like a relay): host candidates that work are preferred over the tunnel. */
const TUNNEL_PRIORITY = (0 << 24) | (65535 << 8) | 255
export const TUNNEL_HOST = '127.0.0.1'

/**
 * One call's media tunnel to one peer: a UDP socket on 127.0.0.1 that the local WebRTC is given
 * as the peer's candidate. Whatever WebRTC sends to it goes to the peer's worker over the
 * Hyperswarm connection; whatever arrives from there is sent to the local WebRTC port that last
 * sent to us (learned from its first datagram: ICE always sends a binding request before it
 * expects anything back). Media stays DTLS-SRTP end to end; the tunnel only moves datagrams.
 */
export class CallTunnel {
  readonly port: number
  /** datagrams from local WebRTC sent to the peer, from the peer handed to local WebRTC, dropped */
  readonly stats = { out: 0, in: 0, dropped: 0 }
  private readonly _socket: UDX.Socket
  private _local: { host: string; port: number } | null = null

  constructor(socket: UDX.Socket, forward: (data: Buffer) => void) {
    this._socket = socket
    // Bound to loopback: only processes on this machine can reach it.
    socket.bind(0, TUNNEL_HOST)
    const address = socket.address()
    if (address === null) throw new Error('tunnel socket did not bind')
    this.port = address.port
    socket.on('message', (data, from) => {
      this._local = { host: from.host, port: from.port }
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
    if (this._local === null) {
      this.stats.dropped++
      return
    }
    this.stats.in++
    this._socket.trySend(data, this._local.port, this._local.host)
  }

  async close(): Promise<void> {
    await this._socket.close()
  }
}
