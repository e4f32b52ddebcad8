import Hyperbee from 'hyperbee'
import c from 'compact-encoding'
import type Hypercore from 'hypercore'
import ReadyResource from 'ready-resource'
import { roomEntry } from '../wire/schemas'
import type { RoomEntry } from '../wire/schemas'

/** The rooms this profile is in (or left), with their keys and what was read. Local only. */
export class RoomList extends ReadyResource {
  private readonly _bee: Hyperbee<string, Buffer>
  private readonly _entries = new Map<string, RoomEntry>()

  constructor(core: Hypercore) {
    super()
    this._bee = new Hyperbee<string, Buffer>(core, { keyEncoding: 'utf-8', valueEncoding: 'binary' })
  }

  protected override async _open(): Promise<void> {
    await this._bee.ready()
    for await (const { key, value } of this._bee.createReadStream()) {
      try {
        this._entries.set(key, c.decode(roomEntry, value))
      } catch {
        // an entry from an older format: skip rather than refuse to start
      }
    }
  }

  protected override async _close(): Promise<void> {
    await this._bee.close()
  }

  get(id: string): RoomEntry | null {
    return this._entries.get(id) ?? null
  }

  all(): Array<RoomEntry & { id: string }> {
    return [...this._entries].map(([id, e]) => ({ id, ...e }))
  }

  async put(id: string, entry: RoomEntry): Promise<void> {
    this._entries.set(id, entry)
    await this._bee.put(id, c.encode(roomEntry, entry))
  }
}
