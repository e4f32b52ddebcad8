import b4a from 'b4a'
import { closeFile, openFile, readAt } from './file-io'
import { Sha256 } from './sha256'

/** Bytes per chunk: the unit that is requested, checked and recorded as received. */
export const CHUNK_SIZE = 1024 * 1024
export const HASH_BYTES = 32
/**
 * Caps on what an announcement may claim, checked before anything is sized from it: 256 Ki chunks
 * (256 GiB in our 1 MiB chunks; 8 MiB of chunk hashes, 256 KiB of chunk state) of 16 KiB to 4 MiB.
 */
export const MAX_CHUNKS = 256 * 1024
export const MIN_CHUNK_SIZE = 16 * 1024
export const MAX_CHUNK_SIZE = 4 * 1024 * 1024

/** A file's chunk hashes, their root, and the SHA-256 of the whole. */
export interface Manifest {
  size: number
  sha256: string
  hashes: Buffer
  root: Buffer
}

export function chunkCount(size: number, chunkSize: number): number {
  return Math.ceil(size / chunkSize)
}

/** The root a file announcement carries: the SHA-256 of its chunk hashes, in order. */
export function manifestRoot(hashes: Buffer): Buffer {
  return Sha256.of(hashes)
}

/** Why a file of this size and chunk size cannot be shared or fetched, or null if it can. */
export function oversize(size: number, chunkSize: number): string | null {
  if (!Number.isSafeInteger(size) || size < 0) return 'its size is not a size'
  if (!Number.isSafeInteger(chunkSize) || chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) return `chunks of ${chunkSize} bytes`
  if (chunkCount(size, chunkSize) > MAX_CHUNKS) return `${chunkCount(size, chunkSize)} chunks, over the ${MAX_CHUNKS} limit`
  return null
}

/** Reads a file once, a chunk at a time, hashing each chunk and the whole. */
export async function hashFile(file: string, size: number, chunkSize = CHUNK_SIZE): Promise<Manifest> {
  const fd = await openFile(file, 'r')
  try {
    return await hashOpenFile(fd, size, chunkSize)
  } finally {
    await closeFile(fd)
  }
}

/** hashFile on a file that is open: what a download checks, from disk, before it says done. */
export async function hashOpenFile(fd: number, size: number, chunkSize: number): Promise<Manifest> {
  const n = chunkCount(size, chunkSize)
  const hashes = b4a.alloc(n * HASH_BYTES)
  const whole = new Sha256()
  for (let i = 0; i < n; i++) {
    const length = Math.min(chunkSize, size - i * chunkSize)
    const chunk = await readAt(fd, length, i * chunkSize)
    if (chunk.byteLength !== length) throw new Error('the file got shorter while being read')
    whole.update(chunk)
    hashes.set(Sha256.of(chunk), i * HASH_BYTES)
  }
  return { size, sha256: whole.digest(), hashes, root: manifestRoot(hashes) }
}
