import c from 'compact-encoding'
import type Hypercore from 'hypercore'
import ReadyResource from 'ready-resource'
import { struct } from '../wire/struct'
import { MAX_REPLY_ID } from './reply-quote'

const link = struct<{ id: string; replyTo: string }>({ id: c.string, replyTo: c.string })

/**
 * Which message each reply answers, kept on this device. A reply's replyTo rides in its message
 * op, but apply may not put it in the view (every version of one major must build the same view,
 * and 2.0 stores no reply), so apply hands each link here and a small local core keeps them (apply
 * does not run again after a restart). The first link seen for an id stays: a copied op with the
 * same id and another replyTo changes nothing. A view that arrived by fast-forward has none of the
 * links of what it skipped: those messages show without a quote.
 */
export class ReplyLinks extends ReadyResource {
  private readonly _store: Hypercore<Buffer>
  private readonly _links = new Map<string, string>()
  private _pending: Array<{ id: string; replyTo: string }> = []

  constructor(store: Hypercore<Buffer>) {
    super()
    this._store = store
  }

  protected override async _open(): Promise<void> {
    await this._store.ready()
    for (let i = 0; i < this._store.length; i++) {
      const block = await this._store.get(i)
      if (block === null) continue
      try {
        const { id, replyTo } = c.decode(link, block)
        if (!this._links.has(id)) this._links.set(id, replyTo)
      } catch {} // written here only
    }
    await this.flush()
  }

  protected override async _close(): Promise<void> {
    await this._store.close()
  }

  /** From apply: message `id` answers `replyTo` (cut to an id's length). */
  note(id: string, replyTo: string): void {
    if (this._links.has(id)) return
    const cut = replyTo.slice(0, MAX_REPLY_ID)
    this._links.set(id, cut)
    this._pending.push({ id, replyTo: cut })
  }

  /** What message `id` answers, '' if none. */
  replyTo(id: string): string {
    return this._links.get(id) ?? ''
  }

  /** Saves the links noted since the last flush. */
  async flush(): Promise<void> {
    if (!this.opened || this.closing || this._pending.length === 0) return
    const pending = this._pending
    this._pending = []
    await this._store.append(pending.map((l) => c.encode(link, l)))
  }
}
