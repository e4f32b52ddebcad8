declare module 'udx-native' {
  import EventEmitter from 'events'

  namespace UDX {
    interface SocketAddress {
      host: string
      family: 4 | 6
      port: number
    }

    interface SocketEvents {
      /** A plain UDP datagram; the buffer is the datagram's own slice. */
      message: [buffer: Buffer, from: SocketAddress]
      listening: []
      close: []
      idle: []
      busy: []
    }

    interface Socket extends EventEmitter {
      readonly bound: boolean
      readonly closing: boolean
      address(): SocketAddress | null
      /** port 0 picks a free one; host defaults to '::' (or '0.0.0.0') */
      bind(port?: number, host?: string): void
      close(): Promise<void>
      /** Resolves true once sent. */
      send(buffer: Uint8Array, port: number, host?: string, ttl?: number): Promise<boolean>
      /** Fire and forget. */
      trySend(buffer: Uint8Array, port: number, host?: string, ttl?: number): void
      on<K extends keyof SocketEvents>(event: K, listener: (...args: SocketEvents[K]) => void): this
      once<K extends keyof SocketEvents>(event: K, listener: (...args: SocketEvents[K]) => void): this
      off<K extends keyof SocketEvents>(event: K, listener: (...args: SocketEvents[K]) => void): this
    }
  }

  class UDX {
    constructor()
    createSocket(opts?: { ipv6Only?: boolean; reuseAddress?: boolean }): UDX.Socket
  }

  export = UDX
}
