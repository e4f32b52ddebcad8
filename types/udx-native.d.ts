// describes udx-native@1.x (test/core/types-pinned.test.ts checks the installed major)
declare module 'udx-native' {
  import { EventEmitter } from 'events'

  namespace UDX {
    interface NetworkInterface {
      name: string
      host: string
      family: 4 | 6
      internal: boolean
    }

    interface SocketAddress {
      host: string
      family: 4 | 6
      port: number
    }

    interface SocketEvents {
      /** A plain UDP datagram (not UDX); the buffer is the datagram's own slice. */
      message: [buffer: Buffer, from: SocketAddress]
      listening: []
      close: []
      idle: []
      busy: []
    }

    /** Create with udx.createSocket(). */
    interface Socket extends EventEmitter {
      readonly bound: boolean
      readonly closing: boolean
      address(): SocketAddress | null
      /** Synchronous; throws (e.g. EADDRINUSE) if it cannot bind. Port 0 picks one. */
      bind(port?: number, host?: string): void
      close(): Promise<void>
      setTTL(ttl: number): void
      /** Joins a multicast group on the interface with address ifaceAddress ('' = chosen by route). */
      addMembership(group: string, ifaceAddress?: string): void
      dropMembership(group: string, ifaceAddress?: string): void
      /** Resolves true once sent, false if the send failed. */
      send(buffer: Uint8Array, port: number, host: string, ttl?: number): Promise<boolean>
      trySend(buffer: Uint8Array, port: number, host: string, ttl?: number): void
      on<K extends keyof SocketEvents>(event: K, listener: (...args: SocketEvents[K]) => void): this
      once<K extends keyof SocketEvents>(event: K, listener: (...args: SocketEvents[K]) => void): this
      off<K extends keyof SocketEvents>(event: K, listener: (...args: SocketEvents[K]) => void): this
    }

    interface InterfaceWatcher extends EventEmitter {
      readonly interfaces: NetworkInterface[]
      destroy(): void
    }
  }

  class UDX {
    constructor()
    static isIPv4(host: string): boolean
    createSocket(opts?: { ipv6Only?: boolean; reuseAddress?: boolean }): UDX.Socket
    networkInterfaces(): UDX.NetworkInterface[]
    watchNetworkInterfaces(onchange?: (interfaces: UDX.NetworkInterface[]) => void): UDX.InterfaceWatcher
  }

  export = UDX
}
