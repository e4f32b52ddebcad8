/**
 * Wire messages: what peers send each other on protomux channels, one Hyperswarm connection per
 * pair. Each channel is declared once below with its protocol name, its handshake and its messages
 * by name; a message's place in that list is its protomux message type, so the lists only grow at
 * the end. The hello's protocol version covers every channel on the connection (lib/wire/version.ts).
 *
 * Growth rules: a message record gains fields only at its end (older peers ignore them); a channel
 * gains message types only at the end of its list (protomux ignores types it does not know); a
 * change that older peers would misread needs a new major version. Records that end in raw bytes
 * (FileManifest, FileData) cannot grow: a new field there means a new message type.
 */
import c from 'compact-encoding'
import type { Encoding } from 'compact-encoding'
import { empty, growable, oneOf, optional, since, struct } from './struct'
import { deviceCertificate } from '../identity/device-certificate'
import type { DeviceCertificate } from '../identity/device-certificate'
import { UNVERSIONED, protocolVersion } from './version'
import type { ProtocolVersion } from './version'

/** No single protocol frame of ours needs more than this. */
export const MAX_FRAME_BYTES = 64 * 1024
export const MAX_NAME_LENGTH = 64
export const MAX_TEXT_LENGTH = 16 * 1024

/** A channel: its protomux protocol, handshake and named messages (in wire order). */
export interface ChannelSpec<H, M extends MessageEncodings> {
  protocol: string
  handshake: Encoding<H>
  messages: M
}
export type MessageEncodings = Record<string, Encoding<unknown>>

function channel<H, M extends MessageEncodings>(protocol: string, handshake: Encoding<H>, messages: M): ChannelSpec<H, M> {
  return Object.freeze({ protocol, handshake, messages: Object.freeze(messages) })
}

// Hello: the handshake of the hello channel. The number is checked against the Noise key; the
// version says which protocol the peer speaks (the first release sent none: 1.0).
// A linked device adds its certificate: its own Noise key is not the identity key, the
// certificate says which identity it speaks for (absent: the Noise key is the identity key).
export interface Hello {
  number: string
  name: string
  version: ProtocolVersion
  certificate?: DeviceCertificate | null
}
export const hello: Encoding<Hello> = growable(struct<Hello>({
  number: c.string,
  name: c.string,
  version: since(protocolVersion, UNVERSIONED),
  certificate: since(optional(deviceCertificate), null)
}))

// Contact channel: a request carries the direct room's key and its encryption key.
export interface ContactRequest {
  name: string
  roomKey: Buffer
  roomEncryptionKey: Buffer
}
export const contactRequest: Encoding<ContactRequest> = growable(struct<ContactRequest>({
  name: c.string,
  roomKey: c.fixed32,
  roomEncryptionKey: c.fixed32
}))

export interface ContactAccept {
  roomKey: Buffer
  writerKey: Buffer
  /** The accepter's member signature for the room (see MemberOp). */
  memberSignature: Buffer
}
export const contactAccept: Encoding<ContactAccept> = growable(struct<ContactAccept>({
  roomKey: c.fixed32,
  writerKey: c.fixed32,
  memberSignature: c.fixed64
}))

export interface ContactDecline {
  reason: string
}
export const contactDecline: Encoding<ContactDecline> = growable(struct<ContactDecline>({ reason: c.string }))

// Room live channel: a copy of a message pushed to online members while the durable op replicates.
export interface LiveMessage {
  roomKey: Buffer
  id: string
  text: string
  time: number
  /** The message it answers ('' if none); a trailing field, always written, so later fields follow it. */
  replyTo: string
}
export const liveMessage: Encoding<LiveMessage> = growable(struct<LiveMessage>({
  roomKey: c.fixed32,
  id: c.string,
  text: c.string,
  time: c.uint,
  replyTo: since(c.string, '')
}))

// Call channel: signalling between two workers. Every message names its call (32 random bytes).
export interface CallRing {
  call: Buffer
  /** The room the call belongs to: the direct room for a 1:1 call, the group room otherwise. */
  room: Buffer
  video: boolean
  group: boolean
}
export const callRing: Encoding<CallRing> = growable(struct<CallRing>({ call: c.fixed32, room: c.fixed32, video: c.bool, group: c.bool }))

/** accept, hang-up, join: only the call id. */
export interface CallRef {
  call: Buffer
}
export const callRef: Encoding<CallRef> = growable(struct<CallRef>({ call: c.fixed32 }))

export type DeclineReason = 'declined' | 'busy' | 'full'
export interface CallDecline {
  call: Buffer
  reason: DeclineReason
}
export const callDecline: Encoding<CallDecline> = growable(struct<CallDecline>({
  call: c.fixed32,
  reason: oneOf<DeclineReason>(['declined', 'busy', 'full'])
}))

/**
 * From the caller to a device of a person it rang whose ring is over because another device of
 * theirs answered (`answered`) or declined: it stops ringing and says so (peers without it ignore
 * the type and end on the hang-up sent after it).
 */
export interface CallElsewhere {
  call: Buffer
  answered: boolean
}
export const callElsewhere: Encoding<CallElsewhere> = growable(struct<CallElsewhere>({ call: c.fixed32, answered: c.bool }))

/**
 * Who else is in a call: the answer to an accept, so the joiner can connect to each of them. Since
 * linked devices, each key is the device in the call (its connection's key; a person's own device:
 * the person's key), so the joiner reaches that device and no other of the person's.
 */
export interface CallParticipants {
  call: Buffer
  peers: Buffer[]
}
export const callParticipants: Encoding<CallParticipants> = growable(struct<CallParticipants>({
  call: c.fixed32,
  peers: c.array(c.fixed32) as Encoding<Buffer[]>
}))

export type SignalKind = 'offer' | 'answer' | 'candidate'
/** WebRTC signalling: an SDP offer or answer (text), or an ICE candidate line with its m-line (+1, 0 for none). */
export interface CallSignal {
  call: Buffer
  kind: SignalKind
  text: string
  mid: string
  mline: number
}
export const callSignal: Encoding<CallSignal> = growable(struct<CallSignal>({
  call: c.fixed32,
  kind: oneOf<SignalKind>(['offer', 'answer', 'candidate']),
  text: c.string,
  mid: c.string,
  mline: c.uint
}))

/** In-call chat: lives only on the wire and in the renderer, never in storage. */
export interface CallChat {
  call: Buffer
  text: string
  time: number
}
export const callChat: Encoding<CallChat> = growable(struct<CallChat>({ call: c.fixed32, text: c.string, time: c.uint }))

/** A tunnelled datagram on the fallback channel. */
export interface CallDatagram {
  call: Buffer
  data: Buffer
}
export const callDatagram: Encoding<CallDatagram> = growable(struct<CallDatagram>({ call: c.fixed32, data: c.buffer as Encoding<Buffer> }))

// Join request: the userData of a blind-pairing request. The signature, by the joiner's identity
// key over the invite id and writer key, proves the identity it claims.
export interface JoinRequest {
  writerKey: Buffer
  publicKey: Buffer
  name: string
  signature: Buffer
  /** The joiner's member signature for the room (see MemberOp). */
  memberSignature: Buffer
}
export const joinRequest: Encoding<JoinRequest> = growable(struct<JoinRequest>({
  writerKey: c.fixed32,
  publicKey: c.fixed32,
  name: c.string,
  signature: c.fixed64,
  memberSignature: c.fixed64
}))

// File channel (one per connection, every file on it): a member asks for a file's chunk hashes
// (which also asks "do you have it and may I have it"), then for ranges of chunks.
export interface FileQuery {
  id: Buffer
  /** the first chunk hash wanted; past the end asks only whether they have it */
  first: number
}
export const fileQuery: Encoding<FileQuery> = growable(struct<FileQuery>({ id: c.fixed32, first: c.uint }))

export interface FileManifest {
  id: Buffer
  first: number
  /** 32-byte SHA-256s of chunks first, first + 1, ... */
  hashes: Buffer
}
// Ends in raw bytes, so it cannot grow.
export const fileManifest: Encoding<FileManifest> = struct<FileManifest>({ id: c.fixed32, first: c.uint, hashes: c.raw })

/** "I do not have that file, or you may not have it": the same answer, so it tells nothing. */
export interface FileNone {
  id: Buffer
}
export const fileNone: Encoding<FileNone> = growable(struct<FileNone>({ id: c.fixed32 }))

export interface FileRequest {
  id: Buffer
  index: number
  count: number
}
export const fileRequest: Encoding<FileRequest> = growable(struct<FileRequest>({ id: c.fixed32, index: c.uint, count: c.uint }))

export interface FileData {
  id: Buffer
  index: number
  data: Buffer
}
// Ends in raw bytes, so it cannot grow.
export const fileData: Encoding<FileData> = struct<FileData>({ id: c.fixed32, index: c.uint, data: c.raw })

/** A room a linked device opened under its own writer, for the first device to sign it in. */
export interface DeviceRoom {
  discoveryKey: Buffer
  writerKey: Buffer
}
export const deviceRoom: Encoding<DeviceRoom> = struct<DeviceRoom>({ discoveryKey: c.fixed32, writerKey: c.fixed32 })
/** Between two devices of one person (2.1): "sign me into these rooms". */
export interface DeviceSignIn {
  rooms: DeviceRoom[]
}
export const deviceSignIn: Encoding<DeviceSignIn> = growable(struct<DeviceSignIn>({ rooms: c.array(deviceRoom) as Encoding<DeviceRoom[]> }))
/** How far this person has read a room (RoomEntry.read: the first `read` messages of its view). */
export interface DeviceReadMark {
  discoveryKey: Buffer
  read: number
}
export const deviceReadMark: Encoding<DeviceReadMark> = struct<DeviceReadMark>({ discoveryKey: c.fixed32, read: c.uint })
/** Between two devices of one person (2.1, added after signIn: a device without it ignores it): read marks. */
export interface DeviceReads {
  rooms: DeviceReadMark[]
}
export const deviceReads: Encoding<DeviceReads> = growable(struct<DeviceReads>({ rooms: c.array(deviceReadMark) as Encoding<DeviceReadMark[]> }))

// The channels, each named once.
export const HELLO_PROTOCOL = 'peerline/hello/1'
export const CONTACT_PROTOCOL = 'peerline/contact/1'
export const ROOM_LIVE_PROTOCOL = 'peerline/room-live/1'
export const FILE_PROTOCOL = 'peerline/file/1'
export const CALL_PROTOCOL = 'peerline/call/1'
/** Between devices of one person, both ends proven by the hello (2.1). */
export const DEVICE_PROTOCOL = 'peerline/device/1'
/** Tunnelled call datagrams, only on connections whose stream cannot carry unordered datagrams. */
export const CALL_MEDIA_PROTOCOL = 'peerline/call-media/1'

/** Proof of number and the protocol version: the first channel on every connection. */
export const HELLO_CHANNEL = channel(HELLO_PROTOCOL, hello, {})

export const CONTACT_CHANNEL = channel(CONTACT_PROTOCOL, empty, {
  request: contactRequest,
  accept: contactAccept,
  decline: contactDecline
})

export const ROOM_LIVE_CHANNEL = channel(ROOM_LIVE_PROTOCOL, empty, { message: liveMessage })

export const FILE_CHANNEL = channel(FILE_PROTOCOL, empty, {
  query: fileQuery,
  manifest: fileManifest,
  none: fileNone,
  request: fileRequest,
  data: fileData
})

export const CALL_CHANNEL = channel(CALL_PROTOCOL, empty, {
  ring: callRing,
  accept: callRef,
  decline: callDecline,
  hangup: callRef,
  participants: callParticipants,
  join: callRef,
  signal: callSignal,
  chat: callChat,
  elsewhere: callElsewhere
})

export const DEVICE_CHANNEL = channel(DEVICE_PROTOCOL, empty, { signIn: deviceSignIn, read: deviceReads })

export const CALL_MEDIA_CHANNEL = channel(CALL_MEDIA_PROTOCOL, empty, { datagram: callDatagram })
