import fs from 'fs'
import { commitStaged } from './durable-file'

/**
 * A file written piece by piece that appears whole or not at all: the pieces go to a temp file
 * beside `file`, and `commit()` fsyncs it and renames it into place (as writeDurable does for a
 * file held in memory). `abort()` removes the temp file. For files too big to build in memory.
 */
export class DurableStream {
  readonly file: string
  private readonly _tmp: string
  private _fd: number
  written = 0

  constructor(file: string, { mode = 0o600 }: { mode?: number } = {}) {
    this.file = file
    this._tmp = file + '.tmp'
    this._fd = fs.openSync(this._tmp, 'w', mode)
  }

  write(data: Uint8Array): void {
    if (this._fd === -1) throw new Error('DurableStream is closed')
    for (let done = 0; done < data.byteLength; ) done += fs.writeSync(this._fd, data, done, data.byteLength - done)
    this.written += data.byteLength
  }

  commit(): void {
    fs.fsyncSync(this._fd)
    fs.closeSync(this._fd)
    this._fd = -1
    commitStaged(this._tmp, this.file)
  }

  /** Drops what was written; the file at `file` (if any) is untouched. */
  abort(): void {
    if (this._fd !== -1) fs.closeSync(this._fd)
    this._fd = -1
    try {
      fs.unlinkSync(this._tmp)
    } catch {}
  }
}
