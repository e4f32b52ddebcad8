import type { Params, Result } from '../../contract'
import { MAX_TIMER_SECONDS } from '../../wire/schemas'
import { done, int, oneOf, optInt, str } from '../params'
import type { RawParams } from '../params'
import { none } from './handler'
import type { HandlerContext, HandlerTable } from './handler'

/** Room keys last a week unless asked otherwise, like a shared link people forget about. */
export const DEFAULT_INVITE_SECONDS = 7 * 24 * 3600

const room = (p: RawParams): { room: string } => ({ room: str(p, 'room') })
const member = (p: RawParams): { room: string; number: string } => ({ room: str(p, 'room'), number: str(p, 'number') })

/** Group rooms: making, joining, listing, moderating. */
export const roomHandlers: HandlerTable<'rooms'> = {
  createRoom: { params: (p) => ({ name: str(p, 'name') }), run: createRoom },
  createInvite: { params: (p) => ({ ...room(p), expires: optInt(p, 'expires', 0) }), run: createInvite },
  joinRoom: { params: (p) => ({ invite: str(p, 'invite') }), run: async ({ core }, p) => ({ room: (await core.invites.join(p.invite)).id }) },
  listRooms: { params: none, run: ({ rooms }) => rooms.list() },
  members: { params: room, run: ({ rooms }, p) => rooms.members(p.room) },
  leaveRoom: { params: room, run: async ({ core }, p) => done(await core.rooms.leave(p.room)) },
  markRead: { params: room, run: async ({ rooms }, p) => done(await rooms.markRead(p.room)) },
  setRole: { params: (p) => ({ ...member(p), role: oneOf(p, 'role', ['admin', 'member'] as const) }), run: async ({ rooms }, p) => done(await rooms.setRole(p.room, p.number, p.role)) },
  removeMember: { params: member, run: async ({ rooms }, p) => done(await rooms.remove(p.room, p.number)) },
  renameRoom: { params: (p) => ({ ...room(p), name: str(p, 'name') }), run: async ({ rooms }, p) => done(await rooms.rename(p.room, p.name)) },
  setTimer: { params: (p) => ({ ...room(p), seconds: int(p, 'seconds', 0, MAX_TIMER_SECONDS) }), run: async ({ rooms }, p) => done(await rooms.setTimer(p.room, p.seconds)) }
}

/** A group room named `name`, and a room key to share (valid for 7 days). */
async function createRoom({ core, rooms }: HandlerContext, p: Params<'createRoom'>): Promise<Result<'createRoom'>> {
  const created = await rooms.create(p.name)
  return { room: created.id, ...(await core.invites.create(created, DEFAULT_INVITE_SECONDS)) }
}

async function createInvite({ core }: HandlerContext, p: Params<'createInvite'>): Promise<Result<'createInvite'>> {
  return core.invites.create(await core.rooms.open(p.room), p.expires ?? DEFAULT_INVITE_SECONDS)
}
