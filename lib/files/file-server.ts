import b4a from 'b4a'
import type { Log } from '../log'
import type { FileQuery, FileRequest, LocalFile } from '../wire/schemas'
import type { FileChannel } from './file-channel'
import { closeFile, openFile, readAt } from './file-io'
import { chunkCount, HASH_BYTES } from './manifest'
import { Sha256 } from './sha256'

/** Chunk hashes per manifest frame: 512 KiB, a 16 GiB file's worth. */
export const MANIFEST_PAGE = 16384
/** The most chunks one request may ask for (ours ask for 4). */
export const MAX_REQUEST_CHUNKS = 16
/** Queries and requests waiting per channel (ours keep at most 4 in flight): more closes it. */
const MAX_QUEUED = 64

type Job = { query: FileQuery; request?: never } | { request: FileRequest; query?: never }

export interface FileServerOptions {
  log: Log
  /** The complete file with this id that we hold, or null. */
  find: (id: Buffer) => LocalFile | null
  /** May this peer fetch the file announced with this id in this room? */
  mayFetch: (room: Buffer, id: Buffer, peer: Buffer) => Promise<boolean>
  /** Is this peer still a member of the room (checked on every request, synchronously)? */
  isMember: (room: Buffer, peer: Buffer) => boolean
}

/**
 * Serves the files we hold to members who ask: a query grants a file to that channel (if the
 * peer is a member of the room it was announced in), requests are then read from disk a chunk at
 * a time, one chunk read ahead, and sent as fast as the connection drains. Both wait in one queue
 * per channel, so a peer cannot make us buffer more than it reads. Requests for a file that was
 * not granted, or past its end, or too many at once, close the channel: our peers never send them.
 */
export class FileServer {
  private readonly _o: FileServerOptions
  private readonly _granted = new Map<FileChannel, Map<string, LocalFile>>()
  private readonly _queues = new Map<FileChannel, Job[]>()
  /** ids of files whose bytes no longer match what was announced: refused from then on */
  private readonly _changed = new Set<string>()

  constructor(opts: FileServerOptions) {
    this._o = opts
  }

  onquery(ch: FileChannel, m: FileQuery): void {
    this._enqueue(ch, { query: m })
  }

  onrequest(ch: FileChannel, m: FileRequest): void {
    const file = this._granted.get(ch)?.get(hex(m.id))
    if (file === undefined) return ch.close('request for a file it was not granted')
    const n = chunkCount(file.ref.size, file.ref.chunkSize)
    if (m.count === 0 || m.count > MAX_REQUEST_CHUNKS || m.index + m.count > n) return ch.close('request past the end of the file')
    if (!this._o.isMember(file.room, ch.publicKey)) return this._refuse(ch, m.id)
    this._enqueue(ch, { request: m })
  }

  onclose(ch: FileChannel): void {
    this._granted.delete(ch)
    this._queues.delete(ch)
  }

  private _enqueue(ch: FileChannel, job: Job): void {
    const queue = this._queues.get(ch)
    if (queue !== undefined && queue.length >= MAX_QUEUED) return ch.close('too many requests at once')
    if (queue !== undefined) return void queue.push(job)
    this._queues.set(ch, [job])
    this._pump(ch).catch((err: Error) => this._o.log('files: serving failed: ' + err.message))
  }

  /** Grants the file if the peer may have it, and sends a page of its chunk hashes. */
  private async _answer(ch: FileChannel, m: FileQuery): Promise<void> {
    const found = this._o.find(m.id)
    const file = found !== null && !this._changed.has(hex(m.id)) ? found : null
    const allowed = file !== null && (await this._o.mayFetch(file.room, m.id, ch.publicKey))
    if (ch.closed) return
    if (file !== null && !allowed) this._o.log(`files: refused ${file.ref.name} to ${ch.id.slice(0, 8)}: not a member of the room it was announced in`)
    if (file === null || !allowed) return this._refuse(ch, m.id)
    let granted = this._granted.get(ch)
    if (granted === undefined) this._granted.set(ch, (granted = new Map()))
    granted.set(hex(m.id), file)
    const n = chunkCount(file.ref.size, file.ref.chunkSize)
    const first = Math.min(m.first, n)
    const end = Math.min(n, first + MANIFEST_PAGE)
    if (!ch.manifest({ id: m.id, first, hashes: file.hashes.subarray(first * HASH_BYTES, end * HASH_BYTES) })) await ch.drained()
  }

  private _refuse(ch: FileChannel, id: Buffer): void {
    this._granted.get(ch)?.delete(hex(id))
    ch.none({ id })
  }

  /**
   * Answers the channel's queue in order; one pump per channel. The next chunk (of this request or
   * the next one queued) is read while this one goes out, and files stay open while it runs.
   */
  private async _pump(ch: FileChannel): Promise<void> {
    const queue = this._queues.get(ch)
    const reader = new ChunkReader()
    let ahead: { file: LocalFile; index: number; data: Promise<Buffer> } | null = null
    try {
      while (queue !== undefined && queue.length > 0 && !ch.closed) {
        const { query, request } = queue[0]
        const id = query ? query.id : request.id
        try {
          const file = request ? this._granted.get(ch)?.get(hex(id)) : undefined
          if (query) await this._answer(ch, query)
          else if (file !== undefined) {
            for (let i = request.index; i < request.index + request.count && !ch.closed; i++) {
              const data: Buffer = await (ahead !== null && ahead.file === file && ahead.index === i ? ahead.data : reader.read(file, i))
              ahead = this._ahead(ch, reader, file, request, i)
              if (!ch.data({ id, index: i, data })) await ch.drained()
            }
          }
        } catch (err) {
          // Moved, deleted, shortened or edited since: we no longer have it.
          if (err instanceof ChangedError) this._changed.add(hex(id))
          this._o.log(`files: cannot serve ${hex(id).slice(0, 8)}: ${(err as Error).message}`)
          this._refuse(ch, id)
        }
        queue.shift()
      }
    } finally {
      if (this._queues.get(ch) === queue) this._queues.delete(ch)
      await reader.close()
    }
  }

  /** Starts reading the chunk after `index`: in this request, or the first of the next one queued. */
  private _ahead(ch: FileChannel, reader: ChunkReader, file: LocalFile, req: FileRequest, index: number) {
    if (index + 1 < req.index + req.count) return { file, index: index + 1, data: reader.read(file, index + 1) }
    const next = this._queues.get(ch)?.[1]?.request
    const nextFile = next && this._granted.get(ch)?.get(hex(next.id))
    return next && nextFile ? { file: nextFile, index: next.index, data: reader.read(nextFile, next.index) } : null
  }
}

/** A chunk's bytes are not the ones announced: the file was edited after it was shared. */
class ChangedError extends Error {
  constructor(file: LocalFile, index: number) {
    super(`${file.ref.name} changed since it was shared (chunk ${index}); refusing it`)
  }
}

/** Reads chunks of the files being served, each file opened once while a pump runs. */
class ChunkReader {
  private readonly _fds = new Map<string, Promise<number>>()
  private readonly _reads = new Set<Promise<Buffer>>()

  read(file: LocalFile, index: number): Promise<Buffer> {
    const { size, chunkSize } = file.ref
    const length = Math.min(chunkSize, size - index * chunkSize)
    let fd = this._fds.get(file.path)
    if (fd === undefined) this._fds.set(file.path, (fd = openFile(file.path, 'r')))
    const read = fd.then(async (fd) => {
      const buf = await readAt(fd, length, index * chunkSize)
      if (buf.byteLength !== length) throw new Error('the file is shorter than announced')
      // Served from where it was shared: an edit since then must be refused, never sent.
      if (!b4a.equals(Sha256.of(buf), file.hashes.subarray(index * HASH_BYTES, (index + 1) * HASH_BYTES))) throw new ChangedError(file, index)
      return buf
    })
    this._reads.add(read)
    // Awaited by the pump, or dropped when the channel closes first.
    read.then(() => this._reads.delete(read), () => this._reads.delete(read))
    return read
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this._reads])
    for (const fd of this._fds.values()) await fd.then(closeFile, () => {})
  }
}

function hex(id: Buffer): string {
  return b4a.toString(id, 'hex')
}
