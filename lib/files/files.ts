import type Corestore from 'corestore'
import Hyperbee from 'hyperbee'
import b4a from 'b4a'
import c from 'compact-encoding'
import crypto from 'hypercore-crypto'
import fs from 'fs'
import path from 'path'
import type Protomux from 'protomux'
import z32 from 'z32'
import { PeerlineError } from '../errors'
import { Resource } from '../resource'
import type { FileProgress, LocalFileState } from '../contract'
import type { Log } from '../log'
import { localFile } from '../wire/schemas'
import type { FileRef, LocalFile } from '../wire/schemas'
import type { Blocklist } from './blocklist'
import { Download } from './download'
import type { StopReason } from './download'
import { FileChannel } from './file-channel'
import { reserveDownload } from './download-name'
import { sanitizeFileName } from './file-name'
import { FileServer } from './file-server'
import { CHUNK_SIZE, hashFile, oversize } from './manifest'

/** A pause or cancel this soon before its download starts still applies to it. */
const EARLY_STOP_MS = 5_000
/** At most this many progress events a second per download. */
const PROGRESS_PER_SECOND = 4
/** With nobody connected who has the file for this long, the download says it is waiting. */
const UNAVAILABLE_AFTER = 8_000
const UNAVAILABLE_CHECK = 2_000

export interface FilesEvents {
  progress: [FileProgress]
  done: [{ file: string; path: string }]
  failed: [{ file: string; code: string; message: string }]
}

export interface FilesOptions {
  store: Corestore
  blocklist: Blocklist
  log: Log
  /** May this peer fetch the file announced with this id in this room (a member, still announced)? */
  mayFetch: (room: Buffer, id: Buffer, peer: Buffer) => Promise<boolean>
  /** Is this peer a member of the room (synchronous: checked per request, and to pick sources)? */
  isMember: (room: Buffer, peer: Buffer) => boolean
}

interface Active {
  download: Download
  room: Buffer
  /** settles when the download has stopped and saved its state */
  ended: Promise<unknown>
}

/**
 * Files: a file is announced with the root of its chunk hashes and fetched over the
 * `peerline/file/1` channel, chunk ranges at a time, from every member online who holds it (the
 * sender, from the original path, and everyone who finished downloading it). Only members of the
 * room it was announced in get it. Nothing is copied into storage: the profile keeps, per file,
 * where it is and its chunk hashes.
 */
export class Files extends Resource<FilesEvents> {
  private readonly _o: FilesOptions
  private readonly _index: Hyperbee<string, Buffer>
  private readonly _local = new Map<string, LocalFile>()
  /** by device (FileChannel.id): every connection of a person is a source of its own */
  private readonly _channels = new Map<string, FileChannel>()
  private readonly _active = new Map<string, Active>()
  /** Pauses and cancels that came before their download started (see _stop). */
  private readonly _early = new Map<string, { reason: StopReason; at: number }>()
  /** `.part` files of the downloads running now: never handed to a second one */
  private readonly _parts = new Set<string>()
  private readonly _server: FileServer

  constructor(opts: FilesOptions) {
    super()
    this._o = opts
    this._index = new Hyperbee<string, Buffer>(opts.store.get({ name: 'files-index' }), { keyEncoding: 'utf-8', valueEncoding: 'binary' })
    this._server = new FileServer({
      log: opts.log,
      find: (id) => {
        const file = this._local.get(hex(id))
        return file !== undefined && file.complete ? file : null
      },
      mayFetch: opts.mayFetch,
      isMember: opts.isMember
    })
  }

  protected async _open(): Promise<void> {
    await this._index.ready()
    for await (const { key, value } of this._index.createReadStream()) {
      try {
        this._local.set(key, c.decode(localFile, value))
      } catch (err) {
        this._o.log('files: skipping an unreadable record: ' + (err as Error).message)
      }
    }
  }

  protected async _close(): Promise<void> {
    const active = [...this._active.values()]
    for (const a of active) a.download.stop('close')
    await Promise.all(active.map((a) => a.ended))
    await this._index.close()
  }

  /** Where this device holds the file whole (shared from here or downloaded), or null. */
  localPath(id: Buffer): string | null {
    const file = this._local.get(hex(id))
    return file !== undefined && file.complete && fs.existsSync(file.path) ? file.path : null
  }

  /** The files this device holds whole, for an export that carries them. */
  held(): Array<{ id: Buffer; name: string; path: string }> {
    return [...this._local.values()].filter((f) => f.complete && fs.existsSync(f.path)).map((f) => ({ id: f.ref.id, name: f.ref.name, path: f.path }))
  }

  /** A file we hold now lives at `to` (an import put its bytes there, whole). */
  async relocate(id: Buffer, to: string): Promise<void> {
    const file = this._local.get(hex(id))
    if (file !== undefined) await this._put({ ...file, path: to, complete: true })
  }

  get blocklist(): Blocklist {
    return this._o.blocklist
  }

  /**
   * Hashes a file to share it in `room` (read once, streamed); FILE_NOT_FOUND if it cannot be
   * read. It is served from where it is, so members can fetch it while it stays there unchanged.
   */
  async add(filePath: string, room: Buffer): Promise<FileRef> {
    let size: number
    try {
      const stat = fs.statSync(filePath)
      if (!stat.isFile()) throw new Error('not a file')
      size = stat.size
    } catch {
      throw PeerlineError.FILE_NOT_FOUND(`Cannot read ${filePath}: no such file, or not allowed.`)
    }
    const over = oversize(size, CHUNK_SIZE)
    if (over !== null) throw PeerlineError.FILE_TOO_LARGE(`${filePath} is too large to share: ${over}.`)
    let manifest
    try {
      manifest = await hashFile(filePath, size, CHUNK_SIZE)
    } catch (err) {
      throw PeerlineError.FILE_NOT_FOUND(`Reading ${filePath} failed: ${(err as Error).message}`)
    }
    const ref: FileRef = {
      id: crypto.randomBytes(32),
      root: manifest.root,
      name: sanitizeFileName(filePath),
      size,
      sha256: manifest.sha256,
      chunkSize: CHUNK_SIZE
    }
    await this._put({ ref, room, path: path.resolve(filePath), complete: true, hashes: manifest.hashes })
    return ref
  }

  /**
   * Downloads a file announced in `room` into `folder` (never outside it). Resolves with the
   * final path once the SHA-256 matched; FILE_BLOCKED, FILE_CORRUPT (partial file deleted),
   * FILE_PAUSED or FILE_CANCELLED otherwise.
   */
  async download(ref: FileRef, room: Buffer, folder: string): Promise<{ path: string; resumed: number }> {
    const id = z32.encode(ref.id)
    if (this._o.blocklist.has(ref.sha256)) {
      throw PeerlineError.FILE_BLOCKED(ref.name)
    }
    if (this._active.has(id)) throw PeerlineError.BAD_REQUEST('that file is already downloading')
    // Checked before anything is sized from the announcement.
    const over = oversize(ref.size, ref.chunkSize)
    if (over !== null) throw PeerlineError.FILE_TOO_LARGE(`${sanitizeFileName(ref.name)} was announced with ${over}; not downloading it.`)
    fs.mkdirSync(folder, { recursive: true })
    const earlier = this._local.get(hex(ref.id))
    const { target, part } = reserveDownload(folder, ref.name, earlier && !earlier.complete ? earlier.path : null, this._parts)
    this._parts.add(part)
    // Remember the `.part` now, so a pause before the chunk hashes arrive still resumes into it.
    if (earlier === undefined || !earlier.complete) await this._put({ ref, room, path: part, complete: false, hashes: earlier?.hashes ?? b4a.alloc(0) })
    const download = new Download({
      ref,
      part,
      bits: target + '.bits',
      hashes: earlier?.hashes ?? null,
      log: this._o.log,
      onmanifest: (hashes) => this._put({ ref, room, path: part, complete: false, hashes }),
      onprogress: (bytes) => progress(bytes, download.resumed)
    })
    const progress = this._progress(id, ref.size)
    const opened = download.open()
    const running = opened.then(() => download.run())
    this._active.set(id, { download, room, ended: running.catch(() => {}) })
    // A pause or cancel that came while this download was being looked up applies now.
    const early = this._early.get(id)
    this._early.delete(id)
    if (early && Date.now() - early.at < EARLY_STOP_MS) download.stop(early.reason)
    const watch = this._watchSources(id, ref, download)
    try {
      await opened
      for (const ch of this._channels.values()) if (this._o.isMember(room, ch.publicKey)) download.addSource(ch)
      await running
      fs.renameSync(part, target)
      // From now on we serve it too, to the room's members.
      const hashes = this._local.get(hex(ref.id))?.hashes ?? b4a.alloc(0)
      await this._put({ ref, room, path: target, complete: true, hashes })
      this.emit('done', { file: id, path: target })
      return { path: target, resumed: download.resumed }
    } catch (err) {
      const code = (err as PeerlineError).code ?? 'FILE_FAILED'
      if (code === 'FILE_CANCELLED' || code === 'FILE_CORRUPT') await this._forget(ref.id)
      this.emit('failed', { file: id, code, message: (err as Error).message })
      throw err
    } finally {
      clearInterval(watch)
      this._active.delete(id)
      this._parts.delete(part)
    }
  }

  /**
   * A download never waits in silence: with nobody connected who has the file for a while, it
   * says so (state 'waiting', FILE_UNAVAILABLE), and says 'fetching' again once a source is back.
   */
  private _watchSources(id: string, ref: FileRef, download: Download): ReturnType<typeof setInterval> {
    let since = Date.now()
    let waiting = false
    const timer = setInterval(() => {
      if (download.hasSource()) {
        since = Date.now()
        if (!waiting) return
        waiting = false
        this._o.log(`files: a source of ${ref.name} is back`)
        this.emit('progress', { file: id, bytes: download.bytes(), total: ref.size, rate: 0, state: 'fetching' })
        return
      }
      if (waiting || Date.now() - since < UNAVAILABLE_AFTER) return
      waiting = true
      this._o.log(`files: nobody online has ${ref.name}; waiting`)
      this.emit('progress', {
        file: id,
        bytes: download.bytes(),
        total: ref.size,
        rate: 0,
        state: 'waiting',
        code: 'FILE_UNAVAILABLE',
        message: `Waiting for someone who has ${ref.name} to come online. It goes on by itself then.`
      })
    }, UNAVAILABLE_CHECK)
    return timer
  }

  pause(id: string): boolean {
    return this._stop(id, 'pause')
  }

  cancel(id: string): boolean {
    return this._stop(id, 'cancel')
  }

  /**
   * Opens the file channel on a peer's authenticated connection. `device` is the connection's own
   * key (a linked device's, else the person's): each device of a person is a source of its own.
   */
  attach(publicKey: Buffer, mux: Protomux, device: Buffer = publicKey): void {
    const log = (msg: string): void => this._o.log(`files ${b4a.toString(device, 'hex').slice(0, 8)}: ${msg}`)
    const active = (id: Buffer): Download | undefined => this._active.get(z32.encode(id))?.download
    new FileChannel(
      mux,
      publicKey,
      {
        onopen: (ch) => {
          this._channels.set(ch.id, ch)
          for (const a of this._active.values()) if (this._o.isMember(a.room, publicKey)) a.download.addSource(ch)
        },
        onclose: (ch) => {
          if (this._channels.get(ch.id) === ch) this._channels.delete(ch.id)
          this._server.onclose(ch)
          for (const a of this._active.values()) a.download.removeSource(ch)
        },
        onquery: (ch, m) => this._server.onquery(ch, m),
        onrequest: (ch, m) => this._server.onrequest(ch, m),
        onmanifest: (ch, m) => active(m.id)?.onmanifest(ch, m),
        onnone: (ch, m) => active(m.id)?.refused(ch),
        ondata: (ch, m) => active(m.id)?.ondata(ch, m)
      },
      log,
      device
    )
  }

  private _stop(id: string, reason: StopReason): boolean {
    const a = this._active.get(id)
    if (a) a.download.stop(reason)
    // Not started yet (the Api is still looking the file up): it stops as soon as it starts.
    else {
      if (this._early.size >= 256) this._early.clear() // only ever a handful: ids nobody started
      this._early.set(id, { reason, at: Date.now() })
    }
    return a !== undefined
  }

  /** Progress for one download, at most PROGRESS_PER_SECOND times a second (and at the end). */
  private _progress(file: string, total: number): (bytes: number, resumed: number) => void {
    const started = Date.now()
    let last = 0
    return (bytes, resumed) => {
      const now = Date.now()
      if (now - last < 1000 / PROGRESS_PER_SECOND && bytes < total) return
      last = now
      const rate = Math.round((bytes - resumed) / Math.max(0.001, (now - started) / 1000))
      this.emit('progress', { file, bytes, total, rate, state: 'fetching' })
    }
  }

  /**
   * What this device has of every file it sent or downloaded, from the profile (so it survives a
   * restart): whole files with their path, and for unfinished downloads how many bytes are here
   * (the chunks marked in the `.bits` file beside the `.part`). Running downloads say `active`.
   */
  states(): LocalFileState[] {
    const out: LocalFileState[] = []
    for (const f of this._local.values()) {
      const file = z32.encode(f.ref.id)
      const total = f.ref.size
      if (f.complete) {
        out.push({ file, complete: true, active: false, path: f.path, bytes: total, total })
        continue
      }
      out.push({ file, complete: false, active: this._active.has(file), path: null, bytes: partBytes(f), total })
    }
    return out
  }

  /** The whole local copy of a file (sent, or downloaded and checked), or null. */
  completePath(id: string): string | null {
    const f = this._local.get(hex(z32.decode(id)))
    return f !== undefined && f.complete ? f.path : null
  }

  private async _put(file: LocalFile): Promise<void> {
    this._local.set(hex(file.ref.id), file)
    await this._index.put(hex(file.ref.id), c.encode(localFile, file))
  }

  private async _forget(id: Buffer): Promise<void> {
    const file = this._local.get(hex(id))
    if (file === undefined || file.complete) return
    this._local.delete(hex(id))
    await this._index.del(hex(id))
  }
}

/** A file this device sent or (partly) downloaded, as `Files.states()` reports it. */
/** Bytes an unfinished download holds: its marked chunks (the last may be short). */
function partBytes(f: LocalFile): number {
  const part = f.path
  const bits = part.endsWith('.part') ? part.slice(0, -'.part'.length) + '.bits' : null
  if (bits === null || !fs.existsSync(bits)) return 0
  try {
    const marks = fs.readFileSync(bits)
    let have = 0
    for (const b of marks) if (b === 1) have++
    return Math.min(f.ref.size, have * f.ref.chunkSize)
  } catch {
    return 0
  }
}

function hex(id: Buffer): string {
  return b4a.toString(id, 'hex')
}
