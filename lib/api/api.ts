import os from 'os'
import path from 'path'
import b4a from 'b4a'
import { METHODS } from '../contract'
import type { Me, MethodName, NotificationName, Notifications, ParamsArg, Result } from '../contract'
import { PeerlineError } from '../errors'
import { Identity } from '../identity/identity'
import { phraseToSeed } from '../identity/recovery-phrase'
import { markRestoring } from '../profile/profile-restore'
import { Peerline } from '../peerline'
import type { PeerlineOptions } from '../peerline'
import { Resource } from '../resource'
import type { MessageState } from '../rooms/room-view'
import { HANDLERS } from './handlers'
import type { Handler, HandlerContext } from './handlers/handler'
import { whoami } from './handlers/identity'
import type { RawParams } from './params'
import { RoomMethods } from './room-methods'
import { resumeRestore } from './restore-job'
import { followProfile, linkDevice, resumeLink } from './link-job'

/**
 * A room's summary is sent at most once per this many ms (the last state always goes out): in a
 * burst, one summary covers many messages, and live messages do not wait behind one each.
 */
const ROOM_UPDATE_MS = 100

export interface ApiEvents {
  notification: [NotificationName, Notifications[NotificationName]]
}

/**
 * The one door into the core: a dispatcher over the handler tables in ./handlers (one per
 * capability, with each method's param checks) and the source of every notification. Transports
 * call `call(method, params)` with what arrived and listen for 'notification'.
 */
export class Api extends Resource<ApiEvents> implements HandlerContext {
  private _core: Peerline
  private _rooms: RoomMethods
  private readonly _opts: PeerlineOptions
  private readonly _roomUpdates = new Map<string, ReturnType<typeof setTimeout>>()

  constructor(opts: PeerlineOptions) {
    super()
    this._opts = opts
    this._core = new Peerline(opts)
    this._rooms = new RoomMethods(this._core)
  }

  /**
   * The core (replaced by restoreIdentity and importProfile, through reopen). Handlers see it as ApiServices (HandlerContext);
   * the whole of it is here for the process that owns the Api and for white-box tests.
   */
  get core(): Peerline {
    return this._core
  }

  get rooms(): RoomMethods {
    return this._rooms
  }

  /** Method names, for help and for transports that want to list them. */
  get methods(): MethodName[] {
    return Object.keys(METHODS) as MethodName[]
  }

  protected async _open(): Promise<void> {
    await this._start()
  }

  protected async _close(): Promise<void> {
    for (const timer of this._roomUpdates.values()) clearTimeout(timer)
    this._roomUpdates.clear()
    await this._core.close()
  }

  /**
   * Runs a method by name with params as they arrived (a transport's JSON). Unknown methods are
   * MethodNotFound; bad params are BAD_REQUEST PeerlineErrors that name the param.
   */
  async call(method: string, params: unknown): Promise<unknown> {
    if (!Object.prototype.hasOwnProperty.call(HANDLERS, method)) throw new MethodNotFound(method)
    if (params !== undefined && (params === null || typeof params !== 'object' || Array.isArray(params))) {
      throw PeerlineError.BAD_REQUEST('params must be an object')
    }
    const handler = HANDLERS[method as MethodName] as Handler<MethodName>
    const checked = handler.params((params ?? {}) as RawParams)
    if (!this._core.opened) throw PeerlineError.CLOSED('Peerline is still starting.')
    if (this._core.closing) throw PeerlineError.CLOSED()
    return handler.run(this, checked as never)
  }

  /** The same, typed by the contract: for clients in this process (the terminal chat, tests). */
  request<M extends MethodName>(method: M, ...params: ParamsArg<M>): Promise<Result<M>> {
    return this.call(method, params[0]) as Promise<Result<M>>
  }

  /** Where downloads go when the caller names no folder (a UI has no folder picker). */
  downloadsFolder(): string {
    return this._opts.downloads ?? path.join(os.homedir(), 'Downloads')
  }

  /**
   * Swaps this profile's fresh identity for the one `phrase` restores, as a first-run screen
   * offers. Refused once the profile has contacts or rooms: those belong to the current identity.
   */
  async restoreIdentity(phrase: string): Promise<Me> {
    phraseToSeed(phrase) // PHRASE_INVALID before anything is closed
    if (this._core.contacts.list().length > 0 || this._core.rooms.list().length > 0) {
      throw PeerlineError.PROFILE_IN_USE()
    }
    await this.reopen(async () => {
      await Identity.replace(this._opts.storage, phrase, this._core.scheme)
      // Contacts and rooms come back in the background once someone online holds our profile.
      markRestoring(this._opts.storage)
    })
    return whoami(this)
  }

  /** Makes this fresh profile a linked device of the person behind `link` (see link-job). */
  linkDevice(link: string): Promise<{ number: string }> {
    return linkDevice(this, link)
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
    await this._core.close()
    try {
      await between()
    } finally {
      this._core = new Peerline(this._opts)
      this._rooms = new RoomMethods(this._core)
      await this._start()
    }
  }

  /** Pushes a notification to the clients. */
  notify<N extends NotificationName>(name: N, params: Notifications[N]): void {
    this.emit('notification', name, params)
  }

  /** Opens the core and turns its services' events into notifications. */
  private async _start(): Promise<void> {
    const core = this._core
    await core.ready()
    core.contacts.on('request', (c) =>
      this.notify('contactRequest', { number: c.number, publicKey: c.publicKey, name: c.name, safetyCode: c.safetyCode, messageRequest: c.messageRequest })
    )
    core.contacts.on('accepted', (c) => this.notify('contactAccepted', { number: c.number }))
    core.contacts.on('declined', (c) => this.notify('contactDeclined', { number: c.number }))
    core.contacts.on('presence', (p) => this.notify('presence', p))
    core.contacts.on('key-mismatch', (k) => this.notify('keyMismatch', k))
    core.contacts.on('search', (k) => this.notify('contactSearch', k))
    core.rooms.on('message', (m) => this.notify('message', m))
    core.on('network', (s) => this.notify('network', s))
    core.files.on('progress', (p) => this.notify('fileProgress', p))
    core.files.on('done', (p) => this.notify('fileDone', p))
    core.files.on('failed', (p) => this.notify('fileFailed', { file: p.file, code: p.code }))
    core.rooms.on('room-update', (room) => this._roomUpdateSoon(room))
    core.rooms.on('left', (room) => this.notify('roomLeft', { room: room.id }))
    core.rooms.on('message-update', (room, m) => {
      this._messageUpdate(room, m).catch((err: Error) => core.log('messageUpdate: ' + err.message))
    })
    core.calls.on('incoming', (n) => this.notify('callIncoming', n))
    core.calls.on('state', (n) => this.notify('callState', n))
    core.calls.on('peer', (n) => this.notify('callPeer', n))
    core.calls.on('signal', (n) => this.notify('callSignal', n))
    core.calls.on('chat', (n) => this.notify('callChat', n))
    core.on('peer-version', (n) => this.notify('peerVersion', n))
    this.notify('ready', { number: core.identity.number, publicKey: b4a.toString(core.identity.publicKey, 'hex') })
    // The state may have changed while the core was opening: clients start from this one.
    this.notify('network', core.network.status())
    // Contacts who connected while it opened were told to no listener (seen on a LAN: a
    // restarted contact reached us before 'ready' and stayed "offline" to the client).
    for (const c of core.contacts.list()) if (c.state === 'accepted' && c.online) this.notify('presence', { number: c.number, online: true })
    resumeRestore(this)
    resumeLink(this)
    followProfile(this)
  }

  private _roomUpdateSoon(room: string): void {
    if (this._roomUpdates.has(room)) return
    const timer = setTimeout(() => {
      this._roomUpdates.delete(room)
      this._roomUpdate(room).catch((err: Error) => this._core.log('roomUpdate: ' + err.message))
    }, ROOM_UPDATE_MS)
    this._roomUpdates.set(room, timer)
  }

  private async _roomUpdate(id: string): Promise<void> {
    if (this._core.rooms.kindOf(id) === null) return
    this.notify('roomUpdate', await this._rooms.summary(id))
  }

  private async _messageUpdate(id: string, m: MessageState): Promise<void> {
    const room = await this._core.rooms.open(id)
    this.notify('messageUpdate', { room: id, ...this._rooms.entry(m, await this._rooms.numbersByKey(room), await this._rooms.namesByNumber(room), room) })
  }

}

export class MethodNotFound extends Error {
  constructor(method: string) {
    super(`no method "${method}"`)
  }
}
