import b4a from 'b4a'
import type Corestore from 'corestore'
import type Hypercore from 'hypercore'
import type Protomux from 'protomux'
import { profileKeyOf } from './profile-core'

/**
 * Blind copies of our contacts' profile cores. The key comes from a contact's public key; we never
 * have the encryption key, so we hold and serve ciphertext. Keeping the core open with a live
 * download means every connection to that contact (or to a device restoring their phrase) brings
 * the copy up to date, and replicates it to whoever asks for it by its discovery key.
 */
export class ProfileMirrors {
  private readonly _store: Corestore
  private readonly _cores = new Map<string, Hypercore<Buffer>>()
  private readonly _offered = new WeakMap<Protomux, Set<string>>()
  private _closed = false

  constructor(store: Corestore) {
    this._store = store
  }

  mirror(publicKey: Buffer): void {
    const id = b4a.toString(publicKey, 'hex')
    if (this._closed || this._cores.has(id)) return
    const core = this._store.get({ key: profileKeyOf(publicKey) })
    this._cores.set(id, core)
    core.ready().then(() => core.download({ start: 0, end: -1 }), () => {})
  }

  /**
   * Offers each copy on every connection (once per connection): Corestore attaches a core to the
   * streams that already exist only in some states, and a copy is opened after its contact connected.
   */
  offer(muxers: Protomux[]): void {
    for (const mux of muxers) {
      let done = this._offered.get(mux)
      if (done === undefined) this._offered.set(mux, (done = new Set()))
      for (const [id, core] of this._cores) {
        if (done.has(id) || !core.opened) continue
        done.add(id)
        core.replicate(mux)
      }
    }
  }

  /** Replicates our copy of this person's profile with them (they may be restoring it). */
  attach(publicKey: Buffer, mux: Protomux): void {
    const core = this._cores.get(b4a.toString(publicKey, 'hex'))
    if (core !== undefined) core.ready().then(() => core.replicate(mux), () => {})
  }

  /** How much of each contact's profile we hold (hex public key -> blocks). */
  lengths(): Array<{ publicKey: string; length: number }> {
    return [...this._cores].map(([publicKey, core]) => ({ publicKey, length: core.contiguousLength }))
  }

  has(publicKey: Buffer): boolean {
    return this._cores.has(b4a.toString(publicKey, 'hex'))
  }

  async close(): Promise<void> {
    this._closed = true
    const cores = [...this._cores.values()]
    this._cores.clear()
    await Promise.all(cores.map((core) => core.close().catch(() => {})))
  }
}
