import fs from 'fs'
import path from 'path'
import b4a from 'b4a'
import c from 'compact-encoding'
import type Corestore from 'corestore'
import CoreStorage from 'hypercore-storage'
import { PeerlineError, isPeerlineError } from '../errors'
import { BLOCKLIST_FILE } from '../files/blocklist'
import { pathInFolder, sanitizeFileName } from '../files/file-name'
import { SEED_FILE, STORE_DIR } from '../identity/identity'
import { commitStaged, stageDurable, syncFolder } from '../storage/durable-file'
import { struct } from '../wire/struct'
import { ARCHIVE_VERSION, RECORD_END, RECORD_FILE, RECORD_HELD_FILE, RECORD_META, RECORD_STORE } from './archive-format'
import { ArchiveReader } from './archive-reader'
import { ArchiveWriter } from './archive-writer'
import { markImported } from '../rooms/writer-catch-up'

// What an archive holds, and why it is the store itself: a room's history is an Autobase, made of
// every member's hypercore and the view built from them. Copying the Corestore's records (one
// RocksDB snapshot, so one consistent point in time, as a crash would leave it) brings back the
// same cores under the same keys, the same writer keys, contacts, settings and room list; what
// hypercore-storage stores is something it already migrates between its versions.

/** The profile files beside the Corestore that an archive carries (a fixed list: names are input). */
const PROFILE_FILES = [SEED_FILE, BLOCKLIST_FILE]
const FILE_MODES: Record<string, number> = { [SEED_FILE]: 0o600, [BLOCKLIST_FILE]: 0o644 }
/** Store records per frame, about this many bytes. */
const BATCH_BYTES = 256 * 1024
/** Where an import is built before it replaces anything. */
export const STAGING_DIR = 'import.staging'
/** Where the files an archive carried are put, in the profile folder. */
export const HELD_FILES_DIR = 'files'
/** A carried file goes in pieces of this size (one frame each). */
const PIECE_BYTES = 1024 * 1024

interface FileRecord {
  name: string
  data: Buffer
}
const fileRecord = struct<FileRecord>({ name: c.string, data: c.buffer as c.Encoding<Buffer> })

interface StoreEntry {
  key: Buffer
  value: Buffer
}
const storeBatch = c.array(struct<StoreEntry>({ key: c.buffer as c.Encoding<Buffer>, value: c.buffer as c.Encoding<Buffer> })) as c.Encoding<StoreEntry[]>

interface HeldPiece {
  id: Buffer
  name: string
  offset: number
  data: Buffer
}
const heldPiece = struct<HeldPiece>({ id: c.fixed32 as c.Encoding<Buffer>, name: c.string, offset: c.uint, data: c.buffer as c.Encoding<Buffer> })

/** A file this device holds whole (see Files.held), to carry in the archive. */
export interface HeldFile {
  id: Buffer
  name: string
  path: string
}

export interface ArchiveMeta {
  app: 'peerline'
  format: number
  number: string
  publicKey: string
  created: number
  entries: number
  files: number
  /** pieces of carried files (absent in archives without files) */
  pieces?: number
}

export interface Progress {
  done: number
  total: number
}

export interface ExportSource {
  storage: string
  store: Pick<Corestore, 'storage'>
  number: string
  publicKey: Buffer
  /** files to carry too (none unless asked) */
  held?: HeldFile[]
}

/** Writes `file`, whole or not at all. Progress counts store records and files. */
export async function exportProfile(src: ExportSource, file: string, passphrase: string, onprogress: (p: Progress) => void = () => {}): Promise<{ bytes: number; entries: number }> {
  const files = PROFILE_FILES.filter((name) => fs.existsSync(path.join(src.storage, name)))
  const held = (src.held ?? []).map((f) => ({ ...f, size: fs.statSync(f.path).size }))
  const pieces = held.reduce((n, f) => n + Math.max(1, Math.ceil(f.size / PIECE_BYTES)), 0)
  const snapshot = src.store.storage.db.snapshot()
  const writer = new ArchiveWriter(file)
  try {
    let entries = 0
    for await (const _ of snapshot.iterator({}, { values: false })) entries++
    const total = entries + files.length + pieces
    await writer.open(passphrase)
    const meta: ArchiveMeta = { app: 'peerline', format: ARCHIVE_VERSION, number: src.number, publicKey: b4a.toString(src.publicKey, 'hex'), created: Date.now(), entries, files: files.length, pieces }
    writer.push(RECORD_META, b4a.from(JSON.stringify(meta)))
    for (const name of files) writer.push(RECORD_FILE, c.encode(fileRecord, { name, data: b4a.from(fs.readFileSync(path.join(src.storage, name))) }))
    let done = files.length
    onprogress({ done, total })
    let batch: StoreEntry[] = []
    let bytes = 0
    const flush = (): void => {
      writer.push(RECORD_STORE, c.encode(storeBatch, batch))
      done += batch.length
      batch = []
      bytes = 0
      onprogress({ done, total })
    }
    for await (const { key, value } of snapshot.iterator({})) {
      batch.push({ key: b4a.from(key), value: b4a.from(value) })
      bytes += key.byteLength + value.byteLength
      if (bytes >= BATCH_BYTES) flush()
    }
    if (batch.length > 0) flush()
    // The snapshot saw what it saw: a count that moved means we read two different states.
    if (done !== entries + files.length) throw new Error(`the store changed under its snapshot (${done} of ${total} records)`)
    for (const f of held) {
      const fd = fs.openSync(f.path, 'r')
      try {
        for (let offset = 0, first = true; first || offset < f.size; first = false) {
          const data = b4a.alloc(Math.min(PIECE_BYTES, f.size - offset))
          let got = 0
          while (got < data.byteLength) {
            const n = fs.readSync(fd, data, got, data.byteLength - got, offset + got)
            if (n === 0) throw new Error(`${f.path} got shorter while it was exported`)
            got += n
          }
          writer.push(RECORD_HELD_FILE, c.encode(heldPiece, { id: f.id, name: f.name, offset, data }))
          offset += data.byteLength
          onprogress({ done: ++done, total })
        }
      } finally {
        fs.closeSync(fd)
      }
    }
    writer.finish(RECORD_END, b4a.from(JSON.stringify({ entries, files: files.length, pieces })))
    return { bytes: writer.written, entries }
  } catch (err) {
    writer.abort()
    throw err
  } finally {
    await snapshot.close()
  }
}

export interface StagedImport {
  dir: string
  meta: ArchiveMeta
  files: string[]
  /** carried files: id (hex) -> name of the file in the staging's `files` folder */
  held: Map<string, string>
}

/**
 * Reads and checks a whole archive into `<storage>/import.staging` (a new Corestore and the
 * profile files). Nothing of the running profile changes; on any failure the staging is removed
 * and the error says why (PASSPHRASE_WRONG, ARCHIVE_CORRUPT, ARCHIVE_UNSUPPORTED).
 */
export async function stageImport(storage: string, file: string, passphrase: string, onprogress: (p: Progress) => void = () => {}): Promise<StagedImport> {
  const dir = path.join(storage, STAGING_DIR)
  fs.rmSync(dir, { recursive: true, force: true })
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  const reader = new ArchiveReader(file)
  let target: CoreStorage | null = null
  try {
    await reader.open(passphrase)
    target = new CoreStorage(path.join(dir, STORE_DIR))
    await target.ready()
    let meta: ArchiveMeta | null = null
    const files: string[] = []
    let entries = 0
    let pieces = 0
    let ended = false
    const held = new Map<string, string>()
    const heldSize = new Map<string, number>()
    for await (const { type, body } of reader.records()) {
      if (meta === null && type !== RECORD_META) throw PeerlineError.ARCHIVE_CORRUPT()
      if (type === RECORD_META) {
        if (meta !== null) throw PeerlineError.ARCHIVE_CORRUPT()
        meta = parseMeta(body)
      } else if (type === RECORD_FILE) {
        const f = decode(fileRecord, body)
        if (!PROFILE_FILES.includes(f.name) || files.includes(f.name)) throw PeerlineError.ARCHIVE_CORRUPT()
        fs.writeFileSync(path.join(dir, f.name), f.data, { mode: FILE_MODES[f.name] })
        files.push(f.name)
      } else if (type === RECORD_STORE) {
        const batch = decode(storeBatch, body)
        const w = target.db.write({ autoDestroy: true })
        for (const { key, value } of batch) w.tryPut(key, value)
        await w.flush()
        entries += batch.length
      } else if (type === RECORD_HELD_FILE) {
        const piece = decode(heldPiece, body)
        const id = b4a.toString(piece.id, 'hex')
        // Pieces come in order, each file's after its previous one: anything else is damage.
        if ((heldSize.get(id) ?? 0) !== piece.offset) throw PeerlineError.ARCHIVE_CORRUPT()
        if (!held.has(id)) {
          held.set(id, id.slice(0, 16) + '-' + sanitizeFileName(piece.name))
          fs.mkdirSync(path.join(dir, HELD_FILES_DIR), { recursive: true })
        }
        fs.appendFileSync(pathInFolder(path.join(dir, HELD_FILES_DIR), held.get(id) ?? ''), piece.data)
        heldSize.set(id, piece.offset + piece.data.byteLength)
        pieces++
      } else if (type === RECORD_END) {
        const end = parseJson(body) as { entries?: unknown; files?: unknown; pieces?: unknown }
        if (end.entries !== entries || end.files !== files.length || (end.pieces ?? 0) !== pieces) throw PeerlineError.ARCHIVE_CORRUPT()
        ended = true
      }
      // other types: from a later writer of this version, safe to skip
      if (meta !== null) onprogress({ done: entries + files.length + pieces, total: meta.entries + meta.files + (meta.pieces ?? 0) })
    }
    if (meta === null || !ended || entries !== meta.entries || !files.includes(SEED_FILE)) throw PeerlineError.ARCHIVE_CORRUPT()
    await target.close()
    target = null
    return { dir, meta, files, held }
  } catch (err) {
    if (target !== null) await target.close().catch(() => {})
    fs.rmSync(dir, { recursive: true, force: true })
    throw err
  } finally {
    reader.close()
  }
}

/**
 * Puts a staged import in place of the profile's Corestore and files. The Corestore using the
 * profile must be closed. The seed is renamed last, so until then the old identity stays.
 */
export function commitImport(storage: string, staged: StagedImport): void {
  const store = path.join(storage, STORE_DIR)
  const replaced = path.join(storage, STORE_DIR + '.replaced')
  fs.rmSync(replaced, { recursive: true, force: true })
  if (fs.existsSync(store)) fs.renameSync(store, replaced)
  fs.renameSync(path.join(staged.dir, STORE_DIR), store)
  // Before the seed: the first open with this store must already know its writers may be behind.
  markImported(storage)
  syncFolder(storage)
  for (const name of PROFILE_FILES) {
    const to = path.join(storage, name)
    if (staged.files.includes(name)) {
      commitStaged(stageDurable(to, fs.readFileSync(path.join(staged.dir, name)), { mode: FILE_MODES[name] }), to)
    } else {
      fs.rmSync(to, { force: true })
    }
  }
  if (staged.held.size > 0) {
    const folder = path.join(storage, HELD_FILES_DIR)
    fs.mkdirSync(folder, { recursive: true })
    for (const name of staged.held.values()) fs.renameSync(path.join(staged.dir, HELD_FILES_DIR, name), path.join(folder, name))
  }
  fs.rmSync(replaced, { recursive: true, force: true })
  fs.rmSync(staged.dir, { recursive: true, force: true })
}

export function discardImport(staged: StagedImport): void {
  fs.rmSync(staged.dir, { recursive: true, force: true })
}

/** A frame's body, whole: the archive format does not grow by trailing fields, so extra bytes are damage. */
function decode<T>(enc: c.Encoding<T>, body: Buffer): T {
  const state = { start: 0, end: body.byteLength, buffer: body }
  let value: T
  try {
    value = enc.decode(state)
  } catch {
    throw PeerlineError.ARCHIVE_CORRUPT()
  }
  if (state.start !== state.end) throw PeerlineError.ARCHIVE_CORRUPT()
  return value
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(b4a.toString(body, 'utf8'))
  } catch (err) {
    throw isPeerlineError(err) ? err : PeerlineError.ARCHIVE_CORRUPT()
  }
}

function parseMeta(body: Buffer): ArchiveMeta {
  const m = parseJson(body) as Partial<ArchiveMeta> | null
  if (m === null || typeof m !== 'object' || m.app !== 'peerline') throw PeerlineError.ARCHIVE_CORRUPT()
  if (m.format !== ARCHIVE_VERSION) throw PeerlineError.ARCHIVE_UNSUPPORTED()
  const count = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0
  if (typeof m.number !== 'string' || typeof m.publicKey !== 'string' || !count(m.entries) || !count(m.files) || !count(m.created) || (m.pieces !== undefined && !count(m.pieces))) {
    throw PeerlineError.ARCHIVE_CORRUPT()
  }
  return m as ArchiveMeta
}
