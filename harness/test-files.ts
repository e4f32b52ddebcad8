import crypto from 'hypercore-crypto'
import fs from 'fs'
import { Sha256 } from '../lib/files/sha256'

/** Writes `bytes` random bytes to `file` (1 MiB at a time) and returns their hex SHA-256. */
export function randomFile(file: string, bytes: number): string {
  const h = new Sha256()
  const fd = fs.openSync(file, 'w')
  for (let done = 0; done < bytes; ) {
    const chunk = crypto.randomBytes(Math.min(1 << 20, bytes - done))
    h.update(chunk)
    fs.writeSync(fd, chunk)
    done += chunk.byteLength
  }
  fs.closeSync(fd)
  return h.digest()
}

/** The hex SHA-256 of a file, streamed. */
export async function sha256File(file: string): Promise<string> {
  const h = new Sha256()
  for await (const chunk of fs.createReadStream(file) as AsyncIterable<Buffer>) h.update(chunk)
  return h.digest()
}
