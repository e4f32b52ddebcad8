import b4a from 'b4a'
import type Protomux from 'protomux'
import type { Log } from '../log'
import { GuardedChannel } from '../network/guarded-channel'
import { FILE_CHANNEL } from '../wire/messages'
import type { FileData, FileManifest, FileNone, FileQuery, FileRequest } from '../wire/messages'

/** A data frame is one chunk (at most 4 MiB, see validFile) and its header. */
const MAX_FRAME_BYTES = 4 * 1024 * 1024 + 64
/** 1 GB/s of 1 MiB chunks, with room for the small frames around them. */
const FRAMES_PER_SECOND = 4000

/** What a FileChannel hands its frames to: Files routes them to the server or a download. */
export interface FileChannelHandler {
  onquery(ch: FileChannel, m: FileQuery): void | Promise<void>
  onmanifest(ch: FileChannel, m: FileManifest): void
  onnone(ch: FileChannel, m: FileNone): void
  onrequest(ch: FileChannel, m: FileRequest): void
  ondata(ch: FileChannel, m: FileData): void
  onopen(ch: FileChannel): void
  onclose(ch: FileChannel): void
}

/**
 * The `peerline/file/1` channel on one authenticated connection: every file, both directions.
 * `publicKey` is the person (membership checks); `device` the connection's own key, so each of a
 * person's devices is a source of its own (only one of them may hold a file).
 */
export class FileChannel {
  readonly publicKey: Buffer
  readonly device: Buffer
  private readonly _channel: GuardedChannel<null, typeof FILE_CHANNEL.messages>
  private _drained: Array<() => void> = []

  constructor(mux: Protomux, publicKey: Buffer, handler: FileChannelHandler, log: Log, device: Buffer = publicKey) {
    this.publicKey = publicKey
    this.device = device
    this._channel = new GuardedChannel(mux, {
      spec: FILE_CHANNEL,
      handlers: {
        query: (m) => handler.onquery(this, m),
        manifest: (m) => handler.onmanifest(this, m),
        none: (m) => handler.onnone(this, m),
        request: (m) => handler.onrequest(this, m),
        data: (m) => handler.ondata(this, m)
      },
      log,
      maxFrameBytes: MAX_FRAME_BYTES,
      maxPerSecond: FRAMES_PER_SECOND,
      onopen: () => handler.onopen(this),
      onclose: () => {
        this._wake()
        handler.onclose(this)
      },
      ondrain: () => this._wake()
    })
    this._channel.open(null)
  }

  /** One per connection: the device's key (a person's own device: the person's key). */
  get id(): string {
    return b4a.toString(this.device, 'hex')
  }

  get closed(): boolean {
    return this._channel.closed
  }

  query(m: FileQuery): boolean {
    return this._channel.send('query', m)
  }

  manifest(m: FileManifest): boolean {
    return this._channel.send('manifest', m)
  }

  none(m: FileNone): boolean {
    return this._channel.send('none', m)
  }

  request(m: FileRequest): boolean {
    return this._channel.send('request', m)
  }

  /** False when the connection is backed up: wait for drained() before the next chunk. */
  data(m: FileData): boolean {
    return this._channel.send('data', m)
  }

  /** Resolves once the connection took what was queued (or the channel closed). */
  drained(): Promise<void> {
    if (this.closed) return Promise.resolve()
    return new Promise((resolve) => this._drained.push(resolve))
  }

  close(reason: string): void {
    this._channel.close(reason)
  }

  private _wake(): void {
    const waiting = this._drained
    this._drained = []
    for (const resolve of waiting) resolve()
  }
}
