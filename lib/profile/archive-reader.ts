import fs from 'fs'
import b4a from 'b4a'
import sodium from 'sodium-universal'
import { PeerlineError } from '../errors'
import { HEADER_BYTES, MAX_FRAME_BYTES, archiveKey, decodeHeader, readU32 } from './archive-format'

const ABYTES = sodium.crypto_secretstream_xchacha20poly1305_ABYTES

export interface ArchiveRecord {
  type: number
  body: Buffer
}

/**
 * Reads an encrypted archive record by record. The first frame that fails to open means a wrong
 * passphrase; a later one, a missing TAG_FINAL, or bytes after it mean damage (ARCHIVE_CORRUPT).
 * A caller must read to the end (`records()` ends only after the final frame checked out) before
 * it trusts anything it read.
 */
export class ArchiveReader {
  readonly size: number
  private readonly _fd: number
  private _at = 0
  private readonly _state = b4a.alloc(sodium.crypto_secretstream_xchacha20poly1305_STATEBYTES)
  private _ad: Buffer = b4a.alloc(0)

  constructor(file: string) {
    try {
      this._fd = fs.openSync(file, 'r')
      this.size = fs.fstatSync(this._fd).size
    } catch {
      throw PeerlineError.FILE_NOT_FOUND(`Cannot read ${file}: no such file, or not allowed.`)
    }
  }

  get position(): number {
    return this._at
  }

  async open(passphrase: string): Promise<void> {
    this._ad = this._read(HEADER_BYTES, 'This is not a Peerline archive (it is too short).')
    const header = decodeHeader(this._ad)
    const key = await archiveKey(passphrase, header)
    sodium.crypto_secretstream_xchacha20poly1305_init_pull(this._state, header.streamHeader, key)
    sodium.sodium_memzero(key)
  }

  async *records(): AsyncGenerator<ArchiveRecord> {
    for (let i = 0; ; i++) {
      if (this._at >= this.size) throw PeerlineError.ARCHIVE_CORRUPT('This archive is cut short: its end is missing. Nothing was imported.')
      const length = readU32(this._read(4, ''), 0)
      if (length <= ABYTES || length > MAX_FRAME_BYTES) throw PeerlineError.ARCHIVE_CORRUPT()
      const cipher = this._read(length, 'This archive is cut short: its end is missing. Nothing was imported.')
      const plain = b4a.alloc(length - ABYTES)
      const tag = b4a.alloc(1)
      try {
        sodium.crypto_secretstream_xchacha20poly1305_pull(this._state, plain, tag, cipher, this._ad)
      } catch {
        throw i === 0 ? PeerlineError.PASSPHRASE_WRONG() : PeerlineError.ARCHIVE_CORRUPT()
      }
      const final = tag[0] === sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL
      if (final && this._at !== this.size) throw PeerlineError.ARCHIVE_CORRUPT('This archive has bytes after its end: it is damaged.')
      yield { type: plain[0], body: plain.subarray(1) }
      if (final) return
    }
  }

  close(): void {
    fs.closeSync(this._fd)
  }

  /** Exactly n bytes from where we are, or ARCHIVE_CORRUPT with `short` as the sentence. */
  private _read(n: number, short: string): Buffer {
    const buf = b4a.alloc(n)
    let got = 0
    while (got < n) {
      const r = fs.readSync(this._fd, buf, got, n - got, this._at + got)
      if (r === 0) break
      got += r
    }
    this._at += got
    if (got < n) throw short ? PeerlineError.ARCHIVE_CORRUPT(short) : PeerlineError.ARCHIVE_CORRUPT()
    return buf
  }
}
