import Hyperbee from 'hyperbee'
import b4a from 'b4a'
import c from 'compact-encoding'
import type Hypercore from 'hypercore'
import type { AutobaseHost, AutobaseNode, AutoStore } from 'autobase'
import * as schema from '../wire/schemas'
import type { EditRecord, InviteRecord, MemberRecord, MessageRecord, RoomInfoRecord, RoomOp } from '../wire/schemas'
import { decodeExact } from '../wire/struct'

/**
 * A room's view: state in a Hyperbee (members, name, invites, edits, deletions, reactions) and
 * messages in an append-only core, so message n is block n: new messages are read by index and a
 * reorder shows up as a truncation of that core.
 *
 * Bee keys: `info`, `writer/<writer>` -> member key, `member/<key>`, `invite/<id>`, `id/<msg id>` ->
 * seq, `edit/<seq>`, `del/<seq>`, `react/<seq>/<key>` -> emoji.
 */
export interface RoomView {
  meta: Hyperbee<string, Buffer>
  messages: Hypercore<Buffer>
}

export function openView(store: AutoStore): RoomView {
  return {
    meta: new Hyperbee<string, Buffer>(store.get('meta'), { keyEncoding: 'utf-8', valueEncoding: 'binary', extension: false }),
    messages: store.get('messages')
  }
}

export async function closeView(view: RoomView): Promise<void> {
  await view.meta.close()
  await view.messages.close()
}

const hex = (b: Buffer): string => b4a.toString(b, 'hex')
export const seqKey = (seq: number): string => String(seq).padStart(12, '0')

/**
 * Applies room ops. Deterministic and defensive: an op that does not decode or breaks a rule is
 * skipped on every member, never thrown, so one hostile member cannot stall the room.
 */
export async function applyOps(nodes: AutobaseNode[], view: RoomView, host: AutobaseHost): Promise<void> {
  for (const node of nodes) {
    if (node.value === null) continue // an ack
    let op: RoomOp
    try {
      op = decodeExact(schema.roomOp, node.value, schema.MAX_FRAME_BYTES)
    } catch {
      continue
    }
    await applyOp(op, node.from.key, view, host)
  }
}

async function applyOp(op: RoomOp, writerKey: Buffer, view: RoomView, host: AutobaseHost): Promise<void> {
  const author = await authorOf(view, writerKey)

  if (op.type === schema.OP_ADD_MEMBER) {
    if (author === null) {
      // The creator's first op registers itself as admin; nobody else adds themselves.
      if (view.meta.version > 1 || !b4a.equals(op.writerKey, writerKey)) return
      return addMember(view, host, { ...op, role: schema.ROLE_ADMIN, state: schema.MEMBER_ACTIVE })
    }
    if (op.name.length > schema.MAX_NAME_LENGTH || !/^\d+$/.test(op.number)) return
    const existing = await getMember(view, op.publicKey)
    if (existing && existing.state === schema.MEMBER_ACTIVE) return
    const isAdmin = author.role === schema.ROLE_ADMIN
    // Only an admin may bring back someone an admin removed, or add another admin.
    if (existing && existing.state === schema.MEMBER_REMOVED && !isAdmin) return
    if (op.role === schema.ROLE_ADMIN && !isAdmin) return
    return addMember(view, host, { ...op, state: schema.MEMBER_ACTIVE })
  }

  if (author === null) return // everything else needs an active member

  switch (op.type) {
    case schema.OP_MESSAGE: {
      if (!validText(op.text) || !validId(op.id)) return
      if ((await view.meta.get('id/' + op.id)) !== null) return // ids are unique
      const record: MessageRecord = { id: op.id, publicKey: author.publicKey, from: author.number, text: op.text, time: op.time }
      await view.meta.put('id/' + op.id, c.encode(c.uint, view.messages.length))
      await view.messages.append(c.encode(schema.messageRecord, record))
      return
    }
    case schema.OP_EDIT: {
      const target = await findMessage(view, op.id)
      if (target === null || !validText(op.text) || !b4a.equals(target.record.publicKey, author.publicKey)) return
      if ((await view.meta.get('del/' + seqKey(target.seq))) !== null) return
      const edit: EditRecord = { text: op.text, time: op.time }
      await view.meta.put('edit/' + seqKey(target.seq), c.encode(schema.editRecord, edit))
      return
    }
    case schema.OP_DELETE: {
      const target = await findMessage(view, op.id)
      if (target === null) return
      const own = b4a.equals(target.record.publicKey, author.publicKey)
      if (!own && author.role !== schema.ROLE_ADMIN) return
      const batch = view.meta.batch()
      await batch.put('del/' + seqKey(target.seq), b4a.alloc(0))
      await batch.del('edit/' + seqKey(target.seq))
      await batch.flush()
      return
    }
    case schema.OP_REACT: {
      const target = await findMessage(view, op.id)
      if (target === null || op.emoji.length > schema.MAX_EMOJI_LENGTH) return
      const key = 'react/' + seqKey(target.seq) + '/' + hex(author.publicKey)
      if (op.emoji === '') await view.meta.del(key)
      else await view.meta.put(key, b4a.from(op.emoji))
      return
    }
    case schema.OP_LEAVE:
      return endMembership(view, host, author, schema.MEMBER_LEFT)
  }

  // The rest is moderation: admins only.
  if (author.role !== schema.ROLE_ADMIN) return
  switch (op.type) {
    case schema.OP_SET_ROLE: {
      const target = await getMember(view, op.publicKey)
      if (target === null || target.state !== schema.MEMBER_ACTIVE || target.role === op.role) return
      if (op.role === schema.ROLE_MEMBER && (await countAdmins(view)) <= 1) return // keep one admin
      // Indexers are the admins' devices, so a room of hundreds does not index on every member.
      await host.addWriter(target.writerKey, { indexer: op.role === schema.ROLE_ADMIN })
      await putMember(view, { ...target, role: op.role })
      return
    }
    case schema.OP_REMOVE_MEMBER: {
      const target = await getMember(view, op.publicKey)
      if (target === null || target.state !== schema.MEMBER_ACTIVE) return
      return endMembership(view, host, target, schema.MEMBER_REMOVED)
    }
    case schema.OP_RENAME: {
      if (op.name.length === 0 || op.name.length > schema.MAX_NAME_LENGTH) return
      const info = await getInfo(view)
      await view.meta.put('info', c.encode(schema.roomInfoRecord, { ...info, name: op.name }))
      return
    }
    case schema.OP_SET_TIMER: {
      if (op.seconds > schema.MAX_TIMER_SECONDS) return
      const info = await getInfo(view)
      await view.meta.put('info', c.encode(schema.roomInfoRecord, { ...info, timer: op.seconds }))
      return
    }
    case schema.OP_ADD_INVITE: {
      const invite: InviteRecord = { publicKey: op.publicKey, expires: op.expires }
      await view.meta.put('invite/' + hex(op.id), c.encode(schema.inviteRecord, invite))
    }
  }
}

async function addMember(view: RoomView, host: AutobaseHost, member: MemberRecord): Promise<void> {
  await host.addWriter(member.writerKey, { indexer: member.role === schema.ROLE_ADMIN })
  await view.meta.put('writer/' + hex(member.writerKey), member.publicKey)
  await putMember(view, member)
}

async function endMembership(view: RoomView, host: AutobaseHost, member: MemberRecord, state: schema.MemberState): Promise<void> {
  // The last admin cannot go: the room would have nobody to moderate or index it.
  if (member.role === schema.ROLE_ADMIN && (await countAdmins(view)) <= 1) return
  if (!host.removeable(member.writerKey)) return
  await host.removeWriter(member.writerKey)
  await putMember(view, { ...member, state, role: schema.ROLE_MEMBER })
}

async function putMember(view: RoomView, member: MemberRecord): Promise<void> {
  await view.meta.put('member/' + hex(member.publicKey), c.encode(schema.memberRecord, member))
}

function validText(text: string): boolean {
  return text.length > 0 && text.length <= schema.MAX_TEXT_LENGTH
}

function validId(id: string): boolean {
  return id.length > 0 && id.length <= 64
}

/** The active member behind a writer core, or null. */
async function authorOf(view: RoomView, writerKey: Buffer): Promise<MemberRecord | null> {
  const link = await view.meta.get('writer/' + hex(writerKey))
  if (link === null) return null
  const member = await getMember(view, link.value)
  return member && member.state === schema.MEMBER_ACTIVE ? member : null
}

export async function getMember(view: RoomView, publicKey: Buffer): Promise<MemberRecord | null> {
  const node = await view.meta.get('member/' + hex(publicKey))
  return node ? c.decode(schema.memberRecord, node.value) : null
}

/** Everyone who ever joined, with their state. */
export async function listMembers(view: RoomView): Promise<MemberRecord[]> {
  const out: MemberRecord[] = []
  for await (const { value } of view.meta.createReadStream({ gt: 'member/', lt: 'member/~' })) {
    out.push(c.decode(schema.memberRecord, value))
  }
  return out
}

async function countAdmins(view: RoomView): Promise<number> {
  let n = 0
  for (const m of await listMembers(view)) if (m.state === schema.MEMBER_ACTIVE && m.role === schema.ROLE_ADMIN) n++
  return n
}

export async function getInfo(view: RoomView): Promise<RoomInfoRecord> {
  const node = await view.meta.get('info')
  return node ? c.decode(schema.roomInfoRecord, node.value) : { name: '', timer: 0 }
}

export async function getInvite(view: RoomView, id: Buffer): Promise<InviteRecord | null> {
  const node = await view.meta.get('invite/' + hex(id))
  return node ? c.decode(schema.inviteRecord, node.value) : null
}

async function findMessage(view: RoomView, id: string): Promise<{ seq: number; record: MessageRecord } | null> {
  const node = await view.meta.get('id/' + id)
  if (node === null) return null
  const seq = c.decode(c.uint, node.value)
  const block = await view.messages.get(seq)
  return block ? { seq, record: c.decode(schema.messageRecord, block) } : null
}

/** A message as a reader sees it now: edits applied, deleted text gone, reactions by member. */
export interface MessageState extends MessageRecord {
  seq: number
  edited: boolean
  deleted: boolean
  reactions: Record<string, string>
}

/** Messages with sequence numbers in [from, to), oldest first, in their current state. */
export async function readMessages(view: RoomView, from: number, to: number): Promise<MessageState[]> {
  const start = Math.max(0, from)
  const end = Math.min(to, view.messages.length)
  const out: MessageState[] = []
  for (let seq = start; seq < end; seq++) {
    const block = await view.messages.get(seq)
    if (block === null) continue
    out.push(await currentState(view, seq, c.decode(schema.messageRecord, block)))
  }
  return out
}

async function currentState(view: RoomView, seq: number, record: MessageRecord): Promise<MessageState> {
  const k = seqKey(seq)
  const deleted = (await view.meta.get('del/' + k)) !== null
  const edit = deleted ? null : await view.meta.get('edit/' + k)
  const reactions: Record<string, string> = {}
  for await (const { key, value } of view.meta.createReadStream({ gt: 'react/' + k + '/', lt: 'react/' + k + '/~' })) {
    reactions[key.slice(key.lastIndexOf('/') + 1)] = b4a.toString(value)
  }
  const text = deleted ? '' : edit ? c.decode(schema.editRecord, edit.value).text : record.text
  return { ...record, text, seq, edited: edit !== null, deleted, reactions }
}

/** The current state of one message by id. */
export async function messageById(view: RoomView, id: string): Promise<MessageState | null> {
  const found = await findMessage(view, id)
  return found ? currentState(view, found.seq, found.record) : null
}

/** The current state of one message by seq (for update notifications). */
export async function messageAt(view: RoomView, seq: number): Promise<MessageState | null> {
  const block = await view.messages.get(seq)
  return block ? currentState(view, seq, c.decode(schema.messageRecord, block)) : null
}
