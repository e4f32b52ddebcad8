/**
 * Storage records: what this device writes to its own disk. The room view (a Hyperbee of state and
 * cores of messages, which apply rebuilds from the room ops) and the profile (contacts, rooms,
 * settings, files; never replicated). A newer version may add fields at the end of a record, which
 * an older one, after a downgrade, ignores (values are read with c.decode, which leaves trailing
 * bytes); a field added here is read with `since`, so records written before it still decode.
 */
import c from 'compact-encoding'
import type { Encoding } from 'compact-encoding'
import { growable, oneOf, optional, since, struct } from './struct'
import { callRecord, fileRef, role, sealedText } from './room-ops'
import type { CallRecord, FileRef, Role, SealedText } from './room-ops'

// Room view records (the Autobase view: a Hyperbee of state, cores of messages).
export const MEMBER_ACTIVE = 0
export const MEMBER_REMOVED = 1
export const MEMBER_LEFT = 2
export type MemberState = typeof MEMBER_ACTIVE | typeof MEMBER_REMOVED | typeof MEMBER_LEFT

export interface MemberRecord {
  writerKey: Buffer
  publicKey: Buffer
  number: string
  name: string
  role: Role
  state: MemberState
}
export const memberRecord: Encoding<MemberRecord> = struct<MemberRecord>({
  writerKey: c.fixed32,
  publicKey: c.fixed32,
  number: c.string,
  name: c.string,
  role,
  state: c.uint as Encoding<MemberState>
})

/** A member's linked device in a room's view (`device/<writer>`). */
export interface DeviceRecord {
  writerKey: Buffer
  publicKey: Buffer
  device: Buffer
  name: string
  state: MemberState
}
export const deviceRecord: Encoding<DeviceRecord> = struct<DeviceRecord>({
  writerKey: c.fixed32,
  publicKey: c.fixed32,
  device: c.fixed32,
  name: c.string,
  state: c.uint as Encoding<MemberState>
})

/** A device of ours in the profile core (`device/<noise key>`): who we linked, and when it was removed. */
export interface ProfileDevice {
  device: Buffer
  name: string
  /** ms */
  added: number
  /** ms; 0 while it is linked */
  removed: number
}
export const profileDevice: Encoding<ProfileDevice> = growable(struct<ProfileDevice>({ device: c.fixed32, name: c.string, added: c.uint, removed: c.uint }))

export interface RoomInfoRecord {
  name: string
  timer: number
}
export const roomInfoRecord: Encoding<RoomInfoRecord> = struct<RoomInfoRecord>({ name: c.string, timer: c.uint })

export interface InviteRecord {
  publicKey: Buffer
  expires: number
}
export const inviteRecord: Encoding<InviteRecord> = struct<InviteRecord>({ publicKey: c.fixed32, expires: c.uint })

export interface MessageRecord {
  id: string
  publicKey: Buffer
  from: string
  text: string
  time: number
  /** When it disappears (ms since epoch), 0 for never: the sender's time plus the room timer. */
  expires: number
  /** Where the op lives in its writer's core, so a disappearing message can be cleared there too. */
  writerKey: Buffer
  writerSeq: number
  file: FileRef | null
  /** A call event (missed, declined, how long it lasted) shown in the conversation. */
  call: CallRecord | null
  /** After a removal, the text is here, sealed with the epoch key, and `text` is ''. */
  sealed: SealedText | null
}
export const messageRecord: Encoding<MessageRecord> = struct<MessageRecord>({
  id: c.string,
  publicKey: c.fixed32,
  from: c.string,
  text: c.string,
  time: c.uint,
  expires: c.uint,
  writerKey: c.fixed32,
  writerSeq: c.uint,
  file: optional(fileRef),
  call: optional(callRecord),
  sealed: since(optional(sealedText), null)
})

export interface EditRecord {
  /** The message this edits. */
  seq: number
  text: string
  time: number
  writerKey: Buffer
  writerSeq: number
  /** As in MessageRecord. */
  sealed: SealedText | null
}
export const editRecord: Encoding<EditRecord> = struct<EditRecord>({
  seq: c.uint,
  text: c.string,
  time: c.uint,
  writerKey: c.fixed32,
  writerSeq: c.uint,
  sealed: since(optional(sealedText), null)
})

// Local profile records (a Hyperbee in the profile's Corestore; never replicated).
export type ContactState = 'outgoing' | 'incoming' | 'accepted' | 'declined'

export interface ContactRecord {
  publicKey: Buffer
  number: string
  name: string
  state: ContactState
  roomKey: Buffer | null
  roomEncryptionKey: Buffer | null
  /** Set while our accept still has to reach them. */
  acceptPending: boolean
  added: number
}

const contactState: Encoding<ContactState> = oneOf<ContactState>(['outgoing', 'incoming', 'accepted', 'declined'])

export const contactRecord: Encoding<ContactRecord> = struct<ContactRecord>({
  publicKey: c.fixed32,
  number: c.string,
  name: c.string,
  state: contactState,
  roomKey: optional<Buffer>(c.fixed32),
  roomEncryptionKey: optional<Buffer>(c.fixed32),
  acceptPending: c.bool,
  added: c.uint
})

/** A number we keep looking for: addContact found nobody (offline, or a mistyped number). */
export interface SearchRecord {
  number: string
  added: number
}
export const searchRecord: Encoding<SearchRecord> = struct<SearchRecord>({ number: c.string, added: c.uint })

export const ROOM_DIRECT = 0
export const ROOM_GROUP = 1
export type RoomKind = typeof ROOM_DIRECT | typeof ROOM_GROUP

export interface RoomEntry {
  key: Buffer
  encryptionKey: Buffer
  /** The local Corestore namespace of this room's cores (chosen before the key may be known). */
  namespace: Buffer
  kind: RoomKind
  /** How many messages had been read (the messages core length when last read). */
  read: number
  left: boolean
}
export const roomEntry: Encoding<RoomEntry> = struct<RoomEntry>({
  key: c.fixed32,
  encryptionKey: c.fixed32,
  namespace: c.fixed32,
  kind: c.uint as Encoding<RoomKind>,
  read: c.uint,
  left: c.bool
})

export interface SettingsRecord {
  name: string
  contactsOnly: boolean
  /** Always-on (blind) peers that keep our rooms' encrypted cores available. */
  alwaysOn: Buffer[]
  /** Send read marks, and see others' (as Signal: off both ways). */
  readReceipts: boolean
}
export const settingsRecord: Encoding<SettingsRecord> = struct<SettingsRecord>({
  name: c.string,
  contactsOnly: c.bool,
  alwaysOn: c.array(c.fixed32) as Encoding<Buffer[]>,
  readReceipts: since(c.bool, true)
})

/** A file this profile sent or downloads (local only): where it is and its chunk hashes. */
export interface LocalFile {
  ref: FileRef
  /** the room it was announced in: only its members may fetch it from us */
  room: Buffer
  path: string
  complete: boolean
  hashes: Buffer
}
export const localFile: Encoding<LocalFile> = struct<LocalFile>({
  ref: fileRef,
  room: c.fixed32,
  path: c.string,
  complete: c.bool,
  hashes: c.raw
})
