import b4a from 'b4a'
import type Corestore from 'corestore'
import type Hypercore from 'hypercore'
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
