import b4a from 'b4a'
import c from 'compact-encoding'
import type Hypercore from 'hypercore'
import ReadyResource from 'ready-resource'
import { struct } from '../wire/struct'
import { seqOfId } from './room-view'
import type { RoomView } from './room-view'

const marksRecord = c.array(struct<{ key: Buffer; id: string }>({ key: c.fixed32, id: c.string }))
/** Marks waiting to be checked against the view; a member flooding read ops loses the oldest. */
const MAX_PENDING = 4096

/**
 * Members' read marks (read receipts), kept on this device. A read mark travels as a room op
 * (OP_READ: durable, it reaches offline members through anyone who holds it), but apply may not
 * change the view for it (every version of one major must build the same view), so apply hands
 * each mark here. A mark counts once its message is in this room's view, and only moves forward;
 * the furthest per member is kept in a small local core, as apply does not run again after a restart.
 */
export class ReadMarks extends ReadyResource {
  private readonly _store: Hypercore<Buffer>
  /** hex member key -> the furthest message they read */
  private readonly _ids = new Map<string, string>()
  /** hex member key -> how many messages (seqs 0..n-1) they read, as of the last refresh */
  private readonly _counts = new Map<string, number>()
  private _pending: Array<{ key: string; id: string }> = []

  constructor(store: Hypercore<Buffer>) {
    super()
    this._store = store
  }

  protected override async _open(): Promise<void> {
    await this._store.ready()
    const last = this._store.length > 0 ? await this._store.get(this._store.length - 1) : null
    if (last === null) return
    try {
      for (const { key, id } of c.decode(marksRecord, last)) this._ids.set(b4a.toString(key, 'hex'), id)
    } catch {} // written here only; an unreadable record starts the marks afresh
  }

  protected override async _close(): Promise<void> {
    await this._store.close()
  }

  /** From apply: `publicKey` read up to message `id` (checked at the next refresh). */
  note(publicKey: Buffer, id: string): void {
    this._pending.push({ key: b4a.toString(publicKey, 'hex'), id })
    if (this._pending.length > MAX_PENDING) this._pending.shift()
  }

  /** How many messages the member (hex key) has read. */
  countOf(key: string): number {
    return this._counts.get(key) ?? 0
  }

  /** Checks new marks against the view; true (and saved) when any moved forward. */
  async refresh(view: RoomView): Promise<boolean> {
    if (!this.opened || this.closing) return false
    let moved = false
    for (const [key, id] of this._ids) {
      if (this._counts.has(key)) continue
      const seq = await seqOfId(view, id)
      if (seq !== null) this._counts.set(key, seq + 1)
    }
    const pending = this._pending
    this._pending = []
    for (const { key, id } of pending) {
      const seq = await seqOfId(view, id)
      if (seq === null || seq + 1 <= this.countOf(key)) continue // unknown, or backwards
      this._counts.set(key, seq + 1)
      this._ids.set(key, id)
      moved = true
    }
    if (moved) await this._store.append(c.encode(marksRecord, [...this._ids].map(([key, id]) => ({ key: b4a.from(key, 'hex'), id }))))
    return moved
  }
}
