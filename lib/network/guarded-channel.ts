import c from 'compact-encoding'
import type { Encoding } from 'compact-encoding'
import type Protomux from 'protomux'
import type { Channel, Message } from 'protomux'
import type { Log } from '../log'
import { decodeExact } from '../wire/struct'
import { FrameRate } from './frame-rate'

/** One message type of a channel; make it with `message()` so encoding and handler agree. */
export interface GuardedMessage {
  encoding: Encoding<unknown>
  onmessage: (value: unknown) => void | Promise<void>
}

export function message<T>(encoding: Encoding<T>, onmessage: (value: T) => void | Promise<void>): GuardedMessage {
  // Sound: the handler only ever receives what this encoding decoded.
  return { encoding, onmessage } as GuardedMessage
}

export interface GuardedChannelOptions<H> {
  protocol: string
  handshake: Encoding<H>
  messages: GuardedMessage[]
  log: Log
  /** Frames larger than this close the channel. */
  maxFrameBytes: number
  /** A sustained rate above this closes the channel (bursts of 2x are allowed). */
  maxPerSecond: number
  onopen: (handshake: H) => void | Promise<void>
  onclose?: () => void
  /** The connection took everything queued after a send() returned false. */
  ondrain?: () => void
}

/**
 * A protomux channel whose every frame is size-checked, rate-limited and decoded by us, so a
 * hostile peer can only get this channel closed (with a logged reason), never an exception.
 */
export class GuardedChannel<H> {
  readonly protocol: string
  closed = false
  private readonly _channel: Channel
  private readonly _senders: Message[]
  private readonly _opts: GuardedChannelOptions<H>
  private readonly _rate: FrameRate

  constructor(mux: Protomux, opts: GuardedChannelOptions<H>) {
    this.protocol = opts.protocol
    this._opts = opts
    this._rate = new FrameRate(opts.maxPerSecond)
    const channel = mux.createChannel({
      protocol: opts.protocol,
      // Raw so that decoding is ours: protomux would destroy the whole stream on a decode error.
      handshake: c.raw,
      onopen: (raw: Buffer) => this._onframe(opts.handshake, raw, opts.onopen),
      onclose: () => {
        this.closed = true
        opts.onclose?.()
      },
      ondrain: () => opts.ondrain?.()
    })
    if (channel === null) throw new Error(`channel ${opts.protocol} is already open on this connection`)
    this._channel = channel
    this._senders = opts.messages.map((m) =>
      channel.addMessage({
        encoding: c.raw,
        onmessage: (raw: Buffer) => this._onframe(m.encoding, raw, m.onmessage)
      })
    )
  }

  open(handshake: H): void {
    this._channel.open(c.encode(this._opts.handshake, handshake))
  }

  send<T>(index: number, encoding: Encoding<T>, value: T): boolean {
    if (this.closed) return false
    return this._senders[index].send(c.encode(encoding, value))
  }

  close(reason?: string): void {
    if (this.closed) return
    if (reason) this._opts.log(`${this.protocol}: closing channel: ${reason}`)
    this.closed = true
    this._channel.close()
  }

  private _onframe<T>(encoding: Encoding<T>, raw: Buffer, handler: (value: T) => void | Promise<void>): void {
    if (this.closed) return
    if (!this._rate.take()) return this.close('peer is sending too fast')
    let value: T
    try {
      value = decodeExact(encoding, raw, this._opts.maxFrameBytes)
    } catch (err) {
      return this.close('undecodable frame: ' + (err as Error).message)
    }
    try {
      const p = handler(value)
      if (p) p.catch((err: Error) => this.close('handler failed: ' + err.message))
    } catch (err) {
      this.close('handler failed: ' + (err as Error).message)
    }
  }
}
