import b4a from 'b4a'
import sodium from 'sodium-universal'
import { DurableStream } from '../storage/durable-stream'
import { archiveKey, encodeHeader, newHeader, writeU32 } from './archive-format'

const ABYTES = sodium.crypto_secretstream_xchacha20poly1305_ABYTES

/**
 * Writes an encrypted archive (see archive-format.ts): `open()` derives the key and writes the
 * header, `push()` one record per frame, `finish()` the last record (TAG_FINAL) and puts the file
 * in place whole. Until then only a temp file beside it exists; `abort()` removes that.
 */
export class ArchiveWriter {
  private readonly _out: DurableStream
  private readonly _state = b4a.alloc(sodium.crypto_secretstream_xchacha20poly1305_STATEBYTES)
  private _ad: Buffer = b4a.alloc(0)

  constructor(file: string) {
    this._out = new DurableStream(file, { mode: 0o600 })
  }

  get written(): number {
    return this._out.written
  }

  async open(passphrase: string): Promise<void> {
    const header = newHeader()
    const key = await archiveKey(passphrase, header)
    sodium.crypto_secretstream_xchacha20poly1305_init_push(this._state, header.streamHeader, key)
    sodium.sodium_memzero(key)
    this._ad = encodeHeader(header)
    this._out.write(this._ad)
  }

  push(type: number, body: Uint8Array): void {
    this._frame(type, body, sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE)
  }

  finish(type: number, body: Uint8Array): void {
    this._frame(type, body, sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL)
    this._out.commit()
  }

  abort(): void {
    this._out.abort()
  }

  private _frame(type: number, body: Uint8Array, tag: number): void {
    const plain = b4a.alloc(1 + body.byteLength)
    plain[0] = type
    plain.set(body, 1)
    const frame = b4a.alloc(4 + plain.byteLength + ABYTES)
    writeU32(frame, 0, plain.byteLength + ABYTES)
    sodium.crypto_secretstream_xchacha20poly1305_push(this._state, frame.subarray(4), plain, this._ad, tag)
    this._out.write(frame)
  }
}
