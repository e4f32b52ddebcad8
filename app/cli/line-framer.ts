/**
 * Splits a byte stream into lines with a hard cap: a line over `max` bytes is never held whole.
 * Its bytes are dropped as they arrive and `onoversize` fires once, when it ends.
 */
export class LineFramer {
  private readonly _max: number
  private readonly _online: (line: string) => void
  private readonly _onoversize: (bytes: number) => void
  private _parts: Buffer[] = []
  private _held = 0
  /** Bytes of the current line when it went over the cap (then we only count), else -1. */
  private _skipped = -1

  constructor({ max, online, onoversize }: { max: number; online: (line: string) => void; onoversize: (bytes: number) => void }) {
    this._max = max
    this._online = online
    this._onoversize = onoversize
  }

  push(chunk: Buffer): void {
    let start = 0
    while (start < chunk.byteLength) {
      const nl = chunk.indexOf(10, start)
      const end = nl === -1 ? chunk.byteLength : nl
      this._take(chunk.subarray(start, end))
      if (nl === -1) return
      this._endLine()
      start = nl + 1
    }
  }

  /** The input ended: a last line without a newline still counts. */
  end(): void {
    if (this._held > 0 || this._skipped >= 0) this._endLine()
  }

  private _take(bytes: Buffer): void {
    if (bytes.byteLength === 0) return
    if (this._skipped >= 0) {
      this._skipped += bytes.byteLength
      return
    }
    if (this._held + bytes.byteLength > this._max) {
      this._skipped = this._held + bytes.byteLength
      this._parts = []
      this._held = 0
      return
    }
    // A copy: the stream may reuse its chunk, and a small slice would pin a large one.
    this._parts.push(Buffer.from(bytes))
    this._held += bytes.byteLength
  }

  private _endLine(): void {
    if (this._skipped >= 0) {
      const bytes = this._skipped
      this._skipped = -1
      this._onoversize(bytes)
      return
    }
    const line = Buffer.concat(this._parts, this._held).toString('utf8')
    this._parts = []
    this._held = 0
    this._online(line.endsWith('\r') ? line.slice(0, -1) : line)
  }
}
