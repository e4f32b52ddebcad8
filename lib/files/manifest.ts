import b4a from 'b4a'
import { closeFile, openFile, readAt } from './file-io'
import { Sha256 } from './sha256'

/** Bytes per chunk: the unit that is requested, checked and recorded as received. */
export const CHUNK_SIZE = 1024 * 1024
export const HASH_BYTES = 32

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

/** Reads a file once, a chunk at a time, hashing each chunk and the whole. */
export async function hashFile(file: string, size: number, chunkSize = CHUNK_SIZE): Promise<Manifest> {
  const n = chunkCount(size, chunkSize)
  const hashes = b4a.alloc(n * HASH_BYTES)
  const whole = new Sha256()
  const fd = await openFile(file, 'r')
  try {
    for (let i = 0; i < n; i++) {
      const length = Math.min(chunkSize, size - i * chunkSize)
      const chunk = await readAt(fd, length, i * chunkSize)
      if (chunk.byteLength !== length) throw new Error('the file got shorter while being read')
      whole.update(chunk)
      hashes.set(Sha256.of(chunk), i * HASH_BYTES)
    }
  } finally {
    await closeFile(fd)
  }
  return { size, sha256: whole.digest(), hashes, root: manifestRoot(hashes) }
}
