/**
 * Room ops: the records writers append to a room's Autobase, which apply turns into the room's
 * view. They are durable: an op written by any release must apply the same way in every later one
 * (test/fixtures/wire/roomOp-*.json). New op types may be added; an op's fields may only grow at
 * its end; nested records (FileRef, CallRecord, SealedText) never change.
 */
import c from 'compact-encoding'
import type { Encoding, State } from 'compact-encoding'
import { PeerlineError } from '../errors'
import { growable, oneOf, struct } from './struct'
import { PROTOCOL_MAJOR, UNVERSIONED, formatVersion, protocolVersion, written } from './version'
import type { ProtocolVersion } from './version'

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
export const OP_MEMBER = 14
export const OP_EPOCH = 15
export const OP_EPOCH_GRANT = 16
export const OP_SEALED_MESSAGE = 17
export const OP_SEALED_EDIT = 18
export const OP_READ = 19
export const OP_DEVICE = 20
export const OP_REMOVE_DEVICE = 21
export const OP_DEVICE_EPOCH_GRANT = 22

export const ROLE_MEMBER = 0
export const ROLE_ADMIN = 1
export type Role = typeof ROLE_MEMBER | typeof ROLE_ADMIN
export const MAX_EMOJI_LENGTH = 16
export const MAX_TIMER_SECONDS = 365 * 24 * 3600

export const role: Encoding<Role> = {
  preencode: (state, v) => c.uint.preencode(state, v),
  encode: (state, v) => c.uint.encode(state, v),
  decode: (state) => {
    const v = c.uint.decode(state)
    if (v !== ROLE_MEMBER && v !== ROLE_ADMIN) throw new Error('bad role')
    return v
  }
}

/**
 * A member record: valid only with `signature`, by `publicKey`, over the room's discovery key,
 * the device writer key and the number derived from `publicKey` (lib/rooms/member-signature.ts).
 * apply derives the number itself; no op carries one. One device writer per member for now; linked
 * devices will be their own signed op, so a person's devices all hang off this record.
 */
export interface MemberOp {
  type: typeof OP_MEMBER
  writerKey: Buffer
  publicKey: Buffer
  name: string
  role: Role
  signature: Buffer
}

/**
 * A linked device of a member: another writer under the same person. Valid only with
 * `signature` by `publicKey` (an active member's identity key) over the room's discovery key, the
 * device's writer key, the number derived from `publicKey` and the device's Noise key
 * (lib/rooms/member-signature.ts, deviceSignable). Ops from that writer are the member's.
 */
export interface DeviceOp {
  type: typeof OP_DEVICE
  writerKey: Buffer
  publicKey: Buffer
  /** The device's own Noise key (its connections), so members can dial and let it in. */
  device: Buffer
  name: string
  signature: Buffer
}

/** Takes a linked device's writer away for good (its person, or an admin). */
export interface RemoveDeviceOp {
  type: typeof OP_REMOVE_DEVICE
  writerKey: Buffer
}

/** A text sealed with the key of an epoch (lib/rooms/epoch-keys.ts); epoch 0 is never sealed. */
export interface SealedText {
  epoch: number
  nonce: Buffer
  box: Buffer
}
export const sealedText: Encoding<SealedText> = struct<SealedText>({ epoch: c.uint, nonce: c.fixed(24), box: c.buffer })

export interface EpochKey {
  publicKey: Buffer
  /** The epoch key sealed to publicKey's identity. */
  box: Buffer
}
const epochKey: Encoding<EpochKey> = struct<EpochKey>({ publicKey: c.fixed32, box: c.buffer })

/** Starts epoch `epoch` (an admin, after a removal): its key sealed to each remaining member. */
export interface EpochOp {
  type: typeof OP_EPOCH
  epoch: number
  keys: EpochKey[]
}

/** Gives the current epoch's key to a member who joined after it began. */
export interface EpochGrantOp {
  type: typeof OP_EPOCH_GRANT
  epoch: number
  publicKey: Buffer
  box: Buffer
}

/**
 * An epoch's key for a linked device (2.1): a device holds no identity secret, so it opens none
 * of the copies sealed to identity keys. This copy is sealed to the device's own Noise key (its
 * device record's `device`); the device is named by its writer key in this room (`device/<w>`).
 * A member may pass any epoch its person holds, so the device reads what its person reads.
 */
export interface DeviceEpochGrantOp {
  type: typeof OP_DEVICE_EPOCH_GRANT
  epoch: number
  writerKey: Buffer
  box: Buffer
  /**
   * The BLAKE2b-256 of the copy sealed to the device's person in that epoch, as the granter saw it
   * (lib/rooms/epoch-keys.ts, sealedKeyRef). When two epoch ops race, the one linearized second is
   * skipped and its key is nobody's: a grant sealed with it names a copy the view does not hold
   * and is dropped, so a device never takes a losing key for the epoch's.
   */
  ref: Buffer
}

export interface SealedMessageOp {
  type: typeof OP_SEALED_MESSAGE
  id: string
  text: SealedText
  time: number
  /** As in MessageOp. */
  replyTo?: string
}

export interface SealedEditOp {
  type: typeof OP_SEALED_EDIT
  id: string
  text: SealedText
  time: number
}

/** Unsigned member record of the first rooms: still decodes, never applied. */
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
  /**
   * The id of the message this one answers (a reply), absent if none. Added after 2.0 as a
   * trailing field: 2.0 readers leave it unread and show a plain message.
   */
  replyTo?: string
}
/**
 * A read mark: the author has read the room up to and including message `id` (read receipts).
 * Written only by members who send read receipts; older versions skip the op type.
 */
export interface ReadOp {
  type: typeof OP_READ
  id: string
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
  | MemberOp
  | EpochOp
  | EpochGrantOp
  | SealedMessageOp
  | SealedEditOp
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
  | ReadOp
  | DeviceOp
  | RemoveDeviceOp
  | DeviceEpochGrantOp

type Body<O extends RoomOp> = Encoding<Omit<O, 'type'>>

/**
 * A message body and its trailing `replyTo` (since 2.0's release; ops before it end first). It is
 * always written ('' for none), so fields a later version appends come after it and never read
 * as a reply; '' and absent both decode to no `replyTo` key.
 */
function withReply<T extends object>(body: Encoding<T>): Encoding<T & { replyTo?: string }> {
  return {
    preencode(state, v) {
      body.preencode(state, v)
      c.string.preencode(state, v.replyTo ?? '')
    },
    encode(state, v) {
      body.encode(state, v)
      c.string.encode(state, v.replyTo ?? '')
    },
    decode(state) {
      const out: T & { replyTo?: string } = body.decode(state)
      if (state.start < state.end) {
        const replyTo = c.string.decode(state)
        if (replyTo !== '') out.replyTo = replyTo
      }
      return out
    }
  }
}

const OP_BODIES: { [K in RoomOp['type']]: Body<Extract<RoomOp, { type: K }>> } = {
  [OP_ADD_MEMBER]: struct<Omit<AddMemberOp, 'type'>>({ writerKey: c.fixed32, publicKey: c.fixed32, number: c.string, name: c.string, role }),
  [OP_MESSAGE]: withReply(struct<Omit<MessageOp, 'type' | 'replyTo'>>({ id: c.string, text: c.string, time: c.uint })),
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
  [OP_CALL]: struct<Omit<CallOp, 'type'>>({ id: c.string, call: callRecord, time: c.uint }),
  [OP_MEMBER]: struct<Omit<MemberOp, 'type'>>({ writerKey: c.fixed32, publicKey: c.fixed32, name: c.string, role, signature: c.fixed64 }),
  [OP_EPOCH]: struct<Omit<EpochOp, 'type'>>({ epoch: c.uint, keys: c.array(epochKey) }),
  [OP_EPOCH_GRANT]: struct<Omit<EpochGrantOp, 'type'>>({ epoch: c.uint, publicKey: c.fixed32, box: c.buffer }),
  [OP_SEALED_MESSAGE]: withReply(struct<Omit<SealedMessageOp, 'type' | 'replyTo'>>({ id: c.string, text: sealedText, time: c.uint })),
  [OP_SEALED_EDIT]: struct<Omit<SealedEditOp, 'type'>>({ id: c.string, text: sealedText, time: c.uint }),
  [OP_READ]: struct<Omit<ReadOp, 'type'>>({ id: c.string }),
  [OP_DEVICE]: struct<Omit<DeviceOp, 'type'>>({ writerKey: c.fixed32, publicKey: c.fixed32, device: c.fixed32, name: c.string, signature: c.fixed64 }),
  [OP_REMOVE_DEVICE]: struct<Omit<RemoveDeviceOp, 'type'>>({ writerKey: c.fixed32 }),
  [OP_DEVICE_EPOCH_GRANT]: struct<Omit<DeviceEpochGrantOp, 'type'>>({ epoch: c.uint, writerKey: c.fixed32, box: c.buffer, ref: c.fixed32 })
}

function bodyOf(type: number): Encoding<object> {
  const body = (OP_BODIES as Record<number, Encoding<object> | undefined>)[type]
  if (body === undefined) throw new Error('unknown op type ' + type)
  return body
}

/**
 * The tag in front of a versioned op: VERSIONED_OP_TAG, the protocol version that wrote it, then
 * the op's own tag and body. Ops of the first release start with their own tag (never 0) and are
 * version 1.0.
 */
export const VERSIONED_OP_TAG = 0

/** The protocol version a stored op was written by (UNVERSIONED for the first release's ops). */
export function opVersion(buf: Buffer): ProtocolVersion {
  const state = { start: 0, end: buf.byteLength, buffer: buf }
  if (c.uint.decode(state) !== VERSIONED_OP_TAG) return UNVERSIONED
  return protocolVersion.decode(state)
}

/**
 * A room op, as writers append it. Ops live in the room's cores forever, so every version decodes
 * every older op the same way. An op of a newer major version fails with UPGRADE_REQUIRED (apply
 * skips it and the room says an update is needed); a newer minor's extra fields are ignored.
 */
export const roomOp: Encoding<RoomOp> = growable<RoomOp>({
  preencode(state: State, op: RoomOp): void {
    c.uint.preencode(state, VERSIONED_OP_TAG)
    protocolVersion.preencode(state, written())
    c.uint.preencode(state, op.type)
    bodyOf(op.type).preencode(state, op)
  },
  encode(state: State, op: RoomOp): void {
    c.uint.encode(state, VERSIONED_OP_TAG)
    protocolVersion.encode(state, written())
    c.uint.encode(state, op.type)
    bodyOf(op.type).encode(state, op)
  },
  decode(state: State): RoomOp {
    let type = c.uint.decode(state)
    if (type === VERSIONED_OP_TAG) {
      const version = protocolVersion.decode(state)
      if (version.major > PROTOCOL_MAJOR) throw PeerlineError.UPGRADE_REQUIRED(`a room op of protocol ${formatVersion(version)}`)
      type = c.uint.decode(state)
    }
    return { type, ...bodyOf(type).decode(state) } as RoomOp
  }
})
