import EventEmitter from 'bare-events'
import os from 'os'
import path from 'path'
import b4a from 'b4a'
import z32 from 'z32'
import { PeerlineError } from '../errors'
import type { ContactInfo, ContactSearch, KeyMismatch } from '../contacts/contacts'
import { Peerline } from '../peerline'
import type { PeerlineOptions } from '../peerline'
import type { RoomMessage } from '../rooms/room'
import type { MessageState } from '../rooms/room-view'
import { RoomMethods } from './room-methods'
import { profileMethods, resumeRestore } from './profile-methods'
import { markRestoring } from '../profile/profile-restore'
import { fileInfo } from '../files/file-info'
import type { FileInfo } from '../files/file-info'
import type { FileProgress } from '../files/files'
import type { HistoryEntry, RoleName, RoomSummary } from './room-methods'
import { MAX_FRAME_BYTES, MAX_NAME_LENGTH, ROOM_GROUP } from '../wire/schemas'
import { Identity } from '../identity/identity'
import { phraseToSeed } from '../identity/recovery-phrase'
import type { NetworkStatus } from '../network/swarm-network'
import type { CallChatNote, CallIncoming, CallPeer, CallSignalNote, CallState, Signal } from '../calls/call-manager'

export type Params = Record<string, unknown>

/** Room keys last a week unless asked otherwise, like a shared link people forget about. */
const DEFAULT_INVITE_SECONDS = 7 * 24 * 3600
/**
 * A room's summary is sent at most once per this many ms (the last state always goes out): in a
 * burst, one summary covers many messages, and live messages do not wait behind one each.
 */
const ROOM_UPDATE_MS = 100

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
  roomUpdate: RoomSummary
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
  exportProgress: { done: number; total: number }
  importProgress: { done: number; total: number }
  restoreProgress: { contacts: number; rooms: number; done: boolean }
}

export type NotificationName = keyof Notifications


/**
 * The one door into the core: every method a UI, the CLI or a test uses, with its checks, and
 * every notification. Transports call `call(method, params)` and listen for 'notification'.
 */
export interface ApiEvents {
  notification: [NotificationName, Notifications[NotificationName]]
}

export class Api extends EventEmitter<ApiEvents> {
  /** Replaced only by restoreIdentity, on a profile with nothing in it yet. */
  core: Peerline
  rooms: RoomMethods
  private readonly _opts: PeerlineOptions
  private readonly _roomUpdates = new Map<string, ReturnType<typeof setTimeout>>()
  private readonly _methods: Record<string, (p: Params) => Promise<unknown>>

  constructor(opts: PeerlineOptions) {
    super()
    this._opts = opts
    this.core = new Peerline(opts)
    this.rooms = new RoomMethods(this.core)
    this._methods = {
      whoami: () => this.whoami(),
      setProfile: (p) => this.setProfile(str(p, 'name', true)),
      settings: async () => this.settings(),
      setContactsOnly: (p) => this.setContactsOnly(bool(p, 'enabled')),
      recoveryPhrase: async () => ({ phrase: this.core.identity.phrase }),
      restoreIdentity: (p) => this.restoreIdentity(str(p, 'phrase')),
      setAlwaysOnPeers: (p) => this.setAlwaysOnPeers(keyList(p, 'keys')),
      addContact: (p) => this.addContact(str(p, 'number'), optStr(p, 'publicKey')),
      acceptContact: (p) => this.core.contacts.accept(str(p, 'number')),
      declineContact: (p) => this.core.contacts.decline(str(p, 'number')),
      cancelContact: async (p) => ({ cancelled: await this.core.contacts.cancel(str(p, 'number')) }),
      listContacts: async () => this.listContacts(),
      listRequests: async () => this.core.contacts.requests(),
      blockContact: (p) => this.core.contacts.block(str(p, 'number')),
      unblockContact: (p) => this.core.contacts.unblock(str(p, 'number')),
      listBlocked: async () => this.core.contacts.blocked(),
      send: (p) => this.send(str(p, 'to'), str(p, 'text')),
      history: (p) => this.history(str(p, 'to'), optInt(p, 'limit')),
      createRoom: (p) => this.createRoom(str(p, 'name')),
      createInvite: async (p) => this.core.invites.create(await this.core.rooms.open(str(p, 'room')), optInt(p, 'expires') ?? DEFAULT_INVITE_SECONDS),
      joinRoom: async (p) => ({ room: (await this.core.invites.join(str(p, 'invite'))).id }),
      listRooms: () => this.rooms.list(),
      members: (p) => this.rooms.members(str(p, 'room')),
      leaveRoom: async (p) => done(await this.core.rooms.leave(str(p, 'room'))),
      markRead: async (p) => done(await this.core.rooms.markRead(str(p, 'room'))),
      setRole: async (p) => done(await this.rooms.setRole(str(p, 'room'), str(p, 'number'), roleName(p))),
      removeMember: async (p) => done(await this.rooms.remove(str(p, 'room'), str(p, 'number'))),
      renameRoom: async (p) => done(await this.rooms.rename(str(p, 'room'), str(p, 'name'))),
      setTimer: async (p) => done(await this.rooms.setTimer(str(p, 'room'), int(p, 'seconds'))),
      edit: async (p) => done(await this.rooms.edit(str(p, 'room'), str(p, 'id'), str(p, 'text'))),
      delete: async (p) => done(await this.rooms.delete(str(p, 'room'), str(p, 'id'))),
      react: async (p) => done(await this.rooms.react(str(p, 'room'), str(p, 'id'), str(p, 'emoji', true))),
      sendFile: (p) => this.sendFile(str(p, 'to'), str(p, 'path')),
      downloadFile: (p) => this.downloadFile(str(p, 'file'), optStr(p, 'path') ?? this.downloadsFolder()),
      pauseFile: async (p) => ({ paused: this.core.files.pause(str(p, 'file')) }),
      cancelFile: async (p) => ({ cancelled: this.core.files.cancel(str(p, 'file')) }),
      setBlocklist: async (p) => done(this.core.files.blocklist.set(strList(p, 'hashes'))),
      blocklist: async () => ({ hashes: this.core.files.blocklist.list() }),
      networkStatus: async () => this.core.network.status(),
      startCall: (p) => this.startCall(str(p, 'to'), optBool(p, 'video') ?? true, false),
      startRoomCall: (p) => this.startCall(str(p, 'room'), optBool(p, 'video') ?? true, true),
      answerCall: (p) => this.core.calls.answer(str(p, 'call')),
      joinCall: (p) => this.core.calls.join(str(p, 'call')),
      currentCall: async () => this.core.calls.status(),
      declineCall: (p) => this.core.calls.decline(str(p, 'call')),
      hangUp: (p) => this.core.calls.hangUp(str(p, 'call')),
      callSignal: async (p) => this.core.calls.signal(str(p, 'call'), optStr(p, 'peer'), signalParam(p)),
      callChat: async (p) => this.core.calls.chat(str(p, 'call'), str(p, 'text')),
      callTunnel: async (p) => this.core.calls.tunnel(str(p, 'call'), optStr(p, 'peer')),
      ...profileMethods(this)
    }
  }

  /** Method names, for help and for transports that want to list them. */
  get methods(): string[] {
    return Object.keys(this._methods)
  }

  async ready(): Promise<void> {
    const core = this.core
    await core.ready()
    core.contacts.on('request', (c) =>
      this._notify('contactRequest', { number: c.number, publicKey: c.publicKey, name: c.name, safetyCode: c.safetyCode, messageRequest: c.messageRequest })
    )
    core.contacts.on('accepted', (c) => this._notify('contactAccepted', { number: c.number }))
    core.contacts.on('declined', (c) => this._notify('contactDeclined', { number: c.number }))
    core.contacts.on('presence', (p) => this._notify('presence', p))
    core.contacts.on('key-mismatch', (k) => this._notify('keyMismatch', k))
    core.contacts.on('search', (k) => this._notify('contactSearch', k))
    core.rooms.on('message', (m: RoomMessage) => this._notify('message', m))
    core.on('network', (s: NetworkStatus) => this._notify('network', s))
    core.files.on('progress', (p) => this._notify('fileProgress', p))
    core.files.on('done', (p) => this._notify('fileDone', p))
    core.files.on('failed', (p) => this._notify('fileFailed', { file: p.file, code: p.code }))
    core.rooms.on('room-update', (room: string) => {
      if (this._roomUpdates.has(room)) return
      const timer = setTimeout(() => {
        this._roomUpdates.delete(room)
        this._roomUpdate(room).catch((err: Error) => core.log('roomUpdate: ' + err.message))
      }, ROOM_UPDATE_MS)
      this._roomUpdates.set(room, timer)
    })
    core.rooms.on('message-update', (room: string, m: MessageState) => {
      this._messageUpdate(room, m).catch((err: Error) => core.log('messageUpdate: ' + err.message))
    })
    core.calls.on('incoming', (n: CallIncoming) => this._notify('callIncoming', n))
    core.calls.on('state', (n: CallState) => this._notify('callState', n))
    core.calls.on('peer', (n: CallPeer) => this._notify('callPeer', n))
    core.calls.on('signal', (n: CallSignalNote) => this._notify('callSignal', n))
    core.calls.on('chat', (n: CallChatNote) => this._notify('callChat', n))
    this._notify('ready', { number: core.identity.number, publicKey: b4a.toString(core.identity.publicKey, 'hex') })
    // The state may have changed while the core was opening: clients start from this one.
    this._notify('network', core.network.status())
    resumeRestore(this)
  }

  async close(): Promise<void> {
    for (const timer of this._roomUpdates.values()) clearTimeout(timer)
    this._roomUpdates.clear()
    await this.core.close()
  }

  /** Runs a method by name. Unknown methods and bad params are BAD_REQUEST-style PeerlineErrors. */
  async call(method: string, params: unknown): Promise<unknown> {
    const fn = Object.prototype.hasOwnProperty.call(this._methods, method) ? this._methods[method] : undefined
    if (fn === undefined) throw new MethodNotFound(method)
    if (params !== undefined && (params === null || typeof params !== 'object' || Array.isArray(params))) {
      throw PeerlineError.BAD_REQUEST('params must be an object')
    }
    if (!this.core.opened) throw PeerlineError.CLOSED('Peerline is still starting.')
    if (this.core.closing) throw PeerlineError.CLOSED()
    return fn((params ?? {}) as Params)
  }

  async whoami(): Promise<{ number: string; publicKey: string; name: string }> {
    const { identity, book } = this.core
    return { number: identity.number, publicKey: b4a.toString(identity.publicKey, 'hex'), name: book.settings.name }
  }

  async setProfile(name: string): Promise<Record<string, never>> {
    if (name.length > MAX_NAME_LENGTH) throw PeerlineError.BAD_REQUEST(`name is over ${MAX_NAME_LENGTH} characters`)
    await this.core.book.setSettings({ name: name.trim() })
    return {}
  }

  /**
   * Swaps this profile's fresh identity for the one `phrase` restores, as a first-run screen
   * offers. Refused once the profile has contacts or rooms: those belong to the current identity.
   */
  async restoreIdentity(phrase: string): Promise<{ number: string; publicKey: string; name: string }> {
    phraseToSeed(phrase) // PHRASE_INVALID before anything is closed
    if (this.core.contacts.list().length > 0 || this.core.rooms.list().length > 0) {
      throw PeerlineError.PROFILE_IN_USE()
    }
    await this.reopen(async () => {
      await Identity.replace(this._opts.storage, phrase, this.core.scheme)
      // Contacts and rooms come back in the background once someone online holds our profile.
      markRestoring(this._opts.storage)
    })
    return this.whoami()
  }

  /** The profile directory. */
  get storage(): string {
    return this._opts.storage
  }

  /**
   * Closes the core, runs `between` on the closed profile (restore, import), and opens the profile
   * again, also when `between` failed, so the Api is never left without a core.
   */
  async reopen(between: () => Promise<unknown> | void): Promise<void> {
    await this.core.close()
    try {
      await between()
    } finally {
      this.core = new Peerline(this._opts)
      this.rooms = new RoomMethods(this.core)
      await this.ready()
    }
  }

  /** Always-on peers (`peerline serve` keys) that keep our rooms available while we are away. */
  async setAlwaysOnPeers(keys: Buffer[]): Promise<Record<string, never>> {
    await this.core.book.setSettings({ alwaysOn: keys })
    await this.core.alwaysOn.configure(keys)
    return {}
  }

  async settings(): Promise<{ name: string; contactsOnly: boolean; alwaysOnPeers: string[] }> {
    const s = this.core.book.settings
    return { name: s.name, contactsOnly: s.contactsOnly, alwaysOnPeers: s.alwaysOn.map((k) => b4a.toString(k, 'hex')) }
  }

  async setContactsOnly(enabled: boolean): Promise<Record<string, never>> {
    await this.core.book.setSettings({ contactsOnly: enabled })
    return {}
  }

  async addContact(number: string, publicKey?: string): Promise<unknown> {
    return this.core.contacts.add(number, publicKey)
  }

  listContacts(): ContactInfo[] {
    return this.core.contacts.list()
  }

  /** A group room named `name`, and a room key to share (valid for 7 days). */
  async createRoom(name: string): Promise<{ room: string; invite: string; expires: number }> {
    const room = await this.rooms.create(name)
    return { room: room.id, ...(await this.core.invites.create(room, DEFAULT_INVITE_SECONDS)) }
  }

  /** Shares a file into a conversation: it is announced as a message with an attachment. */
  async sendFile(to: string, path: string): Promise<{ room: string; id: string; file: FileInfo }> {
    const room = await this.rooms.resolve(to)
    const ref = await this.core.files.add(path, room.key)
    const { id } = await room.sendFile(ref)
    return { room: room.id, id, file: fileInfo(ref) }
  }

  /** Downloads a file announced in one of our rooms into the folder `path`. */
  async downloadFile(file: string, path: string): Promise<{ file: string; path: string; resumed: number }> {
    let id: Buffer
    try {
      id = z32.decode(file)
    } catch {
      throw PeerlineError.BAD_REQUEST('"file" is a file id from a message')
    }
    const found = await this.core.rooms.findFile(id)
    if (found === null) throw PeerlineError.NO_SUCH_FILE()
    return { file, ...(await this.core.files.download(found.ref, found.room, path)) }
  }

  /** Where downloads go when the caller names no folder (a UI has no folder picker). */
  downloadsFolder(): string {
    return this._opts.downloads ?? path.join(os.homedir(), 'Downloads')
  }

  /** `to` is a contact's number (any accepted format) or a room id. */
  async send(to: string, text: string): Promise<{ room: string; id: string }> {
    const room = await this.rooms.resolve(to)
    const { id } = await room.send(text)
    return { room: room.id, id }
  }

  async history(to: string, limit = 100): Promise<HistoryEntry[]> {
    if (limit < 1 || limit > 10_000) throw PeerlineError.BAD_REQUEST('limit must be 1..10000')
    return this.rooms.history(to, limit)
  }

  /** Rings a contact (`to` is their number) or, with `group`, every online member of a group room. */
  async startCall(to: string, video: boolean, group: boolean): Promise<{ call: string; room: string }> {
    const room = await this.rooms.resolve(to)
    const isGroup = this.core.rooms.list().find((r) => r.id === room.id)?.kind === ROOM_GROUP
    if (group !== isGroup) throw PeerlineError.BAD_REQUEST(group ? 'startRoomCall takes a group room id' : 'startCall takes a contact; use startRoomCall for a room')
    const { call } = await this.core.calls.start(room, video, group)
    return { call, room: room.id }
  }

  private async _roomUpdate(id: string): Promise<void> {
    if (!this.core.rooms.list().some((e) => e.id === id)) return
    this._notify('roomUpdate', await this.rooms.summary(id))
  }

  private async _messageUpdate(id: string, m: MessageState): Promise<void> {
    const room = await this.core.rooms.open(id)
    this._notify('messageUpdate', { room: id, ...this.rooms.entry(m, await this.rooms._numbersByKey(room)) })
  }

  private _notify<K extends NotificationName>(name: K, params: Notifications[K]): void {
    this.emit('notification', name, params)
  }
}

export class MethodNotFound extends Error {
  constructor(method: string) {
    super(`no method "${method}"`)
  }
}

function str(p: Params, key: string, allowEmpty = false): string {
  const v = p[key]
  if (typeof v !== 'string' || (!allowEmpty && v.length === 0)) throw PeerlineError.BAD_REQUEST(`"${key}" must be a string`)
  return v
}

function optStr(p: Params, key: string): string | undefined {
  return p[key] === undefined ? undefined : str(p, key)
}

function bool(p: Params, key: string): boolean {
  const v = p[key]
  if (typeof v !== 'boolean') throw PeerlineError.BAD_REQUEST(`"${key}" must be true or false`)
  return v
}

function optBool(p: Params, key: string): boolean | undefined {
  return p[key] === undefined ? undefined : bool(p, key)
}

function signalParam(p: Params): Signal {
  const v = p.signal as Record<string, unknown> | null | undefined
  const bad = PeerlineError.BAD_REQUEST('"signal" must be {type: "offer"|"answer", sdp} or {type: "candidate", candidate, sdpMid, sdpMLineIndex}')
  if (typeof v !== 'object' || v === null) throw bad
  const text = (x: unknown): x is string => typeof x === 'string' && x.length < MAX_FRAME_BYTES - 1024
  if ((v.type === 'offer' || v.type === 'answer') && text(v.sdp)) return { type: v.type, sdp: v.sdp }
  if (v.type !== 'candidate' || !text(v.candidate)) throw bad
  const mid = v.sdpMid ?? null
  const mline = v.sdpMLineIndex ?? null
  if ((mid !== null && !text(mid)) || (mline !== null && !(Number.isInteger(mline) && (mline as number) >= 0 && (mline as number) < 1024))) throw bad
  return { type: 'candidate', candidate: v.candidate, sdpMid: mid as string | null, sdpMLineIndex: mline as number | null }
}

function optInt(p: Params, key: string): number | undefined {
  const v = p[key]
  if (v === undefined) return undefined
  if (typeof v !== 'number' || !Number.isInteger(v)) throw PeerlineError.BAD_REQUEST(`"${key}" must be an integer`)
  return v
}

function int(p: Params, key: string): number {
  const v = optInt(p, key)
  if (v === undefined) throw PeerlineError.BAD_REQUEST(`"${key}" must be an integer`)
  return v
}

function roleName(p: Params): RoleName {
  const v = p.role
  if (v !== 'admin' && v !== 'member') throw PeerlineError.BAD_REQUEST('"role" must be "admin" or "member"')
  return v
}

/** Methods that change something answer `{}`. */
function done(_: void): Record<string, never> {
  return {}
}

function keyList(p: Params, key: string): Buffer[] {
  const v = p[key]
  if (!Array.isArray(v)) throw PeerlineError.BAD_REQUEST(`"${key}" must be a list of keys`)
  return v.map((k) => {
    const text = typeof k === 'string' ? k.trim() : ''
    try {
      const buf = /^[0-9a-f]{64}$/i.test(text) ? b4a.from(text, 'hex') : z32.decode(text)
      if (buf.byteLength === 32) return buf
    } catch {}
    throw PeerlineError.BAD_REQUEST(`"${String(k)}" is not a key (64 hex characters or z32)`)
  })
}

function strList(p: Params, key: string): string[] {
  const v = p[key]
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw PeerlineError.BAD_REQUEST(`"${key}" must be a list of strings`)
  return v as string[]
}
