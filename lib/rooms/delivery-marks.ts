import b4a from 'b4a'
import c from 'compact-encoding'
import type Hypercore from 'hypercore'
import ReadyResource from 'ready-resource'

/**
 * How much of this device's writer core one other person's device holds: the "delivered" mark of
 * a direct chat. Their device says which blocks it has when it replicates (the hypercore bitfield
 * it announces on their authenticated connection; the Noise key is their identity key), so an
 * op counts as delivered once they told us they hold it, whoever forwarded it to them. Kept as a
 * high-water mark in a small local core, so the marks survive a restart while they are offline.
 */
export class DeliveryMarks extends ReadyResource {
  private readonly _writer: Hypercore<Buffer>
  private readonly _store: Hypercore<Buffer>
  private _length = 0

  /** `writer`: this device's writer core; `store`: a local core of its own for the mark. */
  constructor(writer: Hypercore<Buffer>, store: Hypercore<Buffer>) {
    super()
    this._writer = writer
    this._store = store
  }

  protected override async _open(): Promise<void> {
    await this._store.ready()
    const last = this._store.length > 0 ? await this._store.get(this._store.length - 1) : null
    if (last !== null) this._length = c.decode(c.uint, last)
  }

  protected override async _close(): Promise<void> {
    await this._store.close()
  }

  /** How many of this device's ops (writer blocks 0..length-1) `peer`'s device holds. */
  get length(): number {
    return this._length
  }

  /** Reads what `peer` holds now if connected; true (and saved) when it grew. */
  async check(peer: Buffer): Promise<boolean> {
    if (!this.opened || this.closing) return false
    let held = 0
    for (const p of this._writer.peers) {
      if (b4a.equals(p.remotePublicKey, peer)) held = Math.max(held, Math.min(p.remoteContiguousLength, this._writer.length))
    }
    if (held <= this._length) return false
    this._length = held
    await this._store.append(c.encode(c.uint, held))
    return true
  }
}
