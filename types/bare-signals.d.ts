declare module 'bare-signals' {
  import type { EventEmitter } from 'events'

  /** A native signal watcher (Bare only). */
  export default class Signal extends EventEmitter {
    constructor(name: 'SIGINT' | 'SIGTERM' | 'SIGHUP')
    start(): this
    stop(): void
    unref(): void
    close(): void
    on(event: 'signal', fn: () => void): this
  }
}
