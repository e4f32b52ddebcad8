import b4a from 'b4a'
import fs from 'fs'
import { PeerlineError } from '../errors'
import type { Log } from '../log'
import type { FileData, FileManifest, FileRef } from '../wire/schemas'
import type { FileChannel } from './file-channel'
import { closeFile, openFile, readAt, truncate, writeAt } from './file-io'
import { MANIFEST_PAGE } from './file-server'
import { chunkCount, HASH_BYTES, hashOpenFile, manifestRoot } from './manifest'
import { Sha256 } from './sha256'

/**
 * Chunks per request, and requests in flight per source: 32 MiB in flight. On two busy cores 8
 * requests kept up with the raw stream where 4 fell behind (0.74-0.81x against 0.40-0.65x).
 */
const REQUEST_CHUNKS = 4
const IN_FLIGHT = 8
/** The resume state is saved after this many bytes are written (and on pause, close, failure). */
const SAVE_EVERY = 16 * 1024 * 1024

// What we know of each chunk.
const MISSING = 0
const ASKED = 1
const WRITING = 2
/** written and checked in this run */
const STORED = 3
/** on disk from an earlier run, read back and checked when the in-order walk reaches it */
const EARLIER = 4

interface Request {
  left: number
}

interface Source {
  ch: FileChannel
  /** answered our query: has the file and grants it to us */
  ready: boolean
  bad: boolean
  requests: number
  asked: Map<number, Request>
}

export type StopReason = 'pause' | 'cancel' | 'close'

export interface DownloadOptions {
  ref: FileRef
  /** the `.part` file bytes are written into; `.bits` beside it says which chunks it holds */
  part: string
  bits: string
  /** the chunk hashes, if an earlier run fetched them */
  hashes: Buffer | null
  log: Log
  /** the chunk hashes were fetched and match the root: keep them for a resume, and for serving */
  onmanifest: (hashes: Buffer) => Promise<void>
  onprogress: (bytes: number) => void
}

/**
 * One download: fetches the chunk hashes (checked against the announced root), then keeps
 * IN_FLIGHT requests of REQUEST_CHUNKS chunks in flight to every source, checks each chunk's hash as
 * it lands and writes it at its offset, and saves which chunks it has, so a restart resumes. The
 * SHA-256 of the whole file is taken once, at the end, from what is on disk. A source that sends a bad chunk is dropped; with no good source
 * left the download fails with FILE_CORRUPT. Memory: what is in flight, not the file.
 */
export class Download {
  readonly ref: FileRef
  /** bytes already here when this run started */
  resumed = 0
  private readonly _o: DownloadOptions
  private readonly _n: number
  private readonly _state: Uint8Array
  private readonly _bits: Buffer
  private readonly _sources = new Map<string, Source>()
  private _hashes: Buffer | null
  /** pages of chunk hashes as they arrive: memory follows what peers sent, not what was announced */
  private _pages: Buffer[] = []
  private _manifestHave = 0
  private _fd = -1
  private _cursor = 0
  private _have = 0
  private _unsaved = 0
  private _saving: Promise<void> | null = null
  private _writes = new Set<Promise<void>>()
  /** chunks 0.._hashed-1 are on disk and checked (this run's on arrival, earlier ones read back) */
  private _hashed = 0
  private _hashing = false
  private _sawBad = false
  private _ended = false
  private _settle: { resolve: () => void; reject: (err: Error) => void } | null = null
  private _done: Promise<void> | null = null

  constructor(opts: DownloadOptions) {
    this._o = opts
    this.ref = opts.ref
    this._n = chunkCount(opts.ref.size, opts.ref.chunkSize)
    this._state = new Uint8Array(this._n)
    this._bits = b4a.alloc(this._n)
    this._hashes = opts.hashes !== null && opts.hashes.byteLength === this._n * HASH_BYTES ? opts.hashes : null
  }

  /** Opens the `.part` file and reads what an earlier run left; call before adding sources. */
  async open(): Promise<void> {
    this._done = new Promise<void>((resolve, reject) => {
      this._settle = { resolve, reject }
    })
    this._done.catch(() => {}) // run() hands it on
    const earlier = fs.existsSync(this._o.part) && fs.existsSync(this._o.bits) ? fs.readFileSync(this._o.bits) : null
    const fd = await openFile(this._o.part, earlier ? 'r+' : 'w+')
    if (this._ended) return void (await closeFile(fd)) // stopped while opening
    this._fd = fd
    if (earlier !== null && earlier.byteLength === this._n) {
      for (let i = 0; i < this._n; i++) if (earlier[i] === 1) this._setEarlier(i)
    }
    this.resumed = Math.min(this.ref.size, this._have * this.ref.chunkSize)
    if (this._hashes === null && this._n === 0) this._hashes = b4a.alloc(0)
    if (this._hashes !== null) this._advance()
  }

  /** Resolves when every chunk is here and the whole file matched its SHA-256. */
  run(): Promise<void> {
    if (this._done === null) throw new Error('open() first')
    return this._done
  }

  addSource(ch: FileChannel): void {
    if (this._ended || this._sources.has(ch.id)) return
    this._sources.set(ch.id, { ch, ready: false, bad: false, requests: 0, asked: new Map() })
    // A query past the end only asks "do you have it" when we already hold the hashes.
    ch.query({ id: this.ref.id, first: this._hashes === null ? this._manifestHave : this._n })
  }

  /** Is anyone connected who has the file and will give it to us? */
  hasSource(): boolean {
    for (const s of this._sources.values()) if (s.ready && !s.bad) return true
    return false
  }

  /**
   * The source answered "none". Before it granted the file that means "not mine to give": it is
   * simply not a source. After, it had the file and now refuses it (its copy changed since it was
   * shared, or was moved): a source lost like a lying one, so with none left the download fails.
   */
  refused(ch: FileChannel): void {
    const s = this._sources.get(ch.id)
    if (s === undefined || s.bad) return
    if (s.ready) this._bad(s, 'no longer has it as announced')
    else this.removeSource(ch)
  }

  /** The source's channel closed: its chunks go back to be asked of someone else. */
  removeSource(ch: FileChannel): void {
    const s = this._sources.get(ch.id)
    if (s === undefined) return
    this._drop(s)
    this._askManifest()
    this._checkSources()
    this._pump()
  }

  onmanifest(ch: FileChannel, m: FileManifest): void {
    const s = this._sources.get(ch.id)
    if (this._ended || s === undefined || s.bad) return
    s.ready = true
    if (this._hashes === null && m.first === this._manifestHave && m.first < this._n) {
      const count = m.hashes.byteLength / HASH_BYTES
      if (!Number.isInteger(count) || count === 0 || m.first + count > this._n || (count < MANIFEST_PAGE && m.first + count < this._n)) {
        return this._bad(s, 'sent chunk hashes that do not fit the file')
      }
      this._pages.push(b4a.from(m.hashes)) // a copy: the frame's buffer is the connection's
      this._manifestHave += count
      if (this._manifestHave < this._n) return void ch.query({ id: this.ref.id, first: this._manifestHave })
      const manifest = this._pages.length === 1 ? this._pages[0] : b4a.concat(this._pages)
      this._pages = []
      if (!b4a.equals(manifestRoot(manifest), this.ref.root)) {
        this._manifestHave = 0
        return this._bad(s, 'sent chunk hashes that do not match the announced root')
      }
      this._hashes = manifest
      this._o.onmanifest(manifest).catch((err: Error) => this._o.log('files: could not save chunk hashes: ' + err.message))
      this._advance()
    }
    this._pump()
  }

  ondata(ch: FileChannel, m: FileData): void {
    const s = this._sources.get(ch.id)
    const req = s?.asked.get(m.index)
    if (this._ended || s === undefined || req === undefined || this._hashes === null) return // not asked for: late, after a pause
    s.asked.delete(m.index)
    const hash = this._hashes.subarray(m.index * HASH_BYTES, (m.index + 1) * HASH_BYTES)
    if (m.data.byteLength !== this._length(m.index) || !b4a.equals(Sha256.of(m.data), hash)) {
      this._missing(m.index)
      return this._bad(s, `sent chunk ${m.index} with the wrong bytes`)
    }
    this._state[m.index] = WRITING
    const write = writeAt(this._fd, m.data, m.index * this.ref.chunkSize).then(
      () => {
        this._writes.delete(write)
        this._state[m.index] = STORED
        this._bits[m.index] = 1
        this._have++
        if (this._ended) return // a pause: it is on disk, and the .bits saved next says so
        this._unsaved += m.data.byteLength
        if (--req.left === 0) s.requests--
        this._o.onprogress(this._bytes())
        if (this._unsaved >= SAVE_EVERY) this._save()
        this._advance()
        this._pump()
      },
      (err: Error) => {
        this._writes.delete(write)
        this._end(PeerlineError.NOT_WRITABLE(`Cannot write ${this._o.part}: ${err.message}`))
      }
    )
    this._writes.add(write)
  }

  /** Pause, cancel or shut down: keeps (or, on cancel, deletes) what is on disk. */
  stop(reason: StopReason): void {
    const name = this.ref.name
    if (reason === 'cancel') this._end(PeerlineError.FILE_CANCELLED(name), true)
    else if (reason === 'pause') this._end(PeerlineError.FILE_PAUSED(name), false)
    else this._end(PeerlineError.FILE_PAUSED(name, `Download of ${name} stopped: Peerline is closing.`), false)
  }

  private _length(i: number): number {
    return Math.min(this.ref.chunkSize, this.ref.size - i * this.ref.chunkSize)
  }

  /** Bytes on disk and checked so far. */
  bytes(): number {
    return this._bytes()
  }

  private _bytes(): number {
    const lastHere = this._n > 0 && this._bits[this._n - 1] === 1
    return this._have * this.ref.chunkSize - (lastHere ? this.ref.chunkSize - this._length(this._n - 1) : 0)
  }

  private _setEarlier(i: number): void {
    this._state[i] = EARLIER
    this._bits[i] = 1
    this._have++
  }

  /** Gives every ready source requests for missing chunks, up to IN_FLIGHT. */
  private _pump(): void {
    if (this._ended || this._hashes === null) return
    for (const s of this._sources.values()) {
      if (!s.ready || s.bad) continue
      while (s.requests < IN_FLIGHT) {
        while (this._cursor < this._n && this._state[this._cursor] !== MISSING) this._cursor++
        if (this._cursor === this._n) return
        const index = this._cursor
        const req: Request = { left: 0 }
        while (req.left < REQUEST_CHUNKS && this._cursor < this._n && this._state[this._cursor] === MISSING) {
          this._state[this._cursor] = ASKED
          s.asked.set(this._cursor++, req)
          req.left++
        }
        s.requests++
        s.ch.request({ id: this.ref.id, index, count: req.left })
      }
    }
  }

  /** Puts a source's outstanding chunks back to be asked of someone else. */
  private _drop(s: Source): void {
    this._sources.delete(s.ch.id)
    for (const index of s.asked.keys()) this._missing(index)
    s.asked.clear()
  }

  private _missing(index: number): void {
    this._state[index] = MISSING
    if (index < this._cursor) this._cursor = index
  }

  private _bad(s: Source, what: string): void {
    this._o.log(`files: ${s.ch.id.slice(0, 8)} ${what} of ${this.ref.name}; not asking it again`)
    this._sawBad = true
    this._drop(s)
    this._sources.set(s.ch.id, { ...s, bad: true, ready: false, asked: new Map() })
    this._askManifest()
    this._checkSources()
    this._pump()
  }

  /** While the chunk hashes are incomplete, asks another source that has the file for the rest. */
  private _askManifest(): void {
    if (this._hashes !== null) return
    const other = [...this._sources.values()].find((o) => o.ready && !o.bad)
    other?.ch.query({ id: this.ref.id, first: this._manifestHave })
  }

  /** Once a source lied and no honest one is left, the file as announced cannot be had. */
  private _checkSources(): void {
    if (!this._sawBad || [...this._sources.values()].some((s) => !s.bad)) return
    this._end(
      PeerlineError.FILE_CORRUPT(`${this.ref.name}: the member who has it sends bytes that do not match it, or changed it since sharing it; the partial file was deleted.`),
      true
    )
  }

  /** Walks the file in chunk order as chunks are written, checking those an earlier run left. */
  private _advance(): void {
    if (this._hashing || this._ended || this._hashes === null) return
    this._hashing = true
    this._hashNext().then(
      () => {
        this._hashing = false
        if (this._ended) return
        if (this._hashed === this._n) this._finish()
        else if (this._state[this._hashed] === STORED || this._state[this._hashed] === EARLIER) this._advance()
      },
      (err: Error) => {
        this._hashing = false
        this._end(PeerlineError.NOT_WRITABLE(`Cannot read back ${this._o.part}: ${err.message}`))
      }
    )
  }

  private async _hashNext(): Promise<void> {
    const hashes = this._hashes as Buffer
    while (!this._ended && this._hashed < this._n) {
      const i = this._hashed
      const state = this._state[i]
      if (state !== STORED && state !== EARLIER) return
      if (state === EARLIER) {
        const data = await readAt(this._fd, this._length(i), i * this.ref.chunkSize)
        if (this._ended) return
        if (!b4a.equals(Sha256.of(data), hashes.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES))) {
          // Not what an earlier run recorded (say the machine crashed before it reached the disk).
          this._bits[i] = 0
          this._have--
          this._missing(i)
          this._pump()
          return
        }
      }
      this._hashed++
    }
  }

  /** Every chunk is here and checked; _end reads the file back for its SHA-256. */
  private _finish(): void {
    this._end(null, true)
  }

  /** Ends the run once: waits for writes in flight, saves or deletes the resume state, closes. */
  private _end(reason: PeerlineError | null, discard = false): void {
    if (this._ended) return
    this._ended = true
    this._pages = []
    const settle = this._settle
    const close = async (): Promise<PeerlineError | null> => {
      let err = reason
      await Promise.allSettled([...this._writes])
      if (this._saving) await this._saving
      if (err === null) {
        // A `.part` left by an earlier run may be longer than this file.
        await truncate(this._fd, this.ref.size)
        // What counts is what is on disk, not what we meant to write: read it all back once.
        const onDisk = await hashOpenFile(this._fd, this.ref.size, this.ref.chunkSize)
        if (onDisk.sha256 !== this.ref.sha256) err = corrupt(this.ref.name)
      }
      if (this._fd !== -1) await closeFile(this._fd)
      if (discard || err === null) fs.rmSync(this._o.bits, { force: true })
      if (discard && err !== null) fs.rmSync(this._o.part, { force: true })
      else if (err !== null) await this._write()
      return err
    }
    close().then(
      (err) => (err ? settle?.reject(err) : settle?.resolve()),
      (closeErr: Error) => settle?.reject(reason ?? closeErr)
    )
  }

  private _save(): void {
    if (this._saving) return
    this._unsaved = 0
    this._saving = this._write()
      .catch((err: Error) => this._o.log('files: could not save resume state: ' + err.message))
      .finally(() => {
        this._saving = null
      })
  }

  /** Replaces `.bits` with which chunks are on disk now (written first, so a crash leaves the old one). */
  private async _write(): Promise<void> {
    const tmp = this._o.bits + '.tmp'
    await new Promise<void>((resolve, reject) => fs.writeFile(tmp, b4a.from(this._bits), (e) => (e ? reject(e) : resolve())))
    await new Promise<void>((resolve, reject) => fs.rename(tmp, this._o.bits, (e) => (e ? reject(e) : resolve())))
  }
}

function corrupt(name: string): PeerlineError {
  return PeerlineError.FILE_CORRUPT(`${name} did not match its SHA-256 (read back from disk) and was deleted.`)
}
