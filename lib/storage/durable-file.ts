import fs from 'fs'
import path from 'path'

export interface DurableWriteOptions {
  /** file mode of the new file (applied before it is renamed into place) */
  mode?: number
}

/**
 * Replaces `file` with `data` so that a crash or a full disk leaves the old file or the new one,
 * whole: written to a temp file beside it, fsynced, renamed over it, then the folder fsynced so
 * the rename itself is on disk. Sync on purpose: only small files we own (seed, blocklist) use it,
 * and Node's and bare-fs's sync calls agree.
 */
export function writeDurable(file: string, data: Uint8Array, opts: DurableWriteOptions = {}): void {
  commitStaged(stageDurable(file, data, opts), file)
}

/**
 * The first half of writeDurable: `data` fsynced under a temp name beside `file` (returned), for a
 * caller that has work to do between the new bytes being safe and them replacing the old.
 */
export function stageDurable(file: string, data: Uint8Array, opts: DurableWriteOptions = {}): string {
  const { mode = 0o666 } = opts
  const tmp = file + '.tmp'
  let fd = -1
  try {
    fd = fs.openSync(tmp, 'w', mode)
    for (let done = 0; done < data.byteLength; ) done += fs.writeSync(fd, data, done, data.byteLength - done)
    fs.fsyncSync(fd)
    fs.closeSync(fd)
    fd = -1
    // openSync's mode is masked by the umask; the caller asked for exactly this one.
    if (opts.mode !== undefined) fs.chmodSync(tmp, mode)
  } catch (err) {
    if (fd !== -1) fs.closeSync(fd)
    try {
      if (fs.statSync(tmp).isFile()) fs.unlinkSync(tmp)
    } catch {}
    throw err
  }
  return tmp
}

/** The second half: the staged file renamed over `file`, and the rename made durable. */
export function commitStaged(tmp: string, file: string): void {
  fs.renameSync(tmp, file)
  syncFolder(path.dirname(file))
}

/** Makes a rename or unlink in `dir` durable. Not every system can open a folder (Windows): skipped there. */
export function syncFolder(dir: string): void {
  let fd = -1
  try {
    fd = fs.openSync(dir, 'r')
    fs.fsyncSync(fd)
  } catch {
    // best effort: the file itself is already on disk
  } finally {
    if (fd !== -1) fs.closeSync(fd)
  }
}
