import EventEmitter from 'bare-events'
import type Corestore from 'corestore'
import type Hypercore from 'hypercore'
import Hyperbee from 'hyperbee'
import b4a from 'b4a'
import c from 'compact-encoding'
import crypto from 'hypercore-crypto'
import fs from 'fs'
import z32 from 'z32'
import { PeerlineError } from '../errors'
import type { Log } from '../log'
import { fileRef } from '../wire/schemas'
import type { FileRef } from '../wire/schemas'
import type { Blocklist } from './blocklist'
import { pathInFolder, sanitizeFileName } from './file-name'
import { Sha256 } from './sha256'

/** Bytes per block of a file core. */
export const BLOCK_SIZE = 1024 * 1024
/** At most this many progress events a second per download. */
const PROGRESS_PER_SECOND = 4

export interface FileProgress {
  file: string
  bytes: number
  total: number
  /** bytes per second over the download so far */
  rate: number
}

export interface FilesEvents {
  progress: [FileProgress]
  done: [{ file: string; path: string }]
  failed: [{ file: string; code: string; message: string }]
}

interface Active {
  stopped: boolean
  cancel: boolean
  range: Hypercore.Download | null
}

/**
 * Files: each shared file is its own encrypted hypercore (blocks of BLOCK_SIZE), so a download
 * resumes from the blocks already here, verifies every block against the sender's signed tree,
 * and can come from any member who holds the core. Memory stays flat: files stream in and out.
 */
export class Files extends EventEmitter<FilesEvents> {
  private readonly _store: Corestore
  private readonly _index: Hyperbee<string, Buffer>
  private readonly _blocklist: Blocklist
  private readonly _log: Log
  private readonly _open = new Map<string, Hypercore<Buffer>>()
  private readonly _active = new Map<string, Active>()

  constructor(store: Corestore, blocklist: Blocklist, log: Log) {
    super()
    this._store = store.namespace('files')
    this._index = new Hyperbee<string, Buffer>(store.get({ name: 'files-index' }), { keyEncoding: 'utf-8', valueEncoding: 'binary' })
    this._blocklist = blocklist
    this._log = log
  }

  /** Opens every file core we hold, so members can fetch from us. */
  async ready(): Promise<void> {
    await this._index.ready()
    for await (const { value } of this._index.createReadStream()) {
      try {
        await this._core(c.decode(fileRef, value))
      } catch (err) {
        this._log('files: could not reopen a file core: ' + (err as Error).message)
      }
    }
  }

  async close(): Promise<void> {
    for (const a of this._active.values()) a.stopped = true
    for (const core of this._open.values()) await core.close()
    await this._index.close()
  }

  static id(ref: FileRef): string {
    return z32.encode(ref.key)
  }

  get blocklist(): Blocklist {
    return this._blocklist
  }

  /** Reads a file from disk into a new file core; FILE_NOT_FOUND if it cannot be read. */
  async add(filePath: string): Promise<FileRef> {
    let size: number
    try {
      const stat = fs.statSync(filePath)
      if (!stat.isFile()) throw new Error('not a file')
      size = stat.size
    } catch {
      throw new PeerlineError('FILE_NOT_FOUND', `Cannot read ${filePath}: no such file, or not allowed.`)
    }
    const encryptionKey = crypto.randomBytes(32)
    const core = this._store.get({ name: 'file/' + b4a.toString(crypto.randomBytes(16), 'hex'), encryptionKey })
    await core.ready()
    const hash = new Sha256()
    let bytes = 0
    try {
      for await (const chunk of fs.createReadStream(filePath, { highWaterMark: BLOCK_SIZE }) as AsyncIterable<Buffer>) {
        hash.update(chunk)
        bytes += chunk.byteLength
        await core.append(chunk)
      }
    } catch (err) {
      await core.close()
      throw new PeerlineError('FILE_NOT_FOUND', `Reading ${filePath} failed: ${(err as Error).message}`)
    }
    if (bytes !== size) this._log(`files: ${filePath} changed size while being read (${size} -> ${bytes})`)
    const key = core.key as Buffer
    const ref: FileRef = { key, encryptionKey, name: sanitizeFileName(filePath), size: bytes, sha256: hash.digest(), blockSize: BLOCK_SIZE }
    this._open.set(Files.id(ref), core)
    await this._index.put(b4a.toString(key, 'hex'), c.encode(fileRef, ref))
    return ref
  }

  /**
   * Downloads into `folder` (never outside it). Resolves with the final path once the SHA-256
   * matched; FILE_BLOCKED, FILE_CORRUPT (partial file deleted), FILE_PAUSED or FILE_CANCELLED.
   */
  async download(ref: FileRef, folder: string): Promise<{ path: string; resumed: number }> {
    const id = Files.id(ref)
    if (this._blocklist.has(ref.sha256)) {
      throw new PeerlineError('FILE_BLOCKED', `${ref.name} is on your blocklist and was not downloaded.`)
    }
    if (this._active.has(id)) throw PeerlineError.BAD_REQUEST('that file is already downloading')
    fs.mkdirSync(folder, { recursive: true })
    const target = freeName(pathInFolder(folder, ref.name))
    const part = target + '.part'
    const active: Active = { stopped: false, cancel: false, range: null }
    this._active.set(id, active)
    try {
      const core = await this._core(ref)
      // What an earlier attempt (or a restart) already brought here is not fetched again.
      const resumed = Math.min(ref.size, core.contiguousLength * ref.blockSize)
      await this._index.put(b4a.toString(ref.key, 'hex'), c.encode(fileRef, ref))
      // Ask for everything at once (linear): the replicator pipelines requests to every peer
      // that has the core, and blocks already here are not fetched again.
      active.range = core.download({ start: 0, end: -1, linear: true })
      await this._write(core, ref, part, active)
      if (active.stopped) {
        if (active.cancel) {
          fs.rmSync(part, { force: true })
          await core.clear(0, core.length)
          throw new PeerlineError('FILE_CANCELLED', `Download of ${ref.name} cancelled.`)
        }
        throw new PeerlineError('FILE_PAUSED', `Download of ${ref.name} paused; download it again to resume.`)
      }
      fs.renameSync(part, target)
      this.emit('done', { file: id, path: target })
      return { path: target, resumed }
    } catch (err) {
      const code = (err as PeerlineError).code ?? 'FILE_FAILED'
      this.emit('failed', { file: id, code, message: (err as Error).message })
      throw err
    } finally {
      active.range?.destroy()
      this._active.delete(id)
    }
  }

  pause(id: string): boolean {
    const a = this._active.get(id)
    if (a) a.stopped = true
    return a !== undefined
  }

  cancel(id: string): boolean {
    const a = this._active.get(id)
    if (a) {
      a.stopped = true
      a.cancel = true
    }
    return a !== undefined
  }

  /** Streams the core's blocks, in order, into `part`, hashing as it goes. */
  private async _write(core: Hypercore<Buffer>, ref: FileRef, part: string, active: Active): Promise<void> {
    const out = fs.createWriteStream(part)
    const hash = new Sha256()
    const started = Date.now()
    let bytes = 0
    let lastProgress = 0
    try {
      for (let i = 0; bytes < ref.size; i++) {
        if (active.stopped) return
        const block = await core.get(i)
        if (block === null) throw new Error('block ' + i + ' missing')
        hash.update(block)
        bytes += block.byteLength
        if (!out.write(block)) await new Promise<void>((resolve) => out.once('drain', () => resolve()))
        const now = Date.now()
        if (now - lastProgress >= 1000 / PROGRESS_PER_SECOND || bytes >= ref.size) {
          lastProgress = now
          const rate = Math.round(bytes / Math.max(0.001, (now - started) / 1000))
          this.emit('progress', { file: Files.id(ref), bytes, total: ref.size, rate })
        }
      }
    } finally {
      await new Promise<void>((resolve) => out.end(() => resolve()))
    }
    if (bytes !== ref.size || hash.digest() !== ref.sha256) {
      fs.rmSync(part, { force: true })
      throw new PeerlineError('FILE_CORRUPT', `${ref.name} did not match its SHA-256 and was deleted.`)
    }
  }

  private async _core(ref: FileRef): Promise<Hypercore<Buffer>> {
    const id = Files.id(ref)
    let core = this._open.get(id)
    if (core === undefined) {
      core = this._store.get({ key: ref.key, encryptionKey: ref.encryptionKey })
      this._open.set(id, core)
    }
    await core.ready()
    return core
  }
}

/** `name.ext`, or `name (1).ext`, ... if taken. */
function freeName(file: string): string {
  // A `.part` of the same name is an earlier attempt at this file: it is rewritten, not kept.
  if (!fs.existsSync(file)) return file
  const dot = file.lastIndexOf('.')
  const slash = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'))
  const [base, ext] = dot > slash + 1 ? [file.slice(0, dot), file.slice(dot)] : [file, '']
  for (let n = 1; ; n++) {
    const candidate = `${base} (${n})${ext}`
    if (!fs.existsSync(candidate)) return candidate
  }
}
