import { done, optInt, optStr, str } from '../params'
import { roomNotices } from '../notice-methods'
import { MAX_HITS, searchMessages } from '../search-methods'
import type { RawParams } from '../params'
import type { Params, Result } from '../../contract'
import type { HandlerContext, HandlerTable } from './handler'

/** history answers this many messages unless asked otherwise. */
const DEFAULT_HISTORY = 100
const MAX_HISTORY = 10_000

const message = (p: RawParams): { room: string; id: string } => ({ room: str(p, 'room'), id: str(p, 'id') })

/** Sending, reading and changing messages. `to` is a contact's number or a room id. */
export const messageHandlers: HandlerTable<'messages'> = {
  send: { params: (p) => ({ to: str(p, 'to'), text: str(p, 'text'), replyTo: optStr(p, 'replyTo') }), run: send },
  history: { params: (p) => ({ to: str(p, 'to'), limit: optInt(p, 'limit', 1, MAX_HISTORY), before: optInt(p, 'before', 0) }), run: ({ rooms }, p) => rooms.history(p.to, p.limit ?? DEFAULT_HISTORY, p.before) },
  notices: { params: (p) => ({ room: str(p, 'room'), from: optInt(p, 'from', 0), to: optInt(p, 'to', 0) }), run: ({ core }, p) => roomNotices(core, p.room, p.from, p.to) },
  search: { params: (p) => ({ text: str(p, 'text'), room: optStr(p, 'room'), limit: optInt(p, 'limit', 1, MAX_HITS) }), run: ({ core, rooms }, p) => searchMessages(core, rooms, p.room, p.text, p.limit) },
  edit: { params: (p) => ({ ...message(p), text: str(p, 'text') }), run: async ({ rooms }, p) => done(await rooms.edit(p.room, p.id, p.text)) },
  delete: { params: message, run: async ({ rooms }, p) => done(await rooms.delete(p.room, p.id)) },
  messageInfo: { params: message, run: ({ rooms }, p) => rooms.messageInfo(p.room, p.id) },
  react: { params: (p) => ({ ...message(p), emoji: str(p, 'emoji', true) }), run: async ({ rooms }, p) => done(await rooms.react(p.room, p.id, p.emoji)) }
}

async function send({ rooms }: HandlerContext, p: Params<'send'>): Promise<Result<'send'>> {
  const room = await rooms.resolve(p.to)
  const replyTo = p.replyTo === undefined ? null : await rooms.replyTarget(room, p.replyTo)
  const { id, time } = await room.send(p.text, replyTo)
  return { room: room.id, id, time }
}
