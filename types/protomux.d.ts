// describes protomux@3.x (test/core/types-pinned.test.ts checks the installed major)
declare module 'protomux' {
  import { Encoder, EncodedType, DecodedType } from 'compact-encoding'
  import { Duplex } from 'streamx'

  namespace Protomux {
    /** Any framed duplex of buffers (in practice a NoiseSecretStream). */
    type Stream = Duplex<Buffer, Buffer>

    interface ChannelKey {
      protocol: string
      id?: Buffer | null
    }

    /** Any encoder; message types are derived from the encoders given to createChannel(). */
    type AnyEncoder = Encoder<unknown>

    interface MessageOptions<E extends AnyEncoder = AnyEncoder, C = Channel> {
      /** default: c.raw (Buffer in, Buffer out) */
      encoding?: E
      /** A returned promise is tracked: a rejection destroys the whole stream (or only warns once closed). */
      onmessage?(message: DecodedType<E>, channel: C): unknown
      /** default true */
      autoBatch?: boolean
    }

    interface Message<I = unknown, O = unknown, C = Channel> {
      readonly type: number
      readonly encoding: Encoder<I, O>
      readonly autoBatch: boolean
      onmessage(message: O, channel: C): unknown
      /** false if the channel is closed or the stream is backpressured (the message is still queued then) */
      send(message: I, channel?: C): boolean
    }

    interface ChannelOptions<HE extends AnyEncoder, ME extends AnyEncoder[], U> {
      protocol: string
      id?: Buffer | null
      aliases?: string[]
      /** Default true: createChannel() returns null if this protocol+id is already open on the mux. */
      unique?: boolean
      /** Encodes the optional value passed to open(); the remote's value is given to onopen. */
      handshake?: HE | null
      /** null entries reserve a message type without handling it */
      messages?: { [K in keyof ME]: MessageOptions<ME[K], Channel<HE, ME, U>> | null }
      userData?: U
      /** handshake is null when no handshake encoding is set */
      onopen?(handshake: DecodedType<HE>, channel: Channel<HE, ME, U>): unknown
      onclose?(isRemote: boolean, channel: Channel<HE, ME, U>): unknown
      ondestroy?(channel: Channel<HE, ME, U>): unknown
      ondrain?(channel: Channel<HE, ME, U>): unknown
    }

    /** HE: handshake encoder, ME: tuple of message encoders, U: userData. */
    interface Channel<HE extends AnyEncoder = AnyEncoder, ME extends AnyEncoder[] = AnyEncoder[], U = unknown> {
      userData: U
      readonly protocol: string
      readonly aliases: string[]
      readonly id: Buffer | null
      /** the remote handshake, set when the channel opens */
      handshake: DecodedType<HE> | null
      readonly messages: {
        [K in keyof ME]: Message<EncodedType<ME[K]>, DecodedType<ME[K]>, Channel<HE, ME, U>>
      }
      /** both sides opened */
      opened: boolean
      closed: boolean
      destroyed: boolean
      readonly drained: boolean

      /** Sends our open; the channel is opened once the remote opens the same protocol+id. */
      open(handshake?: EncodedType<HE>): void
      close(): void
      /** true once opened, false if closed first */
      fullyOpened(): Promise<boolean>
      fullyClosed(): Promise<void>
      cork(): void
      uncork(): void
      addMessage<E extends AnyEncoder>(
        opts: MessageOptions<E, Channel<HE, ME, U>> & { encoding: E }
      ): Message<EncodedType<E>, DecodedType<E>, Channel<HE, ME, U>>
      /** without an encoding messages are raw buffers */
      addMessage(opts: Omit<MessageOptions<never, Channel<HE, ME, U>>, 'encoding' | 'onmessage'> & {
        onmessage?(message: Buffer, channel: Channel<HE, ME, U>): unknown
      }): Message<Uint8Array, Buffer, Channel<HE, ME, U>>
      addMessage(opts?: null): Message<unknown, unknown, Channel<HE, ME, U>>
    }
  }

  class Protomux<S extends Protomux.Stream = Protomux.Stream> {
    /** Prefer Protomux.from(), which reuses the muxer stored in stream.userData. */
    constructor(stream: S, opts?: { alloc?: (size: number) => Buffer })

    /** Returns the existing muxer of the stream if any, else creates one (and stores it in stream.userData if that is null). */
    static from<S extends Protomux.Stream>(stream: S | Protomux<S>, opts?: { alloc?: (size: number) => Buffer }): Protomux<S>
    static isProtomux(mux: unknown): mux is Protomux

    readonly isProtomux: true
    readonly stream: S
    corked: number
    drained: boolean

    /** open channels */
    [Symbol.iterator](): Generator<Protomux.Channel, void, unknown>
    /** no channels open */
    isIdle(): boolean
    cork(): void
    uncork(): void
    opened(key: Protomux.ChannelKey): boolean
    getLastChannel(key: Protomux.ChannelKey): Protomux.Channel | null
    /** Called when the remote opens protocol(+id) and no local channel is waiting; id null pairs any id. */
    pair(key: Protomux.ChannelKey, notify: (id: Buffer | null) => unknown): void
    unpair(key: Protomux.ChannelKey): void
    /** null if the stream is destroyed, or (unique) if already open */
    createChannel<
      HE extends Protomux.AnyEncoder = Encoder<undefined, null>,
      ME extends Protomux.AnyEncoder[] = [],
      U = null
    >(opts: Protomux.ChannelOptions<HE, ME, U>): Protomux.Channel<HE, ME, U> | null
    destroy(err?: Error): void
  }

  export = Protomux
}
