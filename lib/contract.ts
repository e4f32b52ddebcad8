// The client contract: every method with its params and result, every notification with its
// payload, the types clients see and the error codes. The renderer, the terminal chat, the tests
// and any program that drives an agent import this file alone. It imports nothing (a test reads
// its source to keep it so): what is here is plain data that crosses JSON-RPC as it is.
//
// Adding a method: its entry in `Methods`, its name in `METHODS` (the compiler insists), and one
// line in a handler table under lib/api/handlers/.

// ---------------------------------------------------------------------------------------------
// Errors

/** Every code, in one list, so a test can check that each one has its factory (lib/errors.ts). */
export const ERROR_CODES = [
  'BAD_REQUEST',
  'NUMBER_INVALID',
  'NUMBER_NOT_FOUND',
  'PEER_UNREACHABLE',
  'NUMBER_IS_YOURS',
  'KEY_MISMATCH',
  'NOT_A_CONTACT',
  'NO_SUCH_ROOM',
  'NO_SUCH_MESSAGE',
  'NOT_ADMIN',
  'NOT_ALLOWED',
  'NOT_A_MEMBER',
  'INVITE_EXPIRED',
  'INVITE_INVALID',
  'FILE_NOT_FOUND',
  'FILE_BLOCKED',
  'FILE_CORRUPT',
  'FILE_TOO_LARGE',
  'FILE_PAUSED',
  'FILE_CANCELLED',
  'NO_SUCH_FILE',
  'NOT_WRITABLE',
  'PHRASE_INVALID',
  'IDENTITY_EXISTS',
  'PROFILE_IN_USE',
  'CLOSED',
  'BUSY',
  'NOT_ONLINE',
  'NO_SUCH_CALL',
  'UPGRADE_REQUIRED',
  'PEER_OUTDATED',
  'PASSPHRASE_WRONG',
  'ARCHIVE_CORRUPT',
  'ARCHIVE_UNSUPPORTED'
] as const

/** Stable error codes: JSON-RPC errors carry them as `data.code` (BAD_REQUEST also as -32602). */
export type ErrorCode = (typeof ERROR_CODES)[number]

// ---------------------------------------------------------------------------------------------
// Identity and settings

export interface Me {
  number: string
  publicKey: string
  name: string
}

export interface Settings {
  name: string
  contactsOnly: boolean
  /** always-on peers' keys, hex */
  alwaysOnPeers: string[]
  /** Send read marks and see others' (default on; off means neither, as in Signal). */
  readReceipts: boolean
}

// ---------------------------------------------------------------------------------------------
// Contacts

/** `searching`: nobody answered on the number yet; the core keeps looking. */
export type ContactState = 'searching' | 'pending' | 'incoming' | 'accepted' | 'declined'

export interface ContactInfo {
  number: string
  publicKey: string
  name: string
  safetyCode: string
  state: ContactState
  online: boolean
  room: string | null
  /** an unanswered request from someone we share no room with: shown apart, as a message request */
  messageRequest: boolean
}

export interface BlockedInfo {
  number: string
  publicKey: string
  name: string
  safetyCode: string
}

export interface Requests {
  /** from people we share a room with */
  requests: ContactInfo[]
  /** from strangers */
  messageRequests: ContactInfo[]
}

export interface Candidate {
  publicKey: string
  name: string
  safetyCode: string
}

/** Two keys answered on one number: the person picks one (addContact again with its publicKey). */
export interface Choice {
  number: string
  state: 'choose'
  candidates: Candidate[]
}

/** How a background search for a number is going. */
export interface ContactSearch {
  number: string
  state: 'searching' | 'found' | 'choose' | 'failed'
  /** state 'choose': the keys that answered, for the person to pick with addContact {publicKey} */
  candidates?: Candidate[]
  /** state 'failed' */
  code?: string
  message?: string
}

export interface KeyMismatch {
  number: string
  pinnedKey: string
  foundKey: string
  safetyCode: string
}

// ---------------------------------------------------------------------------------------------
// Rooms and messages

export type RoomKindName = 'direct' | 'group'
export type RoleName = 'admin' | 'member'

export interface MemberInfo {
  number: string
  name: string
  role: RoleName
  online: boolean
}

export interface RoomSummary {
  room: string
  name: string
  kind: RoomKindName
  members: number
  unread: number
  timer: number
  /** Everything this device wrote is held by at least one other peer (member or always-on). */
  uploaded: boolean
  /** False once we were removed (or left): the room is read-only history. */
  active: boolean
  /** Why the room stopped working (a failure inside it; other rooms go on), or null. */
  broken: string | null
  /** How many messages the room has had (seqs run 0..length-1), for paging history. */
  length: number
  /**
   * How many of this device's ops the other person's device holds (in a group: every other active
   * member's device, the least of them); it grows as they get them. 0 when nobody else is in it.
   */
  delivered: number
  /** How many messages (seqs 0..read-1) every other active member has read; 0 while read receipts are off. */
  read: number
  /** The newest message, for a conversation list. */
  last: { from: string; text: string; time: number; file: string | null; call: boolean; expires: number } | null
}

/** What clients see of a file: its id (z32), name (made safe: it comes from a peer), size and SHA-256. */
export interface FileInfo {
  id: string
  name: string
  size: number
  sha256: string
}

export type CallOutcome = 'ended' | 'missed' | 'declined' | 'busy'

/** A call event as clients see it in history and messages. */
export interface CallInfo {
  call: string
  outcome: CallOutcome
  video: boolean
  group: boolean
  /** ms from the answer to the end; 0 if nobody answered */
  duration: number
}

/**
 * What a reply shows of the message it answers. The id comes from a peer: when no message of this
 * room on this device has it (unknown, another room's, deleted or gone) `available` is false and
 * clients show "Original message not available".
 */
export interface ReplyQuote {
  /** the id the reply names (at most 64 characters) */
  id: string
  available: boolean
  /** the original's seq in this room (scroll to it); null when not available */
  seq: number | null
  /** the original's author (number) and last known name; '' when not available */
  from: string
  name: string
  /** the first 100 characters of its text; '' for a file, a call or when not available */
  text: string
  /** the file's name when the original is a file, else null */
  file: string | null
  call: boolean
}

/** One other member's marks on a message you wrote (`messageInfo`). */
export interface MessageReceipt {
  number: string
  name: string
  /** their device holds it */
  delivered: boolean
  /** they read it; null while read receipts are off */
  read: boolean | null
}

/** A new message, as the `message` notification announces it (once per id). */
export interface RoomMessage {
  room: string
  id: string
  from: string
  text: string
  time: number
  file: FileInfo | null
  call: CallInfo | null
  /** the id of the message this one answers, or null */
  replyTo: string | null
  /** what it shows of that message; null when not a reply */
  quote: ReplyQuote | null
}

export interface HistoryEntry {
  id: string
  /** Its place in the room (0 = first message): page back with `history {before: seq}`. */
  seq: number
  from: string
  /** The author's last known name in this room ('' if none), kept after they leave or are removed. */
  name: string
  /**
   * Messages this device wrote: true once the other person's device holds it (in a group: every
   * other active member's device), false while it waits (queued if they are offline); null for
   * others' messages.
   */
  delivered: boolean | null
  /**
   * Messages this device wrote: true once every other member has read it (their read mark is at or
   * past it), false before; null for others' messages, and for all while read receipts are off.
   */
  read: boolean | null
  /** the id of the message this one answers, or null */
  replyTo: string | null
  /** what it shows of that message; null when not a reply */
  quote: ReplyQuote | null
  text: string
  time: number
  edited: boolean
  deleted: boolean
  /** member number -> emoji */
  reactions: Record<string, string>
  file: FileInfo | null
  /** A call event (missed, declined, how long it lasted); text is '' then. */
  call: CallInfo | null
  /** When a disappearing message leaves history (ms since the epoch); 0 when it stays. */
  expires: number
}

/** What a room notice records (lib/rooms/room-notices.ts keeps the same list for apply). */
export const NOTICE_KINDS = ['created', 'joined', 'added', 'left', 'removed', 'role', 'renamed', 'timer'] as const
export type NoticeKind = (typeof NOTICE_KINDS)[number]

/** A room notice as clients see it: shown as a centred line among the messages. */
export interface NoticeEntry {
  /** Goes after the message with seq `at - 1` and before the one with seq `at`. */
  at: number
  kind: NoticeKind
  /** Who did it: number and last known name ('' if none). */
  by: string
  byName: string
  /** Whom it was done to (the same as `by` for 'created', 'left', 'renamed', 'timer'). */
  who: string
  whoName: string
  /** The new room name, for 'renamed'. */
  name: string
  /** Timer seconds for 'timer'; for 'role', 'admin' or 'member' is in `role`. */
  seconds: number
  role: RoleName | null
}

/** One message that matched a search. */
export interface SearchHit {
  room: string
  id: string
  /** Its place in the room: `history {before: seq + 1}` reaches it. */
  seq: number
  from: string
  /** The author's last known name ('' if none). */
  name: string
  text: string
  time: number
}

export interface Invite {
  /** the room key to share (z32) */
  invite: string
  /** ms since the epoch; 0: never */
  expires: number
}

// ---------------------------------------------------------------------------------------------
// Files

export interface FileProgress {
  file: string
  bytes: number
  total: number
  /** bytes per second fetched in this run of the download */
  rate: number
  /**
   * `waiting`: nobody online has the file (code FILE_UNAVAILABLE); the download goes on by itself
   * when someone who has it connects.
   */
  state: 'fetching' | 'waiting'
  code?: 'FILE_UNAVAILABLE'
  message?: string
}

/** A file this device sent or downloaded (kept across restarts): done, or how far a download got. */
export interface LocalFileState {
  file: string
  complete: boolean
  active: boolean
  path: string | null
  bytes: number
  total: number
}

/** An inline preview of a whole local image; `mime` null when there is none. */
export interface FilePreview {
  mime: string | null
  /** base64 */
  data: string
}

// ---------------------------------------------------------------------------------------------
// Network

export type NetworkState = 'online' | 'lan-only' | 'offline'

export interface NetworkStatus {
  state: NetworkState
  /** Nodes in our DHT routing table. */
  dhtNodes: number
  /** Other Peerline instances heard on the LAN. */
  lanPeers: number
  /** Open peer connections. */
  peers: number
}

// ---------------------------------------------------------------------------------------------
// Calls

export type CallStateName = 'calling' | 'ringing' | 'active' | 'ended'
/** `answered-elsewhere` / `declined-elsewhere`: another device of yours answered or declined it. */
export type EndReason = 'hangup' | 'remote-hangup' | 'declined' | 'busy' | 'missed' | 'full' | 'lost' | 'closed' | 'answered-elsewhere' | 'declined-elsewhere'

/** WebRTC signalling as the renderer speaks it. */
export type Signal =
  | { type: 'offer' | 'answer'; sdp: string }
  | { type: 'candidate'; candidate: string; sdpMid: string | null; sdpMLineIndex: number | null }

export interface CallIncoming {
  call: string
  room: string
  from: string
  name: string
  video: boolean
  group: boolean
}

export interface CallState {
  call: string
  room: string
  state: CallStateName
  reason?: EndReason
  /** ms from the first answer to the end, when ended */
  duration?: number
}

/** A peer to connect with (`joined`) or gone; `offer`: this side makes the WebRTC offer. */
export interface CallPeer {
  call: string
  peer: string
  joined: boolean
  offer: boolean
}

export interface CallSignalNote {
  call: string
  peer: string
  signal: Signal
}

export interface CallChatNote {
  call: string
  from: string
  text: string
  time: number
}

export interface CallTunnelInfo {
  host: string
  port: number
  /** The remote ICE candidate to add to this peer's RTCPeerConnection (sdpMLineIndex 0). */
  candidate: string
  route: 'datagram' | 'channel'
}

/** The call in progress (`currentCall`). */
export interface CallStatus {
  call: string
  room: string
  state: CallStateName
  video: boolean
  group: boolean
  outgoing: boolean
  /** numbers of the people connected with us in the call */
  peers: string[]
}

// ---------------------------------------------------------------------------------------------
// Versions

export type Compatibility = 'same' | 'newer-minor' | 'older-minor' | 'newer-major' | 'older-major'

/** A peer speaks another protocol version ('peerVersion'); code is set when the two cannot talk. */
export interface PeerVersionNote {
  number: string
  name: string
  publicKey: string
  /** theirs and ours, as 'major.minor' */
  version: string
  ours: string
  compatibility: Exclude<Compatibility, 'same'>
  /** UPGRADE_REQUIRED: we must update to talk to them; PEER_OUTDATED: they must. */
  code: 'UPGRADE_REQUIRED' | 'PEER_OUTDATED' | null
  message: string
}

// ---------------------------------------------------------------------------------------------
// Profile: export, import and restore from the phrase

/** How far an export or import has come (records, files or conversations); the last has done == total. */
export interface ArchiveProgress {
  done: number
  total: number
}

/** A restore from the phrase: what came back so far; the last has `done: true`. */
export interface RestoreProgress {
  contacts: number
  rooms: number
  done: boolean
}

/** A device link finishing; `skipped`: rooms the first device has not signed this device into yet, and why. */
export interface LinkProgress extends RestoreProgress {
  skipped?: Array<{ room: string; reason: string }>
}

/** The profile core (what a restore from the phrase brings back) and our blind copies of contacts'. */
/** A device of this person (listDevices). */
export interface DeviceInfo {
  /** the device's Noise key, hex (what removeDevice takes) */
  device: string
  name: string
  /** this device */
  current: boolean
  /** ms when it was last connected to this device (now if it is), null if not known */
  lastSeen: number | null
}

export interface ProfileStatus {
  /** the profile core's key, hex */
  key: string
  length: number
  contacts: number
  rooms: number
  /** a restore from the phrase is under way */
  restoring: boolean
  copies: Array<{ number: string; length: number }>
}

// ---------------------------------------------------------------------------------------------
// Methods

/** Methods that change something answer `{}`. */
export type Done = Record<string, never>
/** Methods that take nothing. */
export type NoParams = Record<string, never>

/** Every method: its params (a JSON object) and its result. docs/api.md describes each. */
export interface Methods {
  // identity and settings
  whoami: { params: NoParams; result: Me }
  setProfile: { params: { name: string }; result: Done }
  settings: { params: NoParams; result: Settings }
  setContactsOnly: { params: { enabled: boolean }; result: Done }
  setReadReceipts: { params: { enabled: boolean }; result: Done }
  recoveryPhrase: { params: NoParams; result: { phrase: string } }
  restoreIdentity: { params: { phrase: string }; result: Me }
  /** keys: 64 hex characters or z32 each */
  setAlwaysOnPeers: { params: { keys: string[] }; result: Done }
  networkStatus: { params: NoParams; result: NetworkStatus }
  // contacts
  addContact: { params: { number: string; publicKey?: string }; result: ContactInfo | Choice }
  acceptContact: { params: { number: string }; result: ContactInfo }
  declineContact: { params: { number: string }; result: ContactInfo }
  cancelContact: { params: { number: string }; result: { cancelled: boolean } }
  listContacts: { params: NoParams; result: ContactInfo[] }
  listRequests: { params: NoParams; result: Requests }
  blockContact: { params: { number: string }; result: { number: string; blocked: number } }
  unblockContact: { params: { number: string }; result: { number: string; blocked: number } }
  listBlocked: { params: NoParams; result: BlockedInfo[] }
  // messages
  /** replyTo: the id of a message in the same room that this one answers */
  send: { params: { to: string; text: string; replyTo?: string }; result: { room: string; id: string; time: number } }
  /** before: a message seq; the page ends just before it (default: the newest) */
  history: { params: { to: string; limit?: number; before?: number }; result: HistoryEntry[] }
  /** notices at message seqs from <= at < to (to: past the newest) */
  notices: { params: { room: string; from?: number; to?: number }; result: NoticeEntry[] }
  /** room: one room (a contact's number or a room id), else all */
  search: { params: { text: string; room?: string; limit?: number }; result: SearchHit[] }
  edit: { params: { room: string; id: string; text: string }; result: Done }
  delete: { params: { room: string; id: string }; result: Done }
  /** your own message: each other active member's delivered and read marks */
  messageInfo: { params: { room: string; id: string }; result: MessageReceipt[] }
  react: { params: { room: string; id: string; emoji: string }; result: Done }
  // rooms
  createRoom: { params: { name: string }; result: { room: string } & Invite }
  createInvite: { params: { room: string; expires?: number }; result: Invite }
  joinRoom: { params: { invite: string }; result: { room: string } }
  listRooms: { params: NoParams; result: RoomSummary[] }
  members: { params: { room: string }; result: MemberInfo[] }
  leaveRoom: { params: { room: string }; result: Done }
  markRead: { params: { room: string }; result: Done }
  setRole: { params: { room: string; number: string; role: RoleName }; result: Done }
  removeMember: { params: { room: string; number: string }; result: Done }
  renameRoom: { params: { room: string; name: string }; result: Done }
  setTimer: { params: { room: string; seconds: number }; result: Done }
  // files
  sendFile: { params: { to: string; path: string }; result: { room: string; id: string; file: FileInfo } }
  downloadFile: { params: { file: string; path?: string }; result: { file: string; path: string; resumed: number } }
  pauseFile: { params: { file: string }; result: { paused: boolean } }
  cancelFile: { params: { file: string }; result: { cancelled: boolean } }
  setBlocklist: { params: { hashes: string[] }; result: Done }
  blocklist: { params: NoParams; result: { hashes: string[] } }
  fileStates: { params: NoParams; result: LocalFileState[] }
  filePreview: { params: { file: string }; result: FilePreview }
  // calls
  startCall: { params: { to: string; video?: boolean }; result: { call: string; room: string } }
  startRoomCall: { params: { room: string; video?: boolean }; result: { call: string; room: string } }
  answerCall: { params: { call: string }; result: Done }
  joinCall: { params: { call: string }; result: Done }
  currentCall: { params: NoParams; result: CallStatus | null }
  declineCall: { params: { call: string }; result: Done }
  hangUp: { params: { call: string }; result: Done }
  callSignal: { params: { call: string; peer?: string; signal: Signal }; result: Done }
  callChat: { params: { call: string; text: string }; result: { time: number } }
  callTunnel: { params: { call: string; peer?: string }; result: CallTunnelInfo }
  // profile: export, import, restore
  profileStatus: { params: NoParams; result: ProfileStatus }
  /** passphrase: 8 characters at least; files: carry the files this device holds */
  exportProfile: { params: { path?: string; passphrase: string; files?: boolean }; result: { path: string; bytes: number } }
  importProfile: { params: { path: string; passphrase: string }; result: Me }
  exportReadable: { params: { path?: string }; result: { path: string; conversations: number; files: number } }
  // linked devices
  /** expires: seconds the link is good for (default 600) */
  createDeviceLink: { params: { expires?: number }; result: { link: string; expires: number } }
  linkDevice: { params: { link: string }; result: { number: string } }
  listDevices: { params: NoParams; result: DeviceInfo[] }
  removeDevice: { params: { device: string }; result: Done }
}

export type MethodName = keyof Methods
export type Params<M extends MethodName> = Methods[M]['params']
export type Result<M extends MethodName> = Methods[M]['result']
/** A method's params as call arguments: optional when every field is. */
export type ParamsArg<M extends MethodName> = Record<string, never> extends Params<M> ? [params?: Params<M>] : [params: Params<M>]

/** The capability each method belongs to, which is also the handler table that serves it. */
export type Capability = 'identity' | 'contacts' | 'messages' | 'rooms' | 'files' | 'calls' | 'profile' | 'devices'

/** Every method by name at run time (for help, transports and the handler-table test). */
export const METHODS = {
  whoami: 'identity',
  setProfile: 'identity',
  settings: 'identity',
  setContactsOnly: 'identity',
  setReadReceipts: 'identity',
  recoveryPhrase: 'identity',
  restoreIdentity: 'identity',
  setAlwaysOnPeers: 'identity',
  networkStatus: 'identity',
  addContact: 'contacts',
  acceptContact: 'contacts',
  declineContact: 'contacts',
  cancelContact: 'contacts',
  listContacts: 'contacts',
  listRequests: 'contacts',
  blockContact: 'contacts',
  unblockContact: 'contacts',
  listBlocked: 'contacts',
  send: 'messages',
  history: 'messages',
  notices: 'messages',
  search: 'messages',
  edit: 'messages',
  delete: 'messages',
  messageInfo: 'messages',
  react: 'messages',
  createRoom: 'rooms',
  createInvite: 'rooms',
  joinRoom: 'rooms',
  listRooms: 'rooms',
  members: 'rooms',
  leaveRoom: 'rooms',
  markRead: 'rooms',
  setRole: 'rooms',
  removeMember: 'rooms',
  renameRoom: 'rooms',
  setTimer: 'rooms',
  sendFile: 'files',
  downloadFile: 'files',
  pauseFile: 'files',
  cancelFile: 'files',
  setBlocklist: 'files',
  blocklist: 'files',
  fileStates: 'files',
  filePreview: 'files',
  startCall: 'calls',
  startRoomCall: 'calls',
  answerCall: 'calls',
  joinCall: 'calls',
  currentCall: 'calls',
  declineCall: 'calls',
  hangUp: 'calls',
  callSignal: 'calls',
  callChat: 'calls',
  callTunnel: 'calls',
  profileStatus: 'profile',
  exportProfile: 'profile',
  importProfile: 'profile',
  exportReadable: 'profile',
  createDeviceLink: 'devices',
  linkDevice: 'devices',
  listDevices: 'devices',
  removeDevice: 'devices'
} as const satisfies Record<MethodName, Capability>

// ---------------------------------------------------------------------------------------------
// Notifications

/** Names and payloads of everything the Api pushes to its clients. */
export interface Notifications {
  ready: { number: string; publicKey: string }
  /** messageRequest: from someone we share no room with (a stranger) */
  contactRequest: { number: string; publicKey: string; name: string; safetyCode: string; messageRequest: boolean }
  contactAccepted: { number: string }
  contactDeclined: { number: string }
  keyMismatch: KeyMismatch
  contactSearch: ContactSearch
  message: RoomMessage
  presence: { number: string; online: boolean }
  /** a listRooms entry that changed: replace the one with this `room` */
  roomUpdate: RoomSummary
  /** this person left the room, on this device or another of theirs: it is gone from listRooms */
  roomLeft: { room: string }
  /** another device of this person removed (blocked) this contact: it is gone from listContacts */
  contactRemoved: { number: string }
  fileProgress: FileProgress
  fileDone: { file: string; path: string }
  fileFailed: { file: string; code: string }
  messageUpdate: HistoryEntry & { room: string }
  network: NetworkStatus
  callIncoming: CallIncoming
  callState: CallState
  callPeer: CallPeer
  callSignal: CallSignalNote
  callChat: CallChatNote
  /** a peer speaks another protocol version; `code` is set when the two cannot talk */
  peerVersion: PeerVersionNote
  /** while exportProfile (records) or exportReadable (conversations) runs */
  exportProgress: ArchiveProgress
  /** while importProfile reads and checks the archive */
  importProgress: ArchiveProgress
  /** a restore from the phrase (restoreIdentity) */
  restoreProgress: RestoreProgress
  /** a device link finishing on the new device (see linkDevice); the last has `done: true` */
  linkProgress: LinkProgress
}

export type NotificationName = keyof Notifications

/** Every notification by name at run time (docs and tests check against it). */
export const NOTIFICATIONS = {
  ready: true,
  contactRequest: true,
  contactAccepted: true,
  contactDeclined: true,
  keyMismatch: true,
  contactSearch: true,
  message: true,
  presence: true,
  roomUpdate: true,
  roomLeft: true,
  contactRemoved: true,
  fileProgress: true,
  fileDone: true,
  fileFailed: true,
  messageUpdate: true,
  network: true,
  callIncoming: true,
  callState: true,
  callPeer: true,
  callSignal: true,
  callChat: true,
  peerVersion: true,
  exportProgress: true,
  importProgress: true,
  restoreProgress: true,
  linkProgress: true
} as const satisfies Record<NotificationName, true>

// ---------------------------------------------------------------------------------------------
// Clients

/** What every client offers: typed calls and typed notifications (unsubscribe with the returned function). */
export interface Client {
  call<M extends MethodName>(method: M, ...params: ParamsArg<M>): Promise<Result<M>>
  on<N extends NotificationName>(name: N, fn: (payload: Notifications[N]) => void): () => void
}

/** `123456789` -> `123 456 789`: a number as people read it. */
export function formatNumber(number: string): string {
  return number.replace(/(\d{3})(?=\d)/g, '$1 ')
}
