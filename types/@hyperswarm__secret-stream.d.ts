// describes @hyperswarm/secret-stream@6.x (test/core/types-pinned.test.ts checks the installed major)
declare module '@hyperswarm/secret-stream' {
  import { Duplex, DuplexEvents } from 'streamx'

  namespace NoiseSecretStream {
    interface KeyPair {
      publicKey: Buffer
      secretKey: Buffer
    }

    /** Result of an externally completed Noise handshake. */
    interface Handshake {
      tx: Buffer
      rx: Buffer
      hash: Buffer
      publicKey: Buffer
      remotePublicKey: Buffer
    }

    /** The transport under the encryption: a UDX stream for DHT connections, else a streamx Duplex. */
    interface RawStream extends Duplex<Buffer, Buffer> {
      /** UDX streams only */
      readonly remoteHost?: string | null
      readonly remotePort?: number
      readonly remoteFamily?: number
      readonly rtt?: number
      readonly connected?: boolean
      send?(buffer: Buffer): Promise<boolean> | undefined
      trySend?(buffer: Buffer): void
    }

    interface Options {
      /** Noise pattern, default 'XX' ('IK' needs remotePublicKey) */
      pattern?: string
      publicKey?: Buffer | null
      remotePublicKey?: Buffer | null
      keyPair?: KeyPair | Promise<KeyPair> | null
      handshake?: Handshake | null
      /** ms between keep-alive pings, 0 = off */
      keepAlive?: number
      /** enable unordered send()/'message' (default true) */
      enableSend?: boolean
      /** set false to call start() later */
      autoStart?: boolean
      filterZeroByteMessages?: boolean
      data?: Buffer
      ended?: boolean
    }

    interface Events extends DuplexEvents<Buffer> {
      /** handshake keys are known */
      handshake: []
      /** stream is fully open (same moment `opened` resolves true) */
      connect: []
      /** unordered, unreliable message from send()/trySend() */
      message: [message: Buffer]
    }

    /** A stream whose keys are known, as produced by hyperdht/hyperswarm. */
    type Keyed = NoiseSecretStream & { readonly publicKey: Buffer; readonly remotePublicKey: Buffer }
  }

  class NoiseSecretStream extends Duplex<Buffer, Buffer | string, NoiseSecretStream.Events> {
    constructor(isInitiator: boolean, rawStream?: Duplex<Buffer, Buffer> | null, opts?: NoiseSecretStream.Options)

    static keyPair(seed?: Buffer | null): NoiseSecretStream.KeyPair
    static id(handshakeHash: Buffer, isInitiator: boolean, out?: Buffer): Buffer

    readonly noiseStream: this
    readonly isInitiator: boolean
    /** Set by the constructor (an internal Duplex bridge if none is given); only null before start() with autoStart: false. */
    rawStream: NoiseSecretStream.RawStream
    /** null only while the key pair is still a pending promise */
    publicKey: Buffer | null
    /** null until the handshake completes unless passed in the options */
    remotePublicKey: Buffer | null
    handshakeHash: Buffer | null
    connected: boolean
    keepAlive: number
    timeout: number
    enableSend: boolean
    /** Free slot for upper layers; Protomux.from() stores its muxer here when it is null. */
    userData: unknown
    /** Resolves true once the handshake is done, false if destroyed first. Never rejects. */
    readonly opened: Promise<boolean>
    rawBytesWritten: number
    rawBytesRead: number
    /** set by hyperdht */
    relay: unknown
    /** set by hyperdht */
    puncher: unknown

    start(rawStream?: Duplex<Buffer, Buffer> | null, opts?: NoiseSecretStream.Options): void
    setTimeout(ms?: number): void
    setKeepAlive(ms?: number): void
    sendKeepAlive(): void
    /** Resolves false if the stream closed before everything was flushed. */
    flush(): Promise<boolean>
    /** Unordered encrypted datagram; undefined before the handshake or on non-UDX transports. */
    send(buffer: Uint8Array): Promise<boolean> | undefined
    trySend(buffer: Uint8Array): void
    /** Allocates a buffer that the next write() can encrypt in place. */
    alloc(len: number): Buffer
    toJSON(): {
      isInitiator: boolean
      publicKey: string | null
      remotePublicKey: string | null
      connected: boolean
      destroying: boolean
      destroyed: boolean
      rawStream: unknown
    }
  }

  export = NoiseSecretStream
}
