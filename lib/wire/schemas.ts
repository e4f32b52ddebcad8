/**
 * Every format Peerline puts on the wire or into a room's cores, declared once.
 * Versions: channel protocols carry theirs in the name; room ops carry a type tag, and an
 * unknown tag is skipped by apply, so newer peers can add ops without breaking older ones.
 */
import c from 'compact-encoding'
import type { Encoding, State } from 'compact-encoding'
import { oneOf, struct } from './struct'

export const HELLO_PROTOCOL = 'peerline/hello/1'
export const CONTACT_PROTOCOL = 'peerline/contact/1'
export const ROOM_LIVE_PROTOCOL = 'peerline/room-live/1'
export const FILE_PROTOCOL = 'peerline/file/1'
export const CALL_PROTOCOL = 'peerline/call/1'
/** Tunnelled call datagrams, only on connections whose stream cannot carry unordered datagrams. */
export const CALL_MEDIA_PROTOCOL = 'peerline/call-media/1'

/** No single protocol frame of ours needs more than this. */
export const MAX_FRAME_BYTES = 64 * 1024
export const MAX_NAME_LENGTH = 64
export const MAX_TEXT_LENGTH = 16 * 1024

// Hello: the handshake of the hello channel. The number is checked against the Noise key.
export interface Hello {
  number: string
  name: string
}
export const hello: Encoding<Hello> = struct<Hello>({ number: c.string, name: c.string })

// Contact channel: a request carries the direct room's key and its encryption key.
export interface ContactRequest {
  name: string
  roomKey: Buffer
  roomEncryptionKey: Buffer
}
export const contactRequest: Encoding<ContactRequest> = struct<ContactRequest>({
  name: c.string,
  roomKey: c.fixed32,
  roomEncryptionKey: c.fixed32
})

export interface ContactAccept {
  roomKey: Buffer
  writerKey: Buffer
}
export const contactAccept: Encoding<ContactAccept> = struct<ContactAccept>({
  roomKey: c.fixed32,
  writerKey: c.fixed32
})

export interface ContactDecline {
  reason: string
}
export const contactDecline: Encoding<ContactDecline> = struct<ContactDecline>({ reason: c.string })

// Room live channel: a copy of a message pushed to online members while the durable op replicates.
export interface LiveMessage {
  roomKey: Buffer
  id: string
  text: string
  time: number
}
export const liveMessage: Encoding<LiveMessage> = struct<LiveMessage>({
  roomKey: c.fixed32,
  id: c.string,
  text: c.string,
  time: c.uint
})

// Call channel: signalling between two workers. Every message names its call (32 random bytes).
export interface CallRing {
  call: Buffer
  /** The room the call belongs to: the direct room for a 1:1 call, the group room otherwise. */
  room: Buffer
  video: boolean
  group: boolean
}
export const callRing: Encoding<CallRing> = struct<CallRing>({ call: c.fixed32, room: c.fixed32, video: c.bool, group: c.bool })

/** accept, hang-up, join: only the call id. */
export interface CallRef {
  call: Buffer
}
export const callRef: Encoding<CallRef> = struct<CallRef>({ call: c.fixed32 })

export type DeclineReason = 'declined' | 'busy' | 'full'
export interface CallDecline {
  call: Buffer
  reason: DeclineReason
}
export const callDecline: Encoding<CallDecline> = struct<CallDecline>({
  call: c.fixed32,
  reason: oneOf<DeclineReason>(['declined', 'busy', 'full'])
})

/** Who else is in a call: the answer to an accept, so the joiner can connect to each of them. */
export interface CallParticipants {
  call: Buffer
  peers: Buffer[]
}
export const callParticipants: Encoding<CallParticipants> = struct<CallParticipants>({
  call: c.fixed32,
  peers: c.array(c.fixed32) as Encoding<Buffer[]>
})

export type SignalKind = 'offer' | 'answer' | 'candidate'
/** WebRTC signalling: an SDP offer or answer (text), or an ICE candidate line with its m-line (+1, 0 for none). */
export interface CallSignal {
  call: Buffer
  kind: SignalKind
  text: string
  mid: string
  mline: number
}
export const callSignal: Encoding<CallSignal> = struct<CallSignal>({
  call: c.fixed32,
  kind: oneOf<SignalKind>(['offer', 'answer', 'candidate']),
  text: c.string,
  mid: c.string,
  mline: c.uint
})

/** In-call chat: lives only on the wire and in the renderer, never in storage. */
export interface CallChat {
  call: Buffer
  text: string
  time: number
}
export const callChat: Encoding<CallChat> = struct<CallChat>({ call: c.fixed32, text: c.string, time: c.uint })

/** A tunnelled datagram on the fallback channel. */
export interface CallDatagram {
  call: Buffer
  data: Buffer
}
export const callDatagram: Encoding<CallDatagram> = struct<CallDatagram>({ call: c.fixed32, data: c.buffer as Encoding<Buffer> })

// Room ops: the values writers append to a room's Autobase. A tag, then the op's fields.
export const OP_ADD_MEMBER = 1
export const OP_MESSAGE = 2
export const OP_SET_ROLE = 3
export const OP_REMOVE_MEMBER = 4
export const OP_RENAME = 5
export const OP_EDIT = 6
export const OP_DELETE = 7
export const OP_REACT = 8
export const OP_SET_TIMER = 9
export const OP_LEAVE = 10
export const OP_ADD_INVITE = 11
export const OP_FILE = 12
export const OP_CALL = 13

export const ROLE_MEMBER = 0
export const ROLE_ADMIN = 1
export type Role = typeof ROLE_MEMBER | typeof ROLE_ADMIN
export const MAX_EMOJI_LENGTH = 16
export const MAX_TIMER_SECONDS = 365 * 24 * 3600

const role: Encoding<Role> = {
  preencode: (state, v) => c.uint.preencode(state, v),
  encode: (state, v) => c.uint.encode(state, v),
  decode: (state) => {
    const v = c.uint.decode(state)
    if (v !== ROLE_MEMBER && v !== ROLE_ADMIN) throw new Error('bad role')
    return v
  }
}

export interface AddMemberOp {
  type: typeof OP_ADD_MEMBER
  writerKey: Buffer
  publicKey: Buffer
  number: string
  name: string
  role: Role
}
export interface MessageOp {
  type: typeof OP_MESSAGE
  id: string
  text: string
  time: number
}
export interface SetRoleOp {
  type: typeof OP_SET_ROLE
  publicKey: Buffer
  role: Role
}
export interface RemoveMemberOp {
  type: typeof OP_REMOVE_MEMBER
  publicKey: Buffer
}
export interface RenameOp {
  type: typeof OP_RENAME
  name: string
}
export interface EditOp {
  type: typeof OP_EDIT
  id: string
  text: string
  time: number
}
export interface DeleteOp {
  type: typeof OP_DELETE
  id: string
}
export interface ReactOp {
  type: typeof OP_REACT
  id: string
  /** '' takes the reaction back. */
  emoji: string
}
export interface SetTimerOp {
  type: typeof OP_SET_TIMER
  seconds: number
}
export interface LeaveOp {
  type: typeof OP_LEAVE
}
export interface AddInviteOp {
  type: typeof OP_ADD_INVITE
  /** blind-pairing's invite id and public key; the invite's secret stays in the z32 string. */
  id: Buffer
  publicKey: Buffer
  expires: number
}
/**
 * A file, announced as a message. Its bytes are fetched in chunks over the file channel from any
 * member who holds it; `root` is the SHA-256 of its chunks' SHA-256s (the manifest), so every
 * chunk is checked as it lands.
 */
export interface FileRef {
  /** random, one per announcement */
  id: Buffer
  root: Buffer
  name: string
  size: number
  /** hex SHA-256 of the whole file */
  sha256: string
  chunkSize: number
}
export const fileRef: Encoding<FileRef> = struct<FileRef>({
  id: c.fixed32,
  root: c.fixed32,
  name: c.string,
  size: c.uint,
  sha256: c.string,
  chunkSize: c.uint
})

/** How a call went, as the caller records it in the conversation. */
export type CallOutcome = 'ended' | 'missed' | 'declined' | 'busy'
export interface CallRecord {
  /** hex call id */
  call: string
  outcome: CallOutcome
  video: boolean
  group: boolean
  /** ms from the first answer to the end; 0 if nobody answered */
  duration: number
}
export const callRecord: Encoding<CallRecord> = struct<CallRecord>({
  call: c.string,
  outcome: oneOf<CallOutcome>(['ended', 'missed', 'declined', 'busy']),
  video: c.bool,
  group: c.bool,
  duration: c.uint
})

export interface CallOp {
  type: typeof OP_CALL
  id: string
  call: CallRecord
  time: number
}

export interface FileOp {
  type: typeof OP_FILE
  id: string
  file: FileRef
  time: number
}

export type RoomOp =
  | CallOp
  | FileOp
  | AddMemberOp
  | MessageOp
  | SetRoleOp
  | RemoveMemberOp
  | RenameOp
  | EditOp
  | DeleteOp
  | ReactOp
  | SetTimerOp
  | LeaveOp
  | AddInviteOp

type Body<O extends RoomOp> = Encoding<Omit<O, 'type'>>

const OP_BODIES: { [K in RoomOp['type']]: Body<Extract<RoomOp, { type: K }>> } = {
  [OP_ADD_MEMBER]: struct<Omit<AddMemberOp, 'type'>>({ writerKey: c.fixed32, publicKey: c.fixed32, number: c.string, name: c.string, role }),
  [OP_MESSAGE]: struct<Omit<MessageOp, 'type'>>({ id: c.string, text: c.string, time: c.uint }),
  [OP_SET_ROLE]: struct<Omit<SetRoleOp, 'type'>>({ publicKey: c.fixed32, role }),
  [OP_REMOVE_MEMBER]: struct<Omit<RemoveMemberOp, 'type'>>({ publicKey: c.fixed32 }),
  [OP_RENAME]: struct<Omit<RenameOp, 'type'>>({ name: c.string }),
  [OP_EDIT]: struct<Omit<EditOp, 'type'>>({ id: c.string, text: c.string, time: c.uint }),
  [OP_DELETE]: struct<Omit<DeleteOp, 'type'>>({ id: c.string }),
  [OP_REACT]: struct<Omit<ReactOp, 'type'>>({ id: c.string, emoji: c.string }),
  [OP_SET_TIMER]: struct<Omit<SetTimerOp, 'type'>>({ seconds: c.uint }),
  [OP_LEAVE]: struct<Omit<LeaveOp, 'type'>>({}),
  [OP_ADD_INVITE]: struct<Omit<AddInviteOp, 'type'>>({ id: c.fixed32, publicKey: c.fixed32, expires: c.uint }),
  [OP_FILE]: struct<Omit<FileOp, 'type'>>({ id: c.string, file: fileRef, time: c.uint }),
  [OP_CALL]: struct<Omit<CallOp, 'type'>>({ id: c.string, call: callRecord, time: c.uint })
}

function bodyOf(type: number): Encoding<object> {
  const body = (OP_BODIES as Record<number, Encoding<object> | undefined>)[type]
  if (body === undefined) throw new Error('unknown op type ' + type)
  return body
}

export const roomOp: Encoding<RoomOp> = {
  preencode(state: State, op: RoomOp): void {
    c.uint.preencode(state, op.type)
    bodyOf(op.type).preencode(state, op)
  },
  encode(state: State, op: RoomOp): void {
    c.uint.encode(state, op.type)
    bodyOf(op.type).encode(state, op)
  },
  decode(state: State): RoomOp {
    const type = c.uint.decode(state)
    return { type, ...bodyOf(type).decode(state) } as RoomOp
  }
}

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
  call: optional(callRecord)
})

export interface EditRecord {
  /** The message this edits. */
  seq: number
  text: string
  time: number
  writerKey: Buffer
  writerSeq: number
}
export const editRecord: Encoding<EditRecord> = struct<EditRecord>({
  seq: c.uint,
  text: c.string,
  time: c.uint,
  writerKey: c.fixed32,
  writerSeq: c.uint
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

function optional<T>(enc: Encoding<T>): Encoding<T | null> {
  return {
    preencode(state, v) {
      c.bool.preencode(state, v !== null)
      if (v !== null) enc.preencode(state, v)
    },
    encode(state, v) {
      c.bool.encode(state, v !== null)
      if (v !== null) enc.encode(state, v)
    },
    decode(state) {
      return c.bool.decode(state) ? enc.decode(state) : null
    }
  }
}


// Join request: the userData of a blind-pairing request. The signature, by the joiner's identity
// key over the invite id and writer key, proves the identity it claims.
export interface JoinRequest {
  writerKey: Buffer
  publicKey: Buffer
  name: string
  signature: Buffer
}
export const joinRequest: Encoding<JoinRequest> = struct<JoinRequest>({
  writerKey: c.fixed32,
  publicKey: c.fixed32,
  name: c.string,
  signature: c.fixed64
})

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
}
export const settingsRecord: Encoding<SettingsRecord> = struct<SettingsRecord>({
  name: c.string,
  contactsOnly: c.bool,
  alwaysOn: c.array(c.fixed32) as Encoding<Buffer[]>
})


// File channel (one per connection, every file on it): a member asks for a file's chunk hashes
// (which also asks "do you have it and may I have it"), then for ranges of chunks.
export interface FileQuery {
  id: Buffer
  /** the first chunk hash wanted; past the end asks only whether they have it */
  first: number
}
export const fileQuery: Encoding<FileQuery> = struct<FileQuery>({ id: c.fixed32, first: c.uint })

export interface FileManifest {
  id: Buffer
  first: number
  /** 32-byte SHA-256s of chunks first, first + 1, ... */
  hashes: Buffer
}
export const fileManifest: Encoding<FileManifest> = struct<FileManifest>({ id: c.fixed32, first: c.uint, hashes: c.raw })

/** "I do not have that file, or you may not have it": the same answer, so it tells nothing. */
export interface FileNone {
  id: Buffer
}
export const fileNone: Encoding<FileNone> = struct<FileNone>({ id: c.fixed32 })

export interface FileRequest {
  id: Buffer
  index: number
  count: number
}
export const fileRequest: Encoding<FileRequest> = struct<FileRequest>({ id: c.fixed32, index: c.uint, count: c.uint })

export interface FileData {
  id: Buffer
  index: number
  data: Buffer
}
export const fileData: Encoding<FileData> = struct<FileData>({ id: c.fixed32, index: c.uint, data: c.raw })

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

// LAN beacon: multicast on every LAN interface so instances find each other's DHT nodes with no
// internet. The key is a throwaway Ed25519 key made per run (never the identity), so a beacon says
// nothing about who sends it; the signature covers the body with LAN_BEACON_DOMAIN in front.
export const LAN_BEACON_DOMAIN = 'peerline/lan-beacon/1'
export const MAX_LAN_BEACON_BYTES = 256
export interface LanBeaconBody {
  /** The sender's throwaway beacon key. */
  key: Buffer
  /** The sender's DHT node, IPv4 on the interface the beacon left from. */
  host: string
  port: number
  /** Sender's clock, ms since the epoch. */
  time: number
}
export const lanBeaconBody: Encoding<LanBeaconBody> = struct<LanBeaconBody>({
  key: c.fixed32,
  host: c.string,
  port: c.uint16,
  time: c.uint
})
export interface LanBeacon extends LanBeaconBody {
  signature: Buffer
}
export const lanBeacon: Encoding<LanBeacon> = struct<LanBeacon>({
  key: c.fixed32,
  host: c.string,
  port: c.uint16,
  time: c.uint,
  signature: c.fixed64
})
