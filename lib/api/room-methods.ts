import b4a from 'b4a'
import { PeerlineError, isPeerlineError } from '../errors'
import { replyQuote } from '../rooms/reply-quote'
import type { HistoryEntry, MemberInfo, MessageReceipt, RoleName, RoomSummary } from '../contract'
import { fileInfo } from '../files/file-info'
import { callInfo } from '../calls/call-info'
import type { ApiServices } from './services'
import type { Room } from '../rooms/room'
import type { MessageState } from '../rooms/room-view'
import * as schema from '../wire/schemas'
import { DEVICES_SINCE, formatVersion } from '../wire/version'

/** How long an action on a message shown live waits for its op to be stored here. */
const ARRIVAL_WAIT = 10_000
import type { MemberRecord } from '../wire/schemas'

/**
 * The room half of the Api: checks a user can act (so they get a sentence, not a silently
 * ignored op) and turns view records into what clients see. apply enforces the same rules again
 * on every member, for ops that did not come through here.
 */
export class RoomMethods {
  private readonly _core: ApiServices

  constructor(core: ApiServices) {
    this._core = core
  }

  /** `to` is a contact's number (any accepted format) or a room id. */
  async resolve(to: string): Promise<Room> {
    const { contacts, rooms, scheme } = this._core
    if (/^[\d -]+$/.test(to.trim())) {
      const r = contacts.resolve(scheme.parse(to))
      if (r.state !== 'accepted' && r.state !== 'outgoing') {
        throw PeerlineError.NOT_A_CONTACT(scheme.format(r.number), `${scheme.format(r.number)} has not been accepted as a contact.`)
      }
      if (!r.roomKey) throw PeerlineError.NOT_A_CONTACT(scheme.format(r.number))
      return rooms.open(r.roomKey)
    }
    return rooms.open(to.trim())
  }

  async create(name: string): Promise<Room> {
    checkName(name)
    return this._core.rooms.create(schema.ROOM_GROUP, name)
  }

  async list(): Promise<RoomSummary[]> {
    const out: RoomSummary[] = []
    for (const entry of this._core.rooms.list()) {
      // A room left while the list is made is not in it.
      const summary = await this.summary(entry.id).catch((err: PeerlineError) => {
        if (err.code === 'NO_SUCH_ROOM') return null
        throw err
      })
      if (summary !== null) out.push(summary)
    }
    return out
  }

  /**
   * One listRooms entry. A room that closes while it is read (left, or dropped as broken: CLOSED)
   * is summed up as it is after that: broken, or NO_SUCH_ROOM.
   */
  async summary(id: string): Promise<RoomSummary> {
    try {
      return await this._summary(id)
    } catch (err) {
      if ((err as PeerlineError).code !== 'CLOSED') throw err
      const entry = this._core.rooms.list().find((e) => e.id === id)
      if (!entry || entry.broken === null) throw PeerlineError.NO_SUCH_ROOM()
      return this._summary(id)
    }
  }

  private async _summary(id: string): Promise<RoomSummary> {
    const entry = this._core.rooms.list().find((e) => e.id === id)
    if (!entry) throw PeerlineError.NO_SUCH_ROOM()
    const kind = entry.kind === schema.ROOM_DIRECT ? 'direct' : 'group'
    if (entry.broken !== null) {
      return { room: entry.id, name: '', kind, members: 0, unread: 0, timer: 0, uploaded: false, active: false, broken: entry.broken, length: 0, delivered: 0, read: 0, last: null }
    }
    const room = await this._core.rooms.open(entry.id)
    // A resting room answers from what it kept: listing rooms wakes none of them.
    const { info, members: all, newest } = await room.glance()
    const members = all.filter((m) => m.state === schema.MEMBER_ACTIVE)
    const direct = entry.kind === schema.ROOM_DIRECT
    const self = this._core.identity.publicKey
    const other = direct ? members.find((m) => !b4a.equals(m.publicKey, self)) : undefined
    return {
      room: entry.id,
      // A direct room is named after the other person, as messengers do.
      name: direct ? this._directName(other) : info.name,
      kind: direct ? 'direct' : 'group',
      members: members.length,
      unread: Math.max(0, room.length - entry.read),
      timer: info.timer,
      uploaded: room.uploaded,
      active: members.some((m) => b4a.equals(m.publicKey, self)),
      broken: null,
      length: room.length,
      delivered: room.delivered(),
      read: this._receipts ? room.readByAll() : 0,
      last: newest ? { from: newest.from, text: newest.deleted ? '' : newest.text, time: newest.time, file: newest.file && !newest.deleted ? newest.file.name : null, call: newest.call !== null, expires: newest.expires } : null
    }
  }

  async members(id: string): Promise<MemberInfo[]> {
    const room = await this._core.rooms.open(id)
    return (await room.members())
      .filter((m) => m.state === schema.MEMBER_ACTIVE)
      .map((m) => ({
        number: m.number,
        name: m.name,
        role: m.role === schema.ROLE_ADMIN ? 'admin' : 'member',
        online: b4a.equals(m.publicKey, this._core.identity.publicKey) || this._core.contacts.isOnline(m.publicKey)
      }))
  }

  /** The last `limit` messages before seq `before` (default: the newest). Marks the room read. */
  async history(to: string, limit: number, before?: number): Promise<HistoryEntry[]> {
    const room = await this.resolve(to)
    const numbers = await this.numbersByKey(room)
    const names = await this.namesByNumber(room)
    const messages = await room.history(limit, Date.now(), before)
    await this._markRead(room)
    return messages.map((m) => this.entry(m, numbers, names, room))
  }

  /** Clears the unread count, and (read receipts on) tells the members how far this person read. */
  async markRead(id: string): Promise<void> {
    await this._markRead(await this._core.rooms.open(id))
  }

  private async _markRead(room: Room): Promise<void> {
    await this._core.rooms.markRead(room.id)
    if (!this._receipts) return
    try {
      await room.sendReadMark()
    } catch (err) {
      // Reading never fails for a receipt: the mark goes with the next read.
      if (!isPeerlineError(err)) throw err
    }
  }

  /** Read receipts are sent and shown only while the setting is on (off: neither, as in Signal). */
  private get _receipts(): boolean {
    return this._core.book.settings.readReceipts
  }

  /** Each other active member's delivered and read marks on a message this person wrote. */
  async messageInfo(id: string, messageId: string): Promise<MessageReceipt[]> {
    const room = await this._core.rooms.open(id)
    const m = await this._message(room, messageId)
    if (!b4a.equals(m.publicKey, this._core.identity.publicKey)) throw PeerlineError.NOT_ALLOWED('Message info is shown for your own messages.')
    const names = await this.namesByNumber(room)
    return room.marksOn(m).map(({ member, delivered, read }) => ({ number: member.number, name: names.get(member.number) ?? '', delivered, read: this._receipts ? read : null }))
  }

  /** The id `send {replyTo}` names, checked to be a message of this room (a reply never quotes across rooms). */
  async replyTarget(room: Room, id: string): Promise<string> {
    await this._message(room, id)
    return id
  }

  entry(m: MessageState, numbers: Map<string, string>, names: Map<string, string> = new Map(), room: Room | null = null): HistoryEntry {
    const reactions: Record<string, string> = {}
    for (const [key, emoji] of Object.entries(m.reactions)) reactions[numbers.get(key) ?? key] = emoji
    const file = m.file && !m.deleted ? fileInfo(m.file) : null
    const name = names.get(m.from) ?? ''
    const delivered = room?.isDelivered(m) ?? null
    const read = room !== null && this._receipts ? room.isRead(m) : null
    const quote = m.quote === null ? null : replyQuote(m.quote, (key) => names.get(numbers.get(b4a.toString(key, 'hex')) ?? '') ?? '')
    return { id: m.id, seq: m.seq, from: m.from, name, delivered, read, replyTo: m.replyTo || null, quote, text: m.text, time: m.time, edited: m.edited, deleted: m.deleted, reactions, file, call: m.call ? callInfo(m.call) : null, expires: m.expires }
  }

  /** number -> last known name of everyone who was ever in the room (removed members too). */
  async namesByNumber(room: Room): Promise<Map<string, string>> {
    const out = new Map<string, string>()
    for (const m of await room.members()) {
      const name = m.name || this._core.book.get(m.publicKey)?.name || ''
      if (name) out.set(m.number, name)
    }
    return out
  }

  async setRole(id: string, number: string, role: RoleName): Promise<void> {
    const room = await this._admin(id)
    const target = await this._member(room, number)
    // Device records are 2.1: an admin on an older release would index another view of this room.
    const why = role === 'admin' && (await room.devices()).length > 0 ? this._core.deviceLinks.whyNotIndexer(target.publicKey, target.number) : null
    if (why !== null) {
      throw PeerlineError.NOT_ALLOWED(`Not made an admin: ${why}. This conversation has linked devices, so its admins need Peerline ${formatVersion(DEVICES_SINCE)} or later; try again once they have connected with it.`)
    }
    await room.act({ type: schema.OP_SET_ROLE, publicKey: target.publicKey, role: role === 'admin' ? schema.ROLE_ADMIN : schema.ROLE_MEMBER })
  }

  async remove(id: string, number: string): Promise<void> {
    const room = await this._admin(id)
    const target = await this._member(room, number)
    await room.act({ type: schema.OP_REMOVE_MEMBER, publicKey: target.publicKey })
  }

  async rename(id: string, name: string): Promise<void> {
    checkName(name)
    const room = await this._admin(id)
    await room.act({ type: schema.OP_RENAME, name })
  }

  async setTimer(id: string, seconds: number): Promise<void> {
    if (seconds < 0 || seconds > schema.MAX_TIMER_SECONDS) throw PeerlineError.BAD_REQUEST(`seconds must be 0..${schema.MAX_TIMER_SECONDS}`)
    const room = await this._admin(id)
    await room.act({ type: schema.OP_SET_TIMER, seconds })
  }

  async edit(id: string, messageId: string, text: string): Promise<void> {
    const room = await this._core.rooms.open(id)
    const m = await this._message(room, messageId)
    if (!b4a.equals(m.publicKey, this._core.identity.publicKey)) {
      throw PeerlineError.NOT_ALLOWED('Only the person who wrote a message can edit it.')
    }
    await room.act({ type: schema.OP_EDIT, id: messageId, text, time: Date.now() })
  }

  async delete(id: string, messageId: string): Promise<void> {
    const room = await this._core.rooms.open(id)
    const m = await this._message(room, messageId)
    const me = await room.me()
    if (!b4a.equals(m.publicKey, this._core.identity.publicKey) && me?.role !== schema.ROLE_ADMIN) {
      throw PeerlineError.NOT_ALLOWED('Only the author or an admin can delete a message.')
    }
    await room.act({ type: schema.OP_DELETE, id: messageId })
  }

  async react(id: string, messageId: string, emoji: string): Promise<void> {
    if (emoji.length > schema.MAX_EMOJI_LENGTH) throw PeerlineError.BAD_REQUEST('that reaction is too long')
    const room = await this._core.rooms.open(id)
    await this._message(room, messageId)
    await room.act({ type: schema.OP_REACT, id: messageId, emoji })
  }

  /** member key (hex) -> number, for reactions. */
  async numbersByKey(room: Room): Promise<Map<string, string>> {
    return new Map((await room.members()).map((m) => [b4a.toString(m.publicKey, 'hex'), m.number]))
  }

  private async _admin(id: string): Promise<Room> {
    const room = await this._core.rooms.open(id)
    const me = await room.me()
    if (me === null || me.state !== schema.MEMBER_ACTIVE || me.role !== schema.ROLE_ADMIN) {
      throw PeerlineError.NOT_ADMIN()
    }
    return room
  }

  private async _member(room: Room, input: string): Promise<MemberRecord> {
    const number = this._core.scheme.parse(input)
    const m = (await room.members()).find((x) => x.number === number && x.state === schema.MEMBER_ACTIVE)
    if (!m) throw PeerlineError.NOT_A_MEMBER(`${this._core.scheme.format(number)} is not a member of this room.`)
    return m
  }

  private async _message(room: Room, messageId: string): Promise<MessageState> {
    const m = await room.message(messageId, { wait: ARRIVAL_WAIT })
    if (m === null && room.shown(messageId)) throw PeerlineError.NO_SUCH_MESSAGE('That message has not fully arrived on this device yet. Try again in a moment.')
    if (!m || m.deleted) throw PeerlineError.NO_SUCH_MESSAGE()
    return m
  }

  private _directName(other: MemberRecord | undefined): string {
    if (!other) return 'Direct chat'
    return other.name || this._core.book.get(other.publicKey)?.name || this._core.scheme.format(other.number)
  }
}

function checkName(name: string): void {
  if (name.trim().length === 0 || name.length > schema.MAX_NAME_LENGTH) {
    throw PeerlineError.BAD_REQUEST(`a room name has 1 to ${schema.MAX_NAME_LENGTH} characters`)
  }
}
