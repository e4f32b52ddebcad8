import Hyperbee from 'hyperbee'
import b4a from 'b4a'
import c from 'compact-encoding'
import type Hypercore from 'hypercore'
import type { AutobaseHost, AutobaseNode, AutoStore } from 'autobase'
import * as schema from '../wire/schemas'
import type { EditRecord, InviteRecord, MemberRecord, MessageRecord, RoomInfoRecord, RoomOp } from '../wire/schemas'
import { decodeRecord, struct } from '../wire/struct'
import { opVersion } from '../wire/room-ops'
import type { ProtocolVersion } from '../wire/version'
import { isPeerlineError } from '../errors'
import type { NumberScheme } from '../identity/number-scheme'
import { verifyDeviceMember, verifyMember } from './member-signature'
import { openText, SEALED_KEY_BYTES, sealedKeyRef } from './epoch-keys'
import { noticeAt, noticeKey, noticeRange, noticeRecord } from './room-notices'
import type { NoticeKind, NoticeRecord } from './room-notices'
import { quoteOf } from './reply-quote'
import type { QuoteState } from './reply-quote'

/** A sealed text's box: the longest text in UTF-8 (up to 4 bytes a character) and its MAC. */
const MAX_SEALED_BYTES = schema.MAX_TEXT_LENGTH * 4 + 16
/**
 * Member records whose signature failed, per author, before that author's further records are
 * skipped unread. Checking one costs an Argon2 derivation (0.1-0.3 s, 64 MiB) on every member,
 * and a record with random bytes for a signature costs its writer nothing. Counted in the view,
 * so every member skips the same ones.
 */
const MAX_FAILED_RECORDS = 16

/**
 * A room's view: state in a Hyperbee (members, name, invites, edits, deletions, reactions) and
 * messages in an append-only core, so message n is block n: new messages are read by index and a
 * reorder shows up as a truncation of that core.
 *
 * Bee keys: `info`, `creator` -> public key, `epoch` -> current epoch, `epochkey/<epoch>/<member>` ->
 * that epoch's key sealed to the member, `devgrant/<epoch>/<device writer>/<granting member>` -> the
 * same sealed to a linked device's own key, `devremoved/<device writer>` -> the epoch it was removed
 * in, `writer/<writer>` -> member key, `member/<key>`, `invite/<id>`, `id/<msg id>` ->
 * seq, `edit/<seq>/<n>` -> edits index, `del/<seq>`, `react/<seq>/<key>` -> emoji, and
 * `exp/<time>/<seq>`: when a message's text must leave local storage (disappearing or deleted).
 * No text is ever written to the bee, so clearing the cores' blocks removes it from disk.
 */
export interface RoomView {
  meta: Hyperbee<string, Buffer>
  messages: Hypercore<Buffer>
  /** Edited texts, like messages: text lives only in append-only cores that can be cleared. */
  edits: Hypercore<Buffer>
  /**
   * What changed, in apply order: 0 for the room (name, timer, members), seq + 1 for a message
   * edited, deleted or reacted to. Readers follow it by index instead of diffing the bee.
   */
  events: Hypercore<Buffer>
  /** Epoch keys this member holds (opened locally from the view, never written to it). */
  keys: Map<number, Buffer>
}

export const EVENT_ROOM = 0

export function openView(store: AutoStore): RoomView {
  return {
    meta: new Hyperbee<string, Buffer>(store.get('meta'), { keyEncoding: 'utf-8', valueEncoding: 'binary', extension: false }),
    messages: store.get('messages'),
    edits: store.get('edits'),
    events: store.get('events'),
    keys: new Map()
  }
}

export async function closeView(view: RoomView): Promise<void> {
  await view.meta.close()
  await view.messages.close()
  await view.edits.close()
  await view.events.close()
}

const hex = (b: Buffer): string => b4a.toString(b, 'hex')
export const seqKey = (seq: number): string => String(seq).padStart(12, '0')
const timeKey = (ms: number): string => String(ms).padStart(15, '0')

/** What apply needs besides the ops: the room it is (for member signatures) and how numbers derive. */
export interface ApplyContext {
  discoveryKey: () => Buffer
  scheme: NumberScheme
  /** An op of a newer major protocol version was skipped: this device must update to read it. */
  onnewer?: (version: ProtocolVersion) => void
  /** A member's read mark (OP_READ): they read up to message `id`. Kept off the view, locally. */
  onread?: (publicKey: Buffer, id: string) => void
  /** Message `id` answers `replyTo` (a reply). Kept off the view, locally. */
  onreply?: (id: string, replyTo: string) => void
}

/** Reads of the room state: the view's bee, or an apply call's batch (which sees its own writes). */
interface MetaReader {
  get(key: string): Promise<Buffer | null>
  range(gt: string, lt: string): AsyncIterable<Buffer>
}

export type MetaSource = RoomView | ApplyBatch

function readerOf(from: MetaSource): MetaReader {
  if (from instanceof ApplyBatch) return from
  const { meta } = from
  return {
    get: async (key) => (await meta.get(key))?.value ?? null,
    range: async function* (gt, lt) {
      for await (const { value } of meta.createReadStream({ gt, lt })) yield value
    }
  }
}

/**
 * One apply call's writes: one bee batch flushed once, with the reads it makes cached (the author
 * and room info are read for every message), and each core's new blocks appended at once. Reads go
 * through the batch, so every op sees the ones before it exactly as if each had been written alone.
 */
export class ApplyBatch implements MetaReader {
  readonly view: RoomView
  private readonly _meta: Hyperbee.Batch<string, Buffer>
  private readonly _cache = new Map<string, Buffer | null>()
  private readonly _messages: Buffer[] = []
  private readonly _edits: Buffer[] = []
  private readonly _events: Buffer[] = []

  constructor(view: RoomView) {
    this.view = view
    this._meta = view.meta.batch({ update: false })
  }

  /** The bee's version with this batch's writes: 1 while nothing was ever written. */
  get version(): number {
    return this._meta.version
  }

  get messagesLength(): number {
    return this.view.messages.length + this._messages.length
  }

  get editsLength(): number {
    return this.view.edits.length + this._edits.length
  }

  get eventsLength(): number {
    return this.view.events.length + this._events.length
  }

  /** Records a notice where the room's messages stand now (see room-notices.ts). */
  async notice(kind: NoticeKind, by: Buffer, who: Buffer, name = '', value = 0): Promise<void> {
    await this.put(noticeKey(this.messagesLength, this.eventsLength), c.encode(noticeRecord, { kind, by, who, name, value }))
  }

  async get(key: string): Promise<Buffer | null> {
    const cached = this._cache.get(key)
    if (cached !== undefined) return cached
    const node = await this._meta.get(key)
    const value = node ? node.value : null
    this._cache.set(key, value)
    return value
  }

  async put(key: string, value: Buffer): Promise<void> {
    this._cache.set(key, value)
    await this._meta.put(key, value)
  }

  /** Puts `value` unless `key` is there already (one tree walk, not a get and a put): true if put. */
  async putNew(key: string, value: Buffer): Promise<boolean> {
    let existing: Buffer | null = null
    await this._meta.put(key, value, {
      cas: (prev) => {
        existing = prev.value
        return false
      }
    })
    this._cache.set(key, existing ?? value)
    return existing === null
  }

  async del(key: string): Promise<void> {
    this._cache.set(key, null)
    await this._meta.del(key)
  }

  async *range(gt: string, lt: string): AsyncIterable<Buffer> {
    for await (const { value } of this._meta.createReadStream({ gt, lt })) yield value
  }

  appendMessage(block: Buffer): void {
    this._messages.push(block)
  }

  appendEdit(block: Buffer): void {
    this._edits.push(block)
  }

  appendEvent(event: number): void {
    this._events.push(c.encode(c.uint, event))
  }

  async flush(): Promise<void> {
    // The bee before the events: whoever sees a new events length sees the state it announces.
    await this._meta.flush()
    if (this._messages.length > 0) await this.view.messages.append(this._messages)
    if (this._edits.length > 0) await this.view.edits.append(this._edits)
    if (this._events.length > 0) await this.view.events.append(this._events)
  }
}

/**
 * Applies room ops. Deterministic and defensive: an op that does not decode or breaks a rule is
 * skipped on every member, never thrown, so one hostile member cannot stall the room.
 */
export async function applyOps(nodes: AutobaseNode[], view: RoomView, host: AutobaseHost, ctx: ApplyContext): Promise<void> {
  const tx = new ApplyBatch(view)
  for (const node of nodes) {
    if (node.value === null) continue // an ack
    let op: RoomOp
    try {
      op = decodeRecord(schema.roomOp, node.value, schema.MAX_FRAME_BYTES)
    } catch (err) {
      // Skipped on every member of this version alike; a newer major's op waits for an update.
      if (isPeerlineError(err) && err.code === 'UPGRADE_REQUIRED') ctx.onnewer?.(opVersion(node.value))
      continue
    }
    const event = await applyOp(op, node.from.key, node.length - 1, tx, host, ctx)
    if (event !== null) tx.appendEvent(event)
  }
  await tx.flush()
}

async function applyOp(op: RoomOp, writerKey: Buffer, writerSeq: number, tx: ApplyBatch, host: AutobaseHost, ctx: ApplyContext): Promise<number | null> {
  const author = await authorOf(tx, writerKey)

  if (op.type === schema.OP_ADD_MEMBER) return null // unsigned: nobody vouches for the number or name
  if (op.type === schema.OP_MEMBER) {
    if (op.name.length > schema.MAX_NAME_LENGTH) return null
    if (!(await mayAddMember(tx, author, op.writerKey, op.publicKey, writerKey))) return null
    // Only an admin adds another admin; the creator is the first admin.
    const role = author === null ? schema.ROLE_ADMIN : op.role
    if (role === schema.ROLE_ADMIN && author !== null && author.role !== schema.ROLE_ADMIN) return null
    const failedKey = author === null ? null : 'failedrec/' + hex(author.publicKey)
    const failed = failedKey === null ? 0 : await getCount(tx, failedKey)
    if (failed >= MAX_FAILED_RECORDS) return null
    // The number is what the key derives to, here, on every member; the op's word is not taken.
    const number = await ctx.scheme.derive(op.publicKey)
    if (!verifyMember(op.signature, op.publicKey, ctx.discoveryKey(), op.writerKey, number)) {
      if (failedKey !== null) await tx.put(failedKey, c.encode(c.uint, failed + 1))
      return null
    }
    const { writerKey: device, publicKey, name } = op
    if (author === null) await tx.put('creator', publicKey)
    const before = author === null ? null : await getMember(tx, publicKey)
    await addMember(tx, host, { writerKey: device, publicKey, number, name, role, state: schema.MEMBER_ACTIVE })
    if (author === null) await tx.notice('created', publicKey, publicKey)
    else await tx.notice(before === null ? 'joined' : 'added', author.publicKey, publicKey)
    return EVENT_ROOM
  }

  if (author === null) return null // everything else needs an active member
  if (op.type === schema.OP_DEVICE) return applyDevice(op, author, tx, host, ctx)
  if (op.type === schema.OP_REMOVE_DEVICE) return removeDevice(op.writerKey, author, tx, host)
  if (op.type === schema.OP_DEVICE_EPOCH_GRANT) return grantDevice(op, author, tx)

  switch (op.type) {
    case schema.OP_MESSAGE:
      if (!validText(op.text) || !validId(op.id)) return null
      if (await appendMessage(tx, author, writerKey, writerSeq, op.id, op.text, op.time, {})) noteReply(ctx, op)
      return null
    case schema.OP_SEALED_MESSAGE:
      if (!validId(op.id) || !(await validSealed(tx, op.text))) return null
      if (await appendMessage(tx, author, writerKey, writerSeq, op.id, '', op.time, { sealed: op.text })) noteReply(ctx, op)
      return null
    case schema.OP_READ:
      // A new op type may not change the view (2.0 indexers skip it): the read mark is handed to
      // this device's local state, which checks it (lib/rooms/read-marks.ts).
      if (validId(op.id)) ctx.onread?.(author.publicKey, op.id)
      return null
    case schema.OP_EPOCH_GRANT: {
      // Any member may pass the current key to a member who has none (a joiner): a bad box only
      // leaves that member unable to read, as not granting would.
      const target = await getMember(tx, op.publicKey)
      if (op.epoch !== (await currentEpoch(tx)) || op.box.byteLength !== SEALED_KEY_BYTES) return null
      if (target === null || target.state !== schema.MEMBER_ACTIVE) return null
      const key = epochKeyKey(op.epoch, op.publicKey)
      if ((await tx.get(key)) !== null) return null
      await tx.put(key, op.box)
      return EVENT_ROOM
    }
    case schema.OP_FILE:
      if (!validId(op.id) || !validFile(op.file)) return null
      await appendMessage(tx, author, writerKey, writerSeq, op.id, '', op.time, { file: op.file })
      return null
    case schema.OP_CALL:
      if (!validId(op.id) || !validCall(op.call)) return null
      await appendMessage(tx, author, writerKey, writerSeq, op.id, '', op.time, { call: op.call })
      return null
    case schema.OP_EDIT:
    case schema.OP_SEALED_EDIT: {
      const target = await findMessage(tx, op.id)
      if (target === null || !b4a.equals(target.record.publicKey, author.publicKey)) return null
      if (op.type === schema.OP_EDIT ? !validText(op.text) : !(await validSealed(tx, op.text))) return null
      if ((await tx.get('del/' + seqKey(target.seq))) !== null) return null
      const text = op.type === schema.OP_EDIT ? op.text : ''
      const sealed = op.type === schema.OP_SEALED_EDIT ? op.text : null
      const edit: EditRecord = { seq: target.seq, text, time: op.time, writerKey, writerSeq, sealed }
      const index = tx.editsLength
      await tx.put('edit/' + seqKey(target.seq) + '/' + seqKey(index), c.encode(c.uint, index))
      tx.appendEdit(c.encode(schema.editRecord, edit))
      return target.seq + 1
    }
    case schema.OP_DELETE: {
      const target = await findMessage(tx, op.id)
      if (target === null) return null
      const own = b4a.equals(target.record.publicKey, author.publicKey)
      if (!own && author.role !== schema.ROLE_ADMIN) return null
      // Deleted text leaves the view now and local storage at the next sweep (due at time 0).
      await tx.put('del/' + seqKey(target.seq), b4a.alloc(0))
      await tx.put('exp/' + timeKey(0) + '/' + seqKey(target.seq), b4a.alloc(0))
      return target.seq + 1
    }
    case schema.OP_REACT: {
      const target = await findMessage(tx, op.id)
      if (target === null || op.emoji.length > schema.MAX_EMOJI_LENGTH) return null
      const key = 'react/' + seqKey(target.seq) + '/' + hex(author.publicKey)
      if (op.emoji === '') await tx.del(key)
      else await tx.put(key, b4a.from(op.emoji))
      return target.seq + 1
    }
    case schema.OP_LEAVE:
      if (!(await endMembership(tx, host, author, schema.MEMBER_LEFT))) return null
      await tx.notice('left', author.publicKey, author.publicKey)
      return EVENT_ROOM
    case schema.OP_ADD_INVITE: {
      // Any member may invite (as in a Signal group by default); removing people is for admins.
      const invite: InviteRecord = { publicKey: op.publicKey, expires: op.expires }
      await tx.put('invite/' + hex(op.id), c.encode(schema.inviteRecord, invite))
      return null
    }
  }

  // The rest is moderation: admins only.
  if (author.role !== schema.ROLE_ADMIN) return null
  switch (op.type) {
    case schema.OP_SET_ROLE: {
      const target = await getMember(tx, op.publicKey)
      if (target === null || target.state !== schema.MEMBER_ACTIVE || target.role === op.role) return null
      if (op.role === schema.ROLE_MEMBER && (await countAdmins(tx)) <= 1) return null // keep one admin
      // Indexers are the admins' devices, so a room of hundreds does not index on every member.
      await host.addWriter(target.writerKey, { indexer: op.role === schema.ROLE_ADMIN })
      await putMember(tx, { ...target, role: op.role })
      await tx.notice('role', author.publicKey, target.publicKey, '', op.role)
      return EVENT_ROOM
    }
    case schema.OP_REMOVE_MEMBER: {
      const target = await getMember(tx, op.publicKey)
      if (target === null || target.state !== schema.MEMBER_ACTIVE) return null
      if (!(await endMembership(tx, host, target, schema.MEMBER_REMOVED))) return null
      await tx.notice('removed', author.publicKey, target.publicKey)
      return EVENT_ROOM
    }
    case schema.OP_RENAME: {
      if (op.name.length === 0 || op.name.length > schema.MAX_NAME_LENGTH) return null
      const info = await getInfo(tx)
      await tx.put('info', c.encode(schema.roomInfoRecord, { ...info, name: op.name }))
      await tx.notice('renamed', author.publicKey, author.publicKey, op.name)
      return EVENT_ROOM
    }
    case schema.OP_SET_TIMER: {
      if (op.seconds > schema.MAX_TIMER_SECONDS) return null
      const info = await getInfo(tx)
      await tx.put('info', c.encode(schema.roomInfoRecord, { ...info, timer: op.seconds }))
      await tx.notice('timer', author.publicKey, author.publicKey, '', op.seconds)
      return EVENT_ROOM
    }
    case schema.OP_EPOCH: {
      // The next epoch only, with one key for every active member and nobody else.
      if (op.epoch !== (await currentEpoch(tx)) + 1) return null
      const active = (await listMembers(tx)).filter((m) => m.state === schema.MEMBER_ACTIVE).map((m) => hex(m.publicKey))
      const named = new Set(op.keys.map((k) => hex(k.publicKey)))
      if (named.size !== op.keys.length || named.size !== active.length || !active.every((k) => named.has(k))) return null
      if (op.keys.some((k) => k.box.byteLength !== SEALED_KEY_BYTES)) return null
      for (const k of op.keys) await tx.put(epochKeyKey(op.epoch, k.publicKey), k.box)
      await tx.put('epoch', c.encode(c.uint, op.epoch))
      return EVENT_ROOM
    }
  }
  return null
}

/**
 * A linked device joins its person's membership: only an active member's, only with that
 * person's identity signature over (room, writer, number, device), only a writer never seen in
 * this room, and never a device that was removed here. Anyone may append it (the person's first
 * device does). Only a valid one changes the view; whether it is in a room is decided where it is
 * appended (every admin runs 2.1), never here, so every 2.1 member applies it alike.
 */
async function applyDevice(op: schema.DeviceOp, _author: MemberRecord, tx: ApplyBatch, host: AutobaseHost, ctx: ApplyContext): Promise<number | null> {
  if (op.name.length > schema.MAX_NAME_LENGTH) return null
  const person = await getMember(tx, op.publicKey)
  if (person === null || person.state !== schema.MEMBER_ACTIVE) return null
  if ((await tx.get('writer/' + hex(op.writerKey))) !== null) return null
  if ((await tx.get('revoked/' + hex(op.device))) !== null) return null
  // A forged record writes nothing, not even to the failed-record budget: release 2.0's apply
  // skips this op type, so any byte it wrote would set a 2.1 indexer's view apart from a 2.0
  // one's in a room where the first device never signed anyone in (see DeviceLinks._blocked).
  if (!verifyDeviceMember(op.signature, op.publicKey, ctx.discoveryKey(), op.writerKey, person.number, op.device)) return null
  await host.addWriter(op.writerKey, { indexer: false })
  await tx.put('writer/' + hex(op.writerKey), op.publicKey)
  const record: schema.DeviceRecord = { writerKey: op.writerKey, publicKey: op.publicKey, device: op.device, name: op.name, state: schema.MEMBER_ACTIVE }
  await tx.put('device/' + hex(op.writerKey), c.encode(schema.deviceRecord, record))
  return EVENT_ROOM
}

/** A linked device leaves for good: by its own person or an admin. Its Noise key is refused from now on. */
async function removeDevice(writerKey: Buffer, author: MemberRecord, tx: ApplyBatch, host: AutobaseHost): Promise<number | null> {
  const raw = await tx.get('device/' + hex(writerKey))
  if (raw === null) return null
  const record = c.decode(schema.deviceRecord, raw)
  if (record.state !== schema.MEMBER_ACTIVE) return null
  if (!b4a.equals(record.publicKey, author.publicKey) && author.role !== schema.ROLE_ADMIN) return null
  if (!host.removeable(writerKey)) return null
  await host.removeWriter(writerKey)
  await tx.put('device/' + hex(writerKey), c.encode(schema.deviceRecord, { ...record, state: schema.MEMBER_REMOVED }))
  await tx.put('revoked/' + hex(record.device), record.publicKey)
  // The epoch it left in: if its remover could start no new one (no admin), an admin does (see
  // removedThisEpoch), so its grant of this epoch opens nothing written later.
  await tx.put('devremoved/' + hex(writerKey), c.encode(c.uint, await readEpoch(tx)))
  return EVENT_ROOM
}

/** True if a linked device was removed in the epoch now in force (no new epoch followed yet). */
export async function removedThisEpoch(view: RoomView): Promise<boolean> {
  const epoch = await currentEpoch(view)
  for await (const { value } of view.meta.createReadStream({ gt: 'devremoved/', lt: 'devremoved/~' })) {
    if (c.decode(c.uint, value) === epoch) return true
  }
  return false
}

/**
 * An epoch's key for a linked device, sealed to the device's own key by a member who holds it.
 * Applied only to an active device record of this room (a removed or revoked one gets nothing, so
 * a grant linearized after its removal is ignored), for an epoch that has begun and that the
 * device's person holds a key of (a device reads no more than its person), naming that person's
 * copy as the view holds it (so a key of an epoch op that lost a race is never taken), in a box of
 * the sealed size. Kept per author (their person): apply cannot open a box, and a bad one from one
 * member must not keep another's good one out; the device tries each. Anything else writes nothing:
 * release 2.0's apply skips this op type, so a byte written for a forged grant would set a 2.1
 * indexer's view apart in a room where no device was ever signed in (see applyDevice).
 */
async function grantDevice(op: schema.DeviceEpochGrantOp, author: MemberRecord, tx: ApplyBatch): Promise<number | null> {
  if (op.epoch < 1 || op.epoch > (await readEpoch(tx)) || op.box.byteLength !== SEALED_KEY_BYTES) return null
  const raw = await tx.get('device/' + hex(op.writerKey))
  if (raw === null) return null
  const device = c.decode(schema.deviceRecord, raw)
  if (device.state !== schema.MEMBER_ACTIVE || (await tx.get('revoked/' + hex(device.device))) !== null) return null
  const held = await tx.get(epochKeyKey(op.epoch, device.publicKey))
  if (held === null || !b4a.equals(sealedKeyRef(held), op.ref)) return null
  if (!(await tx.putNew(deviceGrantKey(op.epoch, op.writerKey, author.publicKey), op.box))) return null
  return EVENT_ROOM
}

const deviceGrantPrefix = (epoch: number, writerKey: Buffer): string => 'devgrant/' + seqKey(epoch) + '/' + hex(writerKey) + '/'
const deviceGrantKey = (epoch: number, writerKey: Buffer, by: Buffer): string => deviceGrantPrefix(epoch, writerKey) + hex(by)

/** The copies of an epoch's key granted to a linked device (by its writer key), one per granting person. */
export async function deviceGrants(view: RoomView, epoch: number, writerKey: Buffer): Promise<Array<{ by: Buffer; box: Buffer }>> {
  const prefix = deviceGrantPrefix(epoch, writerKey)
  const out: Array<{ by: Buffer; box: Buffer }> = []
  for await (const { key, value } of view.meta.createReadStream({ gt: prefix, lt: prefix + '~' })) {
    out.push({ by: b4a.from(key.slice(prefix.length), 'hex'), box: value })
  }
  return out
}

/** Every linked device ever added here, with its state. */
export async function listDevices(from: MetaSource): Promise<schema.DeviceRecord[]> {
  const out: schema.DeviceRecord[] = []
  for await (const value of readerOf(from).range('device/', 'device/~')) out.push(c.decode(schema.deviceRecord, value))
  return out
}

async function appendMessage(
  tx: ApplyBatch,
  author: MemberRecord,
  writerKey: Buffer,
  writerSeq: number,
  id: string,
  text: string,
  time: number,
  attached: { file?: schema.FileRef; call?: schema.CallRecord; sealed?: schema.SealedText }
): Promise<boolean> {
  const file = attached.file ?? null
  const seq = tx.messagesLength
  if (!(await tx.putNew('id/' + id, c.encode(messageRef, { seq, publicKey: author.publicKey })))) return false // ids are unique
  const { timer } = await getInfo(tx)
  // The timer in force when the message is applied; the time is the sender's.
  const expires = timer > 0 ? time + timer * 1000 : 0
  const record: MessageRecord = { id, publicKey: author.publicKey, from: author.number, text, time, expires, writerKey, writerSeq, file, call: attached.call ?? null, sealed: attached.sealed ?? null }
  if (file !== null) await tx.put('file/' + hex(file.id), c.encode(c.uint, seq))
  if (expires > 0) {
    await tx.put('exp/' + timeKey(expires) + '/' + seqKey(seq), b4a.alloc(0))
    await tx.put('expseq/' + seqKey(seq), c.encode(c.uint, expires))
  }
  tx.appendMessage(c.encode(schema.messageRecord, record))
  return true
}

/**
 * A reply's link leaves apply for this device's local state (lib/rooms/reply-links.ts): every
 * version of this major must build the same view, and 2.0 indexers store no reply.
 */
function noteReply(ctx: ApplyContext, op: schema.MessageOp | schema.SealedMessageOp): void {
  if (op.replyTo !== undefined) ctx.onreply?.(op.id, op.replyTo)
}

function validCall(call: schema.CallRecord): boolean {
  return /^[0-9a-f]{64}$/.test(call.call) && Number.isSafeInteger(call.duration)
}

function validFile(f: schema.FileRef): boolean {
  return (
    f.name.length > 0 &&
    f.name.length <= 1024 &&
    /^[0-9a-f]{64}$/.test(f.sha256) &&
    f.chunkSize >= 1024 &&
    f.chunkSize <= 4 * 1024 * 1024 &&
    Number.isSafeInteger(f.size)
  )
}

/**
 * The Autobase invariants a member record must keep, whoever appended it: a writer core belongs to
 * one member and is added once (adding an existing writer again would demote or re-key it: an
 * indexer demoted by a plain member bricks the room), a member keeps the one device writer they
 * joined with, and someone who was in the room before comes back only through an admin.
 */
async function mayAddMember(tx: ApplyBatch, author: MemberRecord | null, writerKey: Buffer, publicKey: Buffer, from: Buffer): Promise<boolean> {
  if (author === null) {
    // The creator's first op registers itself as admin; nobody else adds themselves.
    return tx.version <= 1 && b4a.equals(writerKey, from)
  }
  const owner = await tx.get('writer/' + hex(writerKey))
  if (owner !== null && !b4a.equals(owner, publicKey)) return false
  const existing = await getMember(tx, publicKey)
  if (existing === null) return owner === null
  if (!b4a.equals(existing.writerKey, writerKey)) return false // re-keying a member
  return existing.state !== schema.MEMBER_ACTIVE && author.role === schema.ROLE_ADMIN
}

async function getCount(tx: ApplyBatch, key: string): Promise<number> {
  const raw = await tx.get(key)
  if (raw === null) return 0
  try {
    return c.decode(c.uint, raw)
  } catch {
    return 0
  }
}

async function addMember(tx: ApplyBatch, host: AutobaseHost, member: MemberRecord): Promise<void> {
  await host.addWriter(member.writerKey, { indexer: member.role === schema.ROLE_ADMIN })
  await tx.put('writer/' + hex(member.writerKey), member.publicKey)
  await putMember(tx, member)
}

async function endMembership(tx: ApplyBatch, host: AutobaseHost, member: MemberRecord, state: schema.MemberState): Promise<boolean> {
  // The last admin cannot go: the room would have nobody to moderate or index it.
  if (member.role === schema.ROLE_ADMIN && (await countAdmins(tx)) <= 1) return false
  if (!host.removeable(member.writerKey)) return false
  await host.removeWriter(member.writerKey)
  await putMember(tx, { ...member, state, role: schema.ROLE_MEMBER })
  // A person who goes takes their linked devices along.
  for (const d of await listDevices(tx)) {
    if (d.state !== schema.MEMBER_ACTIVE || !b4a.equals(d.publicKey, member.publicKey)) continue
    if (host.removeable(d.writerKey)) await host.removeWriter(d.writerKey)
    await tx.put('device/' + hex(d.writerKey), c.encode(schema.deviceRecord, { ...d, state }))
  }
  return true
}

async function putMember(tx: ApplyBatch, member: MemberRecord): Promise<void> {
  await tx.put('member/' + hex(member.publicKey), c.encode(schema.memberRecord, member))
}

/** A sealed text of an epoch that has begun (not 0: epoch 0 is the room key's), of a sane size. */
async function validSealed(tx: ApplyBatch, sealed: schema.SealedText): Promise<boolean> {
  return sealed.epoch >= 1 && sealed.epoch <= (await currentEpoch(tx)) && sealed.box.byteLength <= MAX_SEALED_BYTES
}

/** The epoch in force: 0 until the first removal's new key. */
export async function currentEpoch(from: MetaSource): Promise<number> {
  if (!(from instanceof ApplyBatch)) return (await roomState(from)).epoch
  return readEpoch(from)
}

async function readEpoch(from: MetaSource): Promise<number> {
  const value = await readerOf(from).get('epoch')
  return value ? c.decode(c.uint, value) : 0
}

const epochKeyKey = (epoch: number, publicKey: Buffer): string => 'epochkey/' + seqKey(epoch) + '/' + hex(publicKey)

/** The epoch key sealed to this member, or null. */
export async function sealedEpochKey(view: RoomView, epoch: number, publicKey: Buffer): Promise<Buffer | null> {
  const node = await view.meta.get(epochKeyKey(epoch, publicKey))
  return node ? node.value : null
}

function validText(text: string): boolean {
  return text.length > 0 && text.length <= schema.MAX_TEXT_LENGTH
}

function validId(id: string): boolean {
  return id.length > 0 && id.length <= 64
}

/** The active member behind a writer core, or null. */
async function authorOf(tx: ApplyBatch, writerKey: Buffer): Promise<MemberRecord | null> {
  const link = await tx.get('writer/' + hex(writerKey))
  if (link === null) return null
  // A removed linked device speaks for nobody, even in ops linearized after its removal.
  const device = await tx.get('device/' + hex(writerKey))
  if (device !== null && c.decode(schema.deviceRecord, device).state !== schema.MEMBER_ACTIVE) return null
  const member = await getMember(tx, link)
  return member && member.state === schema.MEMBER_ACTIVE ? member : null
}

export async function getMember(from: MetaSource, publicKey: Buffer): Promise<MemberRecord | null> {
  const value = await readerOf(from).get('member/' + hex(publicKey))
  return value ? c.decode(schema.memberRecord, value) : null
}

/** Everyone who ever joined, with their state. */
export async function listMembers(from: MetaSource): Promise<MemberRecord[]> {
  if (!(from instanceof ApplyBatch)) return [...(await roomState(from)).members]
  return readMembers(from)
}

async function readMembers(from: MetaSource): Promise<MemberRecord[]> {
  const out: MemberRecord[] = []
  for await (const value of readerOf(from).range('member/', 'member/~')) out.push(c.decode(schema.memberRecord, value))
  return out
}

async function countAdmins(tx: ApplyBatch): Promise<number> {
  let n = 0
  for (const m of await listMembers(tx)) if (m.state === schema.MEMBER_ACTIVE && m.role === schema.ROLE_ADMIN) n++
  return n
}

/** Who created the room (their first signed member record), or null if not known yet. */
export async function getCreator(view: RoomView): Promise<Buffer | null> {
  return (await roomState(view)).creator
}

/** Who is in the room and the epoch, as of one `events` length (see roomState). */
interface RoomState {
  fork: number
  length: number
  members: MemberRecord[]
  creator: Buffer | null
  epoch: number
}

const roomStates = new WeakMap<RoomView, RoomState>()

/**
 * Members, creator and epoch change only in an apply call that also appends an EVENT_ROOM event,
 * so they are read once per events length (and fork: a reorder truncates) instead of on every
 * send: sending checks them each time. Cached only if no update landed while reading.
 */
async function roomState(view: RoomView): Promise<RoomState> {
  const { fork, length } = view.events
  const cached = roomStates.get(view)
  if (cached !== undefined && cached.fork === fork && cached.length === length) return cached
  const node = await view.meta.get('creator')
  const state = { fork, length, members: await readMembers(view), creator: node ? node.value : null, epoch: await readEpoch(view) }
  if (view.events.fork === fork && view.events.length === length) roomStates.set(view, state)
  return state
}

export async function getInfo(from: MetaSource): Promise<RoomInfoRecord> {
  const value = await readerOf(from).get('info')
  return value ? c.decode(schema.roomInfoRecord, value) : { name: '', timer: 0 }
}

export async function getInvite(view: RoomView, id: Buffer): Promise<InviteRecord | null> {
  const node = await view.meta.get('invite/' + hex(id))
  return node ? c.decode(schema.inviteRecord, node.value) : null
}

/**
 * id -> seq and author, from the bee only: apply never reads message blocks, which may have been
 * cleared locally, so every member applies the same ops the same way.
 */
const messageRef = struct<{ seq: number; publicKey: Buffer }>({ seq: c.uint, publicKey: c.fixed32 })

async function findMessage(tx: ApplyBatch, id: string): Promise<{ seq: number; record: { publicKey: Buffer } } | null> {
  const value = await tx.get('id/' + id)
  if (value === null) return null
  const ref = c.decode(messageRef, value)
  return { seq: ref.seq, record: { publicKey: ref.publicKey } }
}

/** A message as a reader sees it now: edits applied, deleted text gone, reactions by member. */
export interface MessageState extends MessageRecord {
  seq: number
  edited: boolean
  deleted: boolean
  reactions: Record<string, string>
  /** The id it answers ('' if none), read from its op by Room (the view keeps no reply). */
  replyTo: string
  /** A reply's view of the message it answers; null when not a reply (or not read yet). */
  quote: QuoteState | null
}

/**
 * Messages with sequence numbers in [from, to), oldest first, in their current state. Messages
 * past their time are left out (and their blocks may already be cleared).
 */
export async function readMessages(view: RoomView, from: number, to: number, now = Date.now(), local: ReadonlyMap<number, { block: Buffer }> = NO_BLOCKS): Promise<MessageState[]> {
  const start = Math.max(0, from)
  const end = Math.min(to, view.messages.length)
  if (end <= start) return []
  // One range read per kind of state for the whole page, not three lookups per message.
  const lo = seqKey(start)
  const hi = seqKey(end)
  const expires = new Map<number, number>()
  for await (const { key, value } of view.meta.createReadStream({ gte: 'expseq/' + lo, lt: 'expseq/' + hi })) {
    expires.set(Number(key.slice(7)), c.decode(c.uint, value))
  }
  const deleted = new Set<number>()
  for await (const { key } of view.meta.createReadStream({ gte: 'del/' + lo, lt: 'del/' + hi })) deleted.add(Number(key.slice(4)))
  const lastEdit = new Map<number, number>()
  for await (const { key, value } of view.meta.createReadStream({ gte: 'edit/' + lo, lt: 'edit/' + hi })) {
    lastEdit.set(Number(key.slice(5, 17)), c.decode(c.uint, value))
  }
  const reactions = new Map<number, Record<string, string>>()
  for await (const { key, value } of view.meta.createReadStream({ gte: 'react/' + lo, lt: 'react/' + hi })) {
    const seq = Number(key.slice(6, 18))
    const r = reactions.get(seq) ?? {}
    r[key.slice(19)] = b4a.toString(value)
    reactions.set(seq, r)
  }
  const seqs: number[] = []
  for (let seq = start; seq < end; seq++) {
    const at = expires.get(seq)
    if (at === undefined || at > now) seqs.push(seq) // past its time: gone from the view
  }
  // A joiner that fast-forwarded has the view's blocks remotely: fetch them. Deleted ones may
  // have been cleared here already, so those are only read if still local.
  const blocks = await Promise.all(seqs.map((seq) => local.get(seq)?.block ?? readBlock(view.messages, seq, !deleted.has(seq))))
  const out: MessageState[] = []
  for (let i = 0; i < seqs.length; i++) {
    const block = blocks[i]
    if (block === null) continue
    const seq = seqs[i]
    const record = c.decode(schema.messageRecord, block)
    const original = textOf(view, record)
    if (original === null) continue // sealed in an epoch this member has no key for
    const isDeleted = deleted.has(seq)
    const editIndex = isDeleted ? undefined : lastEdit.get(seq)
    const editBlock = editIndex === undefined ? null : await readBlock(view.edits, editIndex, true)
    const edited = editBlock ? textOf(view, c.decode(schema.editRecord, editBlock)) : null
    const text = isDeleted ? '' : edited ?? original
    out.push({ ...record, text, seq, edited: editIndex !== undefined, deleted: isDeleted, reactions: reactions.get(seq) ?? {}, replyTo: '', quote: null })
  }
  return out
}

/** What a reply to `id` shows, looked up in this room only (one level: the quote of a quote is not read). */
export async function quoteFor(view: RoomView, id: string, now = Date.now()): Promise<QuoteState> {
  const seq = await seqOfId(view, id)
  const [original] = seq === null ? [] : await readMessages(view, seq, seq + 1, now)
  return quoteOf(id, original ?? null)
}



const NO_BLOCKS: ReadonlyMap<number, { block: Buffer }> = new Map()

/**
 * The blocks of messages [from, to) stored here, by seq, with their ids: a cheap look before
 * readMessages (which also reads deletes, edits, timers and reactions), which is handed the
 * blocks so each is read from storage once.
 */
export async function localMessages(view: RoomView, from: number, to: number): Promise<Map<number, { id: string; block: Buffer }>> {
  const seqs = Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i)
  const blocks = await Promise.all(seqs.map((seq) => view.messages.get(seq, { wait: false })))
  const out = new Map<number, { id: string; block: Buffer }>()
  blocks.forEach((block, i) => {
    if (block !== null) out.set(seqs[i], { id: c.decode(schema.messageRecord, block).id, block })
  })
  return out
}

/** A record's text, opened with the member's epoch key if it is sealed; null if it cannot be. */
function textOf(view: RoomView, record: { text: string; sealed: schema.SealedText | null }): string | null {
  if (record.sealed === null) return record.text
  const key = view.keys.get(record.sealed.epoch)
  return key ? openText(key, record.sealed.nonce, record.sealed.box) : null
}

/** How long a history read waits for a view block that is not local yet. */
const BLOCK_TIMEOUT = 10_000

async function readBlock(core: Hypercore<Buffer>, seq: number, fetch: boolean): Promise<Buffer | null> {
  try {
    return await core.get(seq, fetch ? { timeout: BLOCK_TIMEOUT } : { wait: false })
  } catch {
    return null
  }
}

/** The message that announced the file with this id, or null. */
export async function messageWithFile(view: RoomView, fileKey: Buffer): Promise<MessageState | null> {
  const node = await view.meta.get('file/' + hex(fileKey))
  return node ? messageAt(view, c.decode(c.uint, node.value)) : null
}

/** The current state of one message by id, or null if unknown or gone. */
export async function messageById(view: RoomView, id: string, now = Date.now()): Promise<MessageState | null> {
  const seq = await seqOfId(view, id)
  return seq === null ? null : messageAt(view, seq, now)
}

/** The seq of the message with this id (from the bee, so also once its block is cleared), or null. */
export async function seqOfId(view: RoomView, id: string): Promise<number | null> {
  const node = await view.meta.get('id/' + id)
  return node ? c.decode(messageRef, node.value).seq : null
}

/** The current state of one message by seq, or null if it is past its time or cleared. */
export async function messageAt(view: RoomView, seq: number, now = Date.now()): Promise<MessageState | null> {
  const [state] = await readMessages(view, seq, seq + 1, now)
  return state ?? null
}

/** Where the text of message `seq` is stored: its block, its op, and every edit of it. */
export interface TextLocation {
  seq: number
  writerKey: Buffer
  writerSeq: number
  edits: Array<{ index: number; writerKey: Buffer; writerSeq: number }>
}

/** The parts of a view that say what is due and where its text is. */
export interface TextSource {
  meta: Hyperbee<string, Buffer>
  messages: Hypercore<Buffer>
  edits: Hypercore<Buffer>
}

/**
 * Messages whose text is due to leave local storage by `now` (expired or deleted) and whose
 * blocks are still here. On a SignedView every answer is final: the seq, the op and the edits
 * found are the ones the indexers signed, whatever Autobase reorders later.
 */
export async function dueForClearing(from: TextSource, now: number): Promise<TextLocation[]> {
  const out: TextLocation[] = []
  for await (const { key } of from.meta.createReadStream({ gt: 'exp/', lt: 'exp/' + timeKey(now) + '/~' })) {
    const seq = Number(key.slice(key.lastIndexOf('/') + 1))
    const block = seq < from.messages.length ? await from.messages.get(seq, { wait: false }) : null
    if (block === null) continue // already cleared (or not here)
    const record = c.decode(schema.messageRecord, block)
    const edits: TextLocation['edits'] = []
    for await (const e of from.meta.createReadStream({ gt: 'edit/' + seqKey(seq) + '/', lt: 'edit/' + seqKey(seq) + '/~' })) {
      const index = c.decode(c.uint, e.value)
      const editBlock = index < from.edits.length ? await from.edits.get(index, { wait: false }) : null
      if (editBlock === null) continue
      const edit = c.decode(schema.editRecord, editBlock)
      edits.push({ index, writerKey: edit.writerKey, writerSeq: edit.writerSeq })
    }
    out.push({ seq, writerKey: record.writerKey, writerSeq: record.writerSeq, edits })
  }
  return out
}

/** True while block `seq` of `core` is still the op (writer key and seq) it was found to be. */
export async function blockIsOp(core: Hypercore<Buffer>, seq: number, writerKey: Buffer, writerSeq: number, encoding: 'message' | 'edit'): Promise<boolean> {
  const block = seq < core.length ? await core.get(seq, { wait: false }) : null
  if (block === null) return false
  const record = encoding === 'message' ? c.decode(schema.messageRecord, block) : c.decode(schema.editRecord, block)
  return b4a.equals(record.writerKey, writerKey) && record.writerSeq === writerSeq
}

/** A notice as a reader sees it: where it sits among the messages, and the record. */
export interface NoticeState extends NoticeRecord {
  at: number
}

/** Notices with `from <= at < to`, oldest first, at most `max` (the newest of them). */
export async function readNotices(view: RoomView, from: number, to: number, max = 1000): Promise<NoticeState[]> {
  const out: NoticeState[] = []
  for await (const { key, value } of view.meta.createReadStream({ ...noticeRange(from, to), reverse: true, limit: max })) {
    out.push({ at: noticeAt(key), ...c.decode(noticeRecord, value) })
  }
  return out.reverse()
}
