import b4a from 'b4a'
import c from 'compact-encoding'
import type Hypercore from 'hypercore'
import ReadyResource from 'ready-resource'
import { struct } from '../wire/struct'

/** The first byte of a per-member record; the first records were one uint (never 0: only growth was saved). */
const MEMBERS_TAG = 0
const held = c.array(struct<{ key: Buffer; length: number }>({ key: c.fixed32, length: c.uint }))

/**
 * How much of this device's writer core each other member's device holds: the "delivered" marks.
 * Their device says which blocks it has when it replicates (the hypercore bitfield it announces on
 * their authenticated connection; the Noise key is their identity key), so an op counts as
 * delivered to them once they told us they hold it, whoever forwarded it to them. Kept in a small
 * local core, so the marks survive a restart while they are offline.
 */
export class DeliveryMarks extends ReadyResource {
  private readonly _writer: Hypercore<Buffer>
  private readonly _store: Hypercore<Buffer>
  /** hex identity key -> how many of our blocks they hold */
  private readonly _lengths = new Map<string, number>()
  /** The first records held one number, for the one other person of a direct room. */
  private _legacy = 0

  /** `writer`: this device's writer core; `store`: a local core of its own for the marks. */
  constructor(writer: Hypercore<Buffer>, store: Hypercore<Buffer>) {
    super()
    this._writer = writer
    this._store = store
  }

  protected override async _open(): Promise<void> {
    await this._store.ready()
    const last = this._store.length > 0 ? await this._store.get(this._store.length - 1) : null
    if (last === null) return
    if (last[0] !== MEMBERS_TAG) {
      this._legacy = c.decode(c.uint, last)
      return
    }
    const state = { start: 1, end: last.byteLength, buffer: last }
    const record = held.decode(state)
    for (const { key, length } of record) this._lengths.set(b4a.toString(key, 'hex'), length)
  }

  protected override async _close(): Promise<void> {
    await this._store.close()
  }

  /** How many of this device's ops (writer blocks 0..length-1) `peer`'s device holds. */
  lengthOf(peer: Buffer): number {
    return Math.max(this._lengths.get(b4a.toString(peer, 'hex')) ?? 0, this._legacy)
  }

  /** Reads what each of `peers` holds now if connected; true (and saved) when any grew. */
  async check(peers: Buffer[]): Promise<boolean> {
    if (!this.opened || this.closing) return false
    let grew = false
    for (const peer of peers) {
      let now = 0
      for (const p of this._writer.peers) {
        if (b4a.equals(p.remotePublicKey, peer)) now = Math.max(now, Math.min(p.remoteContiguousLength, this._writer.length))
      }
      if (now <= this.lengthOf(peer)) continue
      this._lengths.set(b4a.toString(peer, 'hex'), now)
      grew = true
    }
    if (!grew) return false
    const record = [...this._lengths].map(([key, length]) => ({ key: b4a.from(key, 'hex'), length }))
    await this._store.append(b4a.concat([b4a.from([MEMBERS_TAG]), c.encode(held, record)]))
    return true
  }
}
