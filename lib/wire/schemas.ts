/**
 * Every format Peerline puts on the wire or into a room's cores, declared once.
 * Versions: channel protocols carry theirs in the name; room ops carry a type tag, and an
 * unknown tag is skipped by apply, so newer peers can add ops without breaking older ones.
 */
import c from 'compact-encoding'
import type { Encoding, State } from 'compact-encoding'
import { struct } from './struct'

export const HELLO_PROTOCOL = 'peerline/hello/1'
export const CONTACT_PROTOCOL = 'peerline/contact/1'
export const ROOM_LIVE_PROTOCOL = 'peerline/room-live/1'

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

// Room ops: the values writers append to a room's Autobase.
export const OP_ADD_MEMBER = 1
export const OP_MESSAGE = 2

export interface AddMemberOp {
  type: typeof OP_ADD_MEMBER
  writerKey: Buffer
  publicKey: Buffer
  number: string
  name: string
}
export interface MessageOp {
  type: typeof OP_MESSAGE
  id: string
  text: string
  time: number
}
export type RoomOp = AddMemberOp | MessageOp

const addMemberBody = struct<Omit<AddMemberOp, 'type'>>({
  writerKey: c.fixed32,
  publicKey: c.fixed32,
  number: c.string,
  name: c.string
})
const messageBody = struct<Omit<MessageOp, 'type'>>({ id: c.string, text: c.string, time: c.uint })

export const roomOp: Encoding<RoomOp> = {
  preencode(state: State, op: RoomOp): void {
    c.uint.preencode(state, op.type)
    if (op.type === OP_ADD_MEMBER) addMemberBody.preencode(state, op)
    else messageBody.preencode(state, op)
  },
  encode(state: State, op: RoomOp): void {
    c.uint.encode(state, op.type)
    if (op.type === OP_ADD_MEMBER) addMemberBody.encode(state, op)
    else messageBody.encode(state, op)
  },
  decode(state: State): RoomOp {
    const type = c.uint.decode(state)
    if (type === OP_ADD_MEMBER) return { type, ...addMemberBody.decode(state) }
    if (type === OP_MESSAGE) return { type, ...messageBody.decode(state) }
    throw new Error('unknown op type ' + type)
  }
}

// Room view records (the Hyperbee an Autobase room builds).
export interface MemberRecord {
  writerKey: Buffer
  publicKey: Buffer
  number: string
  name: string
}
export const memberRecord: Encoding<MemberRecord> = addMemberBody

export interface MessageRecord {
  id: string
  publicKey: Buffer
  from: string
  text: string
  time: number
}
export const messageRecord: Encoding<MessageRecord> = struct<MessageRecord>({
  id: c.string,
  publicKey: c.fixed32,
  from: c.string,
  text: c.string,
  time: c.uint
})

// Local profile records (a Hyperbee in the profile's Corestore; never replicated).
export type ContactState = 'outgoing' | 'incoming' | 'accepted' | 'declined'
const CONTACT_STATES: ContactState[] = ['outgoing', 'incoming', 'accepted', 'declined']

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

const contactState: Encoding<ContactState> = {
  preencode: (state, v) => c.uint.preencode(state, CONTACT_STATES.indexOf(v)),
  encode: (state, v) => c.uint.encode(state, CONTACT_STATES.indexOf(v)),
  decode: (state) => {
    const v = CONTACT_STATES[c.uint.decode(state)]
    if (v === undefined) throw new Error('bad contact state')
    return v
  }
}

export const contactRecord: Encoding<ContactRecord> = struct<ContactRecord>({
  publicKey: c.fixed32,
  number: c.string,
  name: c.string,
  state: contactState,
  roomKey: optionalFixed32(),
  roomEncryptionKey: optionalFixed32(),
  acceptPending: c.bool,
  added: c.uint
})

function optionalFixed32(): Encoding<Buffer | null> {
  // compact-encoding has no optional combinator: a presence flag, then the key.
  return {
    preencode(state, v) {
      c.bool.preencode(state, v !== null)
      if (v !== null) c.fixed32.preencode(state, v)
    },
    encode(state, v) {
      c.bool.encode(state, v !== null)
      if (v !== null) c.fixed32.encode(state, v)
    },
    decode(state) {
      return c.bool.decode(state) ? c.fixed32.decode(state) : null
    }
  }
}

export interface SettingsRecord {
  name: string
  contactsOnly: boolean
}
export const settingsRecord: Encoding<SettingsRecord> = struct<SettingsRecord>({
  name: c.string,
  contactsOnly: c.bool
})
