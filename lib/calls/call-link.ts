import b4a from 'b4a'
import type Protomux from 'protomux'
import type NoiseSecretStream from '@hyperswarm/secret-stream'
import type { Log } from '../log'
import { GuardedChannel } from '../network/guarded-channel'
import { CALL_CHANNEL, CALL_MEDIA_CHANNEL, MAX_FRAME_BYTES } from '../wire/messages'
import type { CallChat, CallDecline, CallElsewhere, CallParticipants, CallRef, CallRing, CallSignal, DeclineReason } from '../wire/messages'

const SIGNALS_PER_SECOND = 200
/** Video at a few Mbit/s is a few hundred packets a second per direction; leave room for bursts. */
const DATAGRAMS_PER_SECOND = 5000
const MAX_DATAGRAM_BYTES = 4096
/** First byte of a tunnelled datagram sent with secret-stream's send, then 8 bytes of the call id. */
const DATAGRAM_TAG = 0xca
export const DATAGRAM_HEADER = 9

export interface CallLinkHandlers {
  ring(link: CallLink, m: CallRing): void | Promise<void>
  accept(link: CallLink, m: CallRef): void
  decline(link: CallLink, m: CallDecline): void
  hangup(link: CallLink, m: CallRef): void
  participants(link: CallLink, m: CallParticipants): void
  join(link: CallLink, m: CallRef): void | Promise<void>
  signal(link: CallLink, m: CallSignal): void
  chat(link: CallLink, m: CallChat): void
  elsewhere(link: CallLink, m: CallElsewhere): void
  /** `tag` is the first 8 bytes of the call id (datagrams) */
  datagram(link: CallLink, tag: string, data: Buffer): void
  close(link: CallLink): void
}

/**
 * The call channels on one authenticated connection: signalling on `peerline/call/1`, and tunnelled
 * media as secret-stream datagrams (encrypted, unordered, over UDX) or, when the stream is not UDX
 * or `useChannel` is set, as messages on `peerline/call-media/1`. `id` is the person; `device` the
 * connection's own key (a linked device's; a person's own device: the person's key).
 */
export class CallLink {
  readonly id: string
  readonly publicKey: Buffer
  readonly device: Buffer
  readonly deviceId: string
  opened = false
  private readonly _conn: NoiseSecretStream
  private readonly _signal: GuardedChannel<null, typeof CALL_CHANNEL.messages>
  private readonly _media: GuardedChannel<null, typeof CALL_MEDIA_CHANNEL.messages>
  private readonly _useChannel: boolean
  private readonly _onmessage: (data: Buffer) => void

  constructor(publicKey: Buffer, mux: Protomux, conn: NoiseSecretStream, log: Log, h: CallLinkHandlers, useChannel = false) {
    this.publicKey = publicKey
    this.id = b4a.toString(publicKey, 'hex')
    this.device = conn.remotePublicKey ?? publicKey
    this.deviceId = b4a.toString(this.device, 'hex')
    this._conn = conn
    this._useChannel = useChannel || typeof conn.rawStream?.trySend !== 'function'
    let closed = false
    const onclose = (): void => {
      if (closed) return
      closed = true
      this.opened = false
      conn.off('message', this._onmessage)
      h.close(this)
    }
    this._signal = new GuardedChannel(mux, {
      spec: CALL_CHANNEL,
      handlers: {
        ring: (m) => h.ring(this, m),
        accept: (m) => h.accept(this, m),
        decline: (m) => h.decline(this, m),
        hangup: (m) => h.hangup(this, m),
        participants: (m) => h.participants(this, m),
        join: (m) => h.join(this, m),
        signal: (m) => h.signal(this, m),
        chat: (m) => h.chat(this, m),
        elsewhere: (m) => h.elsewhere(this, m)
      },
      log,
      maxFrameBytes: MAX_FRAME_BYTES,
      maxPerSecond: SIGNALS_PER_SECOND,
      onopen: () => {
        this.opened = true
      },
      onclose
    })
    this._media = new GuardedChannel(mux, {
      spec: CALL_MEDIA_CHANNEL,
      handlers: { datagram: (m) => h.datagram(this, tagOf(m.call), m.data) },
      log,
      maxFrameBytes: MAX_DATAGRAM_BYTES,
      maxPerSecond: DATAGRAMS_PER_SECOND,
      onopen: () => {}
    })
    this._onmessage = (data: Buffer): void => {
      // Anything else on the connection's datagrams is not ours: ignore it.
      if (data.byteLength <= DATAGRAM_HEADER || data[0] !== DATAGRAM_TAG) return
      h.datagram(this, b4a.toString(data, 'hex', 1, DATAGRAM_HEADER), data.subarray(DATAGRAM_HEADER))
    }
    conn.on('message', this._onmessage)
    this._signal.open(null)
    this._media.open(null)
  }

  /** Which way tunnelled datagrams travel on this connection. */
  get route(): 'datagram' | 'channel' {
    return this._useChannel ? 'channel' : 'datagram'
  }

  ring(m: CallRing): boolean {
    return this._signal.send('ring', m)
  }

  accept(call: Buffer): boolean {
    return this._signal.send('accept', { call })
  }

  decline(call: Buffer, reason: DeclineReason): boolean {
    return this._signal.send('decline', { call, reason })
  }

  hangup(call: Buffer): boolean {
    return this._signal.send('hangup', { call })
  }

  participants(call: Buffer, peers: Buffer[]): boolean {
    return this._signal.send('participants', { call, peers })
  }

  join(call: Buffer): boolean {
    return this._signal.send('join', { call })
  }

  signal(m: CallSignal): boolean {
    return this._signal.send('signal', m)
  }

  chat(m: CallChat): boolean {
    return this._signal.send('chat', m)
  }

  /**
   * Ends this device's ring: another device of its person answered or declined. The hang-up after
   * it ends the ring on peers from before 2.1, which ignore the new message type.
   */
  elsewhere(call: Buffer, answered: boolean): void {
    this._signal.send('elsewhere', { call, answered })
    this.hangup(call)
  }

  datagram(call: Buffer, data: Buffer): void {
    if (this._useChannel) {
      this._media.send('datagram', { call, data })
      return
    }
    const frame = b4a.allocUnsafe(DATAGRAM_HEADER + data.byteLength)
    frame[0] = DATAGRAM_TAG
    frame.set(call.subarray(0, DATAGRAM_HEADER - 1), 1)
    frame.set(data, DATAGRAM_HEADER)
    this._conn.trySend(frame)
  }
}

/** The 8-byte prefix of a call id that tunnelled datagrams carry, in hex. */
export function tagOf(call: Buffer): string {
  return b4a.toString(call, 'hex', 0, DATAGRAM_HEADER - 1)
}
