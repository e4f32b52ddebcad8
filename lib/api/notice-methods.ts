import b4a from 'b4a'
import type { Peerline } from '../peerline'
import type { NoticeKind } from '../rooms/room-notices'
import { ROLE_ADMIN } from '../wire/schemas'

/** A room notice as clients see it: shown as a centred line among the messages. */
export interface NoticeEntry {
  /** Goes after the message with seq `at - 1` and before the one with seq `at`. */
  at: number
  kind: NoticeKind
  /** Who did it: number and last known name ('' if none). */
  by: string
  byName: string
  /** Whom it was done to (the same as `by` for 'created', 'left', 'renamed', 'timer'). */
  who: string
  whoName: string
  /** The new room name, for 'renamed'. */
  name: string
  /** Timer seconds for 'timer'; for 'role', 'admin' or 'member' is in `role`. */
  seconds: number
  role: 'admin' | 'member' | null
}

/** Most notices one call returns (the newest of them). */
const MAX_NOTICES = 1000

/**
 * `notices {room, from?, to?}`: a room's notices at message seqs `from <= at < to` (to: past the
 * newest message), oldest first. Names are each member's last known, so a removed member is still named.
 */
export async function roomNotices(core: Peerline, id: string, from = 0, to = Infinity): Promise<NoticeEntry[]> {
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
