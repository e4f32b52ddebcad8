import type { SearchHit } from '../contract'
import { PeerlineError } from '../errors'
import type { Room } from '../rooms/room'
import type { RoomMethods } from './room-methods'
import type { ApiServices } from './services'

/** Most hits one search answers (the newest). */
export const MAX_HITS = 200
/** Messages read at a time, newest first. */
const PAGE = 500
const MAX_QUERY = 256

/**
 * `search {room?, text, limit?}`: messages whose current text (edits applied; deleted and expired
 * ones are gone) contains `text`, ignoring case, newest first, in one room or in all. Runs on this
 * device's copy only: nothing is asked of peers.
 */
export async function searchMessages(core: ApiServices, rooms: RoomMethods, room: string | undefined, text: string, limit = 50): Promise<SearchHit[]> {
  const needle = text.trim().toLocaleLowerCase()
  if (needle.length === 0 || needle.length > MAX_QUERY) throw PeerlineError.BAD_REQUEST(`search text has 1 to ${MAX_QUERY} characters`)
  if (limit < 1 || limit > MAX_HITS) throw PeerlineError.BAD_REQUEST(`limit must be 1..${MAX_HITS}`)
  const targets: Room[] = []
  if (room !== undefined) targets.push(await rooms.resolve(room))
  else for (const e of core.rooms.list()) if (e.broken === null) targets.push(await core.rooms.open(e.id))
  const hits: SearchHit[] = []
  for (const r of targets) {
    const names = await rooms.namesByNumber(r)
    let found = 0
    for (let before = r.length; before > 0 && found < limit; before -= PAGE) {
      const page = await r.history(Math.min(PAGE, before), Date.now(), before)
      for (let i = page.length - 1; i >= 0 && found < limit; i--) {
        const m = page[i]
        if (m.deleted || !m.text.toLocaleLowerCase().includes(needle)) continue
        hits.push({ room: r.id, id: m.id, seq: m.seq, from: m.from, name: names.get(m.from) ?? '', text: m.text, time: m.time })
        found++
      }
    }
  }
  return hits.sort((a, b) => b.time - a.time).slice(0, limit)
}
