import b4a from 'b4a'
import type { NoticeEntry } from '../contract'
import { ROLE_ADMIN } from '../wire/schemas'
import type { ApiServices } from './services'

/** Most notices one call returns (the newest of them). */
const MAX_NOTICES = 1000

/**
 * `notices {room, from?, to?}`: a room's notices at message seqs `from <= at < to` (to: past the
 * newest message), oldest first. Names are each member's last known, so a removed member is still named.
 */
export async function roomNotices(core: ApiServices, id: string, from = 0, to = Infinity): Promise<NoticeEntry[]> {
  const room = await core.rooms.open(id)
  const members = new Map((await room.members()).map((m) => [b4a.toString(m.publicKey, 'hex'), m]))
  const person = (key: Buffer): { number: string; name: string } => {
    const m = members.get(b4a.toString(key, 'hex'))
    return { number: m?.number ?? '', name: m?.name || core.book.get(key)?.name || '' }
  }
  const notices = await room.notices(from, to)
  return notices.slice(-MAX_NOTICES).map((n) => {
    const by = person(n.by)
    const who = person(n.who)
    return {
      at: n.at,
      kind: n.kind,
      by: by.number,
      byName: by.name,
      who: who.number,
      whoName: who.name,
      name: n.name,
      seconds: n.kind === 'timer' ? n.value : 0,
      role: n.kind === 'role' ? (n.value === ROLE_ADMIN ? 'admin' : 'member') : null
    }
  })
}
