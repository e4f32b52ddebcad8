import b4a from 'b4a'
import sodium from 'sodium-universal'
import { PeerlineError } from '../errors'

// A profile archive, version 1:
//   header  MAGIC (16) | version u8 | kdf u8 (2 = Argon2id) | opslimit u32le | memlimit u32le | salt (16)
//           | secretstream header (24)
//   frames  length u32le | secretstream ciphertext (the header above is the additional data of each)
// Each frame's plaintext is one record: a type byte and its body. The last frame carries
// TAG_FINAL, and nothing may follow it: a cut or damaged archive never passes as whole.

export const MAGIC = b4a.from('PEERLINE-ARCHIVE') // 16 bytes
export const ARCHIVE_VERSION = 1
export const KDF_ARGON2ID = 2
const SALT_BYTES = 16
const STREAM_HEADER_BYTES = 24
export const HEADER_BYTES = MAGIC.byteLength + 1 + 1 + 4 + 4 + SALT_BYTES + STREAM_HEADER_BYTES
/** No frame we write comes near this; a larger length is damage, not something to allocate. */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024

// An archive is attackable offline for as long as it exists: libsodium's "moderate" cost (256 MiB,
// 3 passes, about a second here) rather than the interactive one.
export const KDF_OPSLIMIT = 3
export const KDF_MEMLIMIT = 256 * 1024 * 1024
// What a reader agrees to spend on a header it did not write (a hostile one could ask for 4 GiB).
const MAX_OPSLIMIT = 10
const MAX_MEMLIMIT = 1024 * 1024 * 1024
export const MIN_PASSPHRASE = 8

// Record types (a reader skips types it does not know: a later writer may add some).
export const RECORD_META = 1
export const RECORD_FILE = 2
export const RECORD_STORE = 3
export const RECORD_END = 4
/** A piece of a shared or downloaded file (only when the export was asked to carry files). */
export const RECORD_HELD_FILE = 5

export interface ArchiveHeader {
  version: number
  opslimit: number
  memlimit: number
  salt: Buffer
  streamHeader: Buffer
}

export function newHeader(): ArchiveHeader {
  const salt = b4a.alloc(SALT_BYTES)
  sodium.randombytes_buf(salt)
  return { version: ARCHIVE_VERSION, opslimit: KDF_OPSLIMIT, memlimit: KDF_MEMLIMIT, salt, streamHeader: b4a.alloc(STREAM_HEADER_BYTES) }
}

export function encodeHeader(h: ArchiveHeader): Buffer {
  const buf = b4a.alloc(HEADER_BYTES)
  let at = 0
  buf.set(MAGIC, at)
  at += MAGIC.byteLength
  buf[at++] = h.version
  buf[at++] = KDF_ARGON2ID
  writeU32(buf, at, h.opslimit)
  writeU32(buf, at + 4, h.memlimit)
  at += 8
  buf.set(h.salt, at)
  buf.set(h.streamHeader, at + SALT_BYTES)
  return buf
}

/** ARCHIVE_CORRUPT for what is not an archive, ARCHIVE_UNSUPPORTED for a newer one. */
export function decodeHeader(buf: Buffer): ArchiveHeader {
  if (buf.byteLength < HEADER_BYTES || !b4a.equals(buf.subarray(0, MAGIC.byteLength), MAGIC)) {
    throw PeerlineError.ARCHIVE_CORRUPT('This is not a Peerline archive (or its start is missing).')
  }
  let at = MAGIC.byteLength
  const version = buf[at++]
  const kdf = buf[at++]
  if (version !== ARCHIVE_VERSION || kdf !== KDF_ARGON2ID) throw PeerlineError.ARCHIVE_UNSUPPORTED()
  const opslimit = readU32(buf, at)
  const memlimit = readU32(buf, at + 4)
  at += 8
  if (opslimit < sodium.crypto_pwhash_OPSLIMIT_MIN || opslimit > MAX_OPSLIMIT || memlimit < sodium.crypto_pwhash_MEMLIMIT_MIN || memlimit > MAX_MEMLIMIT) {
    throw PeerlineError.ARCHIVE_CORRUPT('This archive asks for an impossible key derivation: it is damaged.')
  }
  return {
    version,
    opslimit,
    memlimit,
    salt: b4a.from(buf.subarray(at, at + SALT_BYTES)),
    streamHeader: b4a.from(buf.subarray(at + SALT_BYTES, at + SALT_BYTES + STREAM_HEADER_BYTES))
  }
}

/** The archive key: Argon2id over the passphrase and the archive's own random salt (off the event loop). */
export async function archiveKey(passphrase: string, h: ArchiveHeader): Promise<Buffer> {
  const key = b4a.alloc(sodium.crypto_secretstream_xchacha20poly1305_KEYBYTES)
  await sodium.crypto_pwhash_async(key, b4a.from(passphrase.normalize('NFC')), h.salt, h.opslimit, h.memlimit, sodium.crypto_pwhash_ALG_ARGON2ID13)
  return key
}

export function checkPassphrase(passphrase: string): void {
  if ([...passphrase].length < MIN_PASSPHRASE) {
    throw PeerlineError.BAD_REQUEST(`"passphrase" must be at least ${MIN_PASSPHRASE} characters`)
  }
}

// Little-endian by hand: Node's Buffer and Bare's agree on these bytes whatever their helpers do.
export function writeU32(buf: Uint8Array, at: number, n: number): void {
  buf[at] = n & 0xff
  buf[at + 1] = (n >>> 8) & 0xff
  buf[at + 2] = (n >>> 16) & 0xff
  buf[at + 3] = (n >>> 24) & 0xff
}

export function readU32(buf: Uint8Array, at: number): number {
  return (buf[at] | (buf[at + 1] << 8) | (buf[at + 2] << 16)) + buf[at + 3] * 0x1000000
}
