import c from 'compact-encoding'
import type { Encoding } from 'compact-encoding'
import type Protomux from 'protomux'
import type { Channel, Message } from 'protomux'
import type { Log } from '../log'
import { decodeRecord } from '../wire/struct'
import type { ChannelSpec, MessageEncodings } from '../wire/messages'
import { FrameRate } from './frame-rate'

type Value<E> = E extends Encoding<infer T> ? T : never

/** One handler per message of the channel's spec, by name. */
export type Handlers<M extends MessageEncodings> = { [K in keyof M]: (value: Value<M[K]>) => void | Promise<void> }

export interface GuardedChannelOptions<H, M extends MessageEncodings> {
  spec: ChannelSpec<H, M>
  handlers: Handlers<M>
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
 * Messages are sent and handled by the names their spec gives them (lib/wire/messages.ts).
 */
export class GuardedChannel<H, M extends MessageEncodings = Record<string, never>> {
  readonly protocol: string
  closed = false
  private readonly _channel: Channel
  private readonly _senders: Map<keyof M, Message>
  private readonly _opts: GuardedChannelOptions<H, M>
  private readonly _rate: FrameRate

  constructor(mux: Protomux, opts: GuardedChannelOptions<H, M>) {
    const { spec } = opts
    this.protocol = spec.protocol
    this._opts = opts
    this._rate = new FrameRate(opts.maxPerSecond)
    const channel = mux.createChannel({
      protocol: spec.protocol,
      // Raw so that decoding is ours: protomux would destroy the whole stream on a decode error.
      handshake: c.raw,
      onopen: (raw: Buffer) => this._onframe(spec.handshake, raw, opts.onopen),
      onclose: () => {
        this.closed = true
        opts.onclose?.()
      },
      ondrain: () => opts.ondrain?.()
    })
    if (channel === null) throw new Error(`channel ${spec.protocol} is already open on this connection`)
    this._channel = channel
    this._senders = new Map()
    // Added in the spec's order: that order is each message's type on the wire.
    for (const name of Object.keys(spec.messages) as Array<keyof M & string>) {
      const encoding = spec.messages[name] as Encoding<Value<M[typeof name]>>
      const handler = opts.handlers[name]
      const sender = channel.addMessage({
        encoding: c.raw,
        onmessage: (raw: Buffer) => this._onframe(encoding, raw, handler)
      })
      this._senders.set(name, sender)
    }
  }

  open(handshake: H): void {
    this._channel.open(c.encode(this._opts.spec.handshake, handshake))
  }

  send<K extends keyof M & string>(name: K, value: Value<M[K]>): boolean {
    if (this.closed) return false
    const sender = this._senders.get(name)
    if (sender === undefined) throw new Error(`${this.protocol} has no message ${name}`)
    return sender.send(c.encode(this._opts.spec.messages[name] as Encoding<Value<M[K]>>, value))
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
      value = decodeRecord(encoding, raw, this._opts.maxFrameBytes)
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
