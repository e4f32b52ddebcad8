// describes streamx@2.x (test/core/types-pinned.test.ts checks the installed major)
// Overrides the shipped streamx/index.d.ts: data types are generic here and event maps are
// declared so that subclasses (NoiseSecretStream, ...) stay assignable to their bases.
declare module 'streamx' {
  import { EventEmitter } from 'events'

  namespace streamx {
    type Callback = (err?: Error | null) => void
    /** An event map: event name -> listener argument tuple. */
    type EventMap<E> = { [K in keyof E]: unknown[] }

    interface StreamEvents {
      open: []
      close: []
      error: [err: Error]
    }
    interface ReadableEvents<R> extends StreamEvents {
      data: [data: R]
      end: []
      readable: []
      piping: [dest: Writable<unknown>]
    }
    interface WritableEvents extends StreamEvents {
      drain: []
      finish: []
      pipe: [src: Readable<unknown>]
    }
    interface DuplexEvents<R> extends ReadableEvents<R>, WritableEvents {}

    interface StreamOptions<S> {
      open?(this: S, cb: Callback): void
      destroy?(this: S, cb: Callback): void
      predestroy?(this: S): void
      signal?: AbortSignal
      eagerOpen?: boolean
      highWaterMark?: number
      /** Applied to every chunk (both sides of a Duplex). */
      map?(data: unknown): unknown
      byteLength?(data: unknown): number
    }
    interface ReadableOptions<S = Readable<unknown>> extends StreamOptions<S> {
      read?(this: S, cb: Callback): void
      mapReadable?(data: unknown): unknown
      byteLengthReadable?(data: unknown): number
      encoding?: BufferEncoding
    }
    interface WritableOptions<S = Writable<unknown>> extends StreamOptions<S> {
      write?(this: S, data: unknown, cb: Callback): void
      writev?(this: S, batch: unknown[], cb: Callback): void
      final?(this: S, cb: Callback): void
      mapWritable?(data: unknown): unknown
      byteLengthWritable?(data: unknown): number
    }
    interface DuplexOptions<S = Duplex<unknown, unknown>> extends ReadableOptions<S>, WritableOptions<S> {}
    interface TransformOptions<S = Transform<unknown, unknown>> extends DuplexOptions<S> {
      transform?(this: S, data: unknown, cb: (err?: Error | null, data?: unknown) => void): void
      flush?(this: S, cb: (err?: Error | null, data?: unknown) => void): void
    }

    class Stream<E extends EventMap<E> = StreamEvents> extends EventEmitter {
      constructor(opts?: StreamOptions<Stream<E>>)
      /** true for readable streams, undefined otherwise */
      readonly readable: true | undefined
      /** true for writable streams, undefined otherwise */
      readonly writable: true | undefined
      readonly destroyed: boolean
      readonly destroying: boolean
      destroy(err?: Error | null): void

      protected _open(cb: Callback): void
      protected _destroy(cb: Callback): void
      protected _predestroy(): void

      on<K extends keyof E & (string | symbol)>(event: K, listener: (...args: E[K]) => void): this
      once<K extends keyof E & (string | symbol)>(event: K, listener: (...args: E[K]) => void): this
      off<K extends keyof E & (string | symbol)>(event: K, listener: (...args: E[K]) => void): this
      addListener<K extends keyof E & (string | symbol)>(event: K, listener: (...args: E[K]) => void): this
      removeListener<K extends keyof E & (string | symbol)>(event: K, listener: (...args: E[K]) => void): this
      emit<K extends keyof E & (string | symbol)>(event: K, ...args: E[K]): boolean
    }

    class Readable<R = Buffer, E extends EventMap<E> = ReadableEvents<R>> extends Stream<E> {
      constructor(opts?: ReadableOptions<Readable<R, E>>)
      readonly readable: true
      /** Push null to end the stream; returns false when the buffer is full. */
      push(data: R | null): boolean
      unshift(data: R | null): void
      read(): R | null
      resume(): this
      pause(): this
      pipe<D extends Writable<R> | Duplex<unknown, R>>(dest: D, cb?: Callback): D
      setEncoding(encoding: BufferEncoding): this
      [Symbol.asyncIterator](): AsyncIterableIterator<R, null | undefined, undefined>

      protected _read(cb: Callback): void

      static from<T>(data: AsyncIterable<T>, opts?: ReadableOptions<Readable<T>>): Readable<T>
      static from<T>(data: readonly T[], opts?: ReadableOptions<Readable<T>>): Readable<T>
      static from<T>(data: T, opts?: ReadableOptions<Readable<T>>): Readable<T>
      static deferred<T>(fn: () => Promise<Readable<T> | null>, opts?: TransformOptions): Readable<T>
      static isBackpressured(rs: Readable<unknown>): boolean
      static isPaused(rs: Readable<unknown>): boolean
    }

    class Writable<W = Buffer, E extends EventMap<E> = WritableEvents> extends Stream<E> {
      constructor(opts?: WritableOptions<Writable<W, E>>)
      readonly writable: true
      /** Returns false when the stream is backpressured. */
      write(data: W): boolean
      end(data?: W): this
      cork(): void
      uncork(): void

      protected _write(data: W, cb: Callback): void
      protected _writev(batch: W[], cb: Callback): void
      protected _final(cb: Callback): void

      static isBackpressured(ws: Writable<unknown> | Duplex<unknown, unknown>): boolean
      /** Resolves false if the stream was destroyed before draining. */
      static drained(ws: Writable<unknown> | Duplex<unknown, unknown>): Promise<boolean>
    }

    class Duplex<R = Buffer, W = R, E extends EventMap<E> = DuplexEvents<R>> extends Readable<R, E> {
      constructor(opts?: DuplexOptions<Duplex<R, W, E>>)
      readonly writable: true
      write(data: W): boolean
      end(data?: W): this
      cork(): void
      uncork(): void

      protected _write(data: W, cb: Callback): void
      protected _writev(batch: W[], cb: Callback): void
      protected _final(cb: Callback): void
    }

    class Transform<R = Buffer, W = R, E extends EventMap<E> = DuplexEvents<R>> extends Duplex<R, W, E> {
      constructor(opts?: TransformOptions<Transform<R, W, E>>)
      protected _transform(data: W, cb: (err?: Error | null, data?: R | null) => void): void
      protected _flush(cb: (err?: Error | null, data?: R | null) => void): void
    }

    class PassThrough<T = Buffer> extends Transform<T, T> {}

    /** The last argument may be a callback; returns the last stream. */
    function pipeline<D extends Stream>(streams: [...Stream[], D], cb?: Callback): D
    function pipeline<D extends Stream>(...streams: [Stream, ...Stream[], D]): D
    function pipeline<D extends Stream>(...args: [Stream, ...Stream[], D, Callback]): D
    function pipelinePromise(...streams: Stream[]): Promise<void>

    function isStream(stream: object): boolean
    function isStreamx(stream: object): boolean
    function isEnding(stream: Stream): boolean
    function isEnded(stream: Stream): boolean
    function isFinishing(stream: Stream): boolean
    function isFinished(stream: Stream): boolean
    function isDisturbed(stream: Stream): boolean
    /** Errors caused by a plain destroy() are hidden unless opts.all is set. */
    function getStreamError(stream: Stream, opts?: { all?: boolean }): Error | null
  }

  export = streamx
}
