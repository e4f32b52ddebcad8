import b4a from 'b4a'
import fs from 'fs'

/**
 * Positioned reads and writes on a file descriptor, as promises. Node's and bare-fs's callback
 * APIs agree on these, where their promise APIs do not.
 */
export function openFile(file: string, flags: string): Promise<number> {
  return new Promise((resolve, reject) => fs.open(file, flags, (err, fd) => (err ? reject(err) : resolve(fd))))
}

export function closeFile(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.close(fd, (err) => (err ? reject(err) : resolve())))
}

/** Reads up to `length` bytes at `position`; fewer only at the end of the file. */
export function readAt(fd: number, length: number, position: number): Promise<Buffer> {
  const buf = b4a.allocUnsafe(length)
  return new Promise((resolve, reject) =>
    fs.read(fd, buf, 0, length, position, (err, n) => (err ? reject(err) : resolve(n === length ? buf : buf.subarray(0, n))))
  )
}

export async function writeAt(fd: number, data: Buffer, position: number): Promise<void> {
  for (let done = 0; done < data.byteLength; ) {
    done += await new Promise<number>((resolve, reject) =>
      fs.write(fd, data, done, data.byteLength - done, position + done, (err, n) => (err ? reject(err) : resolve(n)))
    )
  }
}

export function truncate(fd: number, length: number): Promise<void> {
  return new Promise((resolve, reject) => fs.ftruncate(fd, length, (err) => (err ? reject(err) : resolve())))
}
