import EventEmitter from 'bare-events'
import b4a from 'b4a'
import { PeerlineError } from '../errors'
import type { ContactInfo, KeyMismatch } from '../contacts/contacts'
import { Peerline } from '../peerline'
import type { PeerlineOptions } from '../peerline'
import type { RoomMessage } from '../rooms/room'
import { MAX_NAME_LENGTH } from '../wire/schemas'

export type Params = Record<string, unknown>

/** Names and payloads of everything the Api pushes to its clients. */
export interface Notifications {
  ready: { number: string; publicKey: string }
  contactRequest: { number: string; publicKey: string; name: string; safetyCode: string }
  contactAccepted: { number: string }
  contactDeclined: { number: string }
  keyMismatch: KeyMismatch
  message: RoomMessage
  presence: { number: string; online: boolean }
}

export type NotificationName = keyof Notifications

interface HistoryEntry {
  id: string
  from: string
  text: string
  time: number
}

/**
 * The one door into the core: every method a UI, the CLI or a test uses, with its checks, and
 * every notification. Transports call `call(method, params)` and listen for 'notification'.
 */
export interface ApiEvents {
  notification: [NotificationName, Notifications[NotificationName]]
}

export class Api extends EventEmitter<ApiEvents> {
  readonly core: Peerline
  private readonly _methods: Record<string, (p: Params) => Promise<unknown>>

  constructor(opts: PeerlineOptions) {
    super()
    this.core = new Peerline(opts)
    this._methods = {
      whoami: () => this.whoami(),
      setProfile: (p) => this.setProfile(str(p, 'name', true)),
      setContactsOnly: (p) => this.setContactsOnly(bool(p, 'enabled')),
      recoveryPhrase: async () => ({ phrase: this.core.identity.phrase }),
      addContact: (p) => this.addContact(str(p, 'number'), optStr(p, 'publicKey')),
      acceptContact: (p) => this.core.contacts.accept(str(p, 'number')),
      declineContact: (p) => this.core.contacts.decline(str(p, 'number')),
      listContacts: async () => this.listContacts(),
      send: (p) => this.send(str(p, 'to'), str(p, 'text')),
      history: (p) => this.history(str(p, 'to'), optInt(p, 'limit'))
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
      this._notify('contactRequest', { number: c.number, publicKey: c.publicKey, name: c.name, safetyCode: c.safetyCode })
    )
    core.contacts.on('accepted', (c) => this._notify('contactAccepted', { number: c.number }))
    core.contacts.on('declined', (c) => this._notify('contactDeclined', { number: c.number }))
    core.contacts.on('presence', (p) => this._notify('presence', p))
    core.contacts.on('key-mismatch', (k) => this._notify('keyMismatch', k))
    core.rooms.on('message', (m: RoomMessage) => this._notify('message', m))
    this._notify('ready', { number: core.identity.number, publicKey: b4a.toString(core.identity.publicKey, 'hex') })
  }

  async close(): Promise<void> {
    await this.core.close()
  }

  /** Runs a method by name. Unknown methods and bad params are BAD_REQUEST-style PeerlineErrors. */
  async call(method: string, params: unknown): Promise<unknown> {
    const fn = Object.prototype.hasOwnProperty.call(this._methods, method) ? this._methods[method] : undefined
    if (fn === undefined) throw new MethodNotFound(method)
    if (params !== undefined && (params === null || typeof params !== 'object' || Array.isArray(params))) {
      throw PeerlineError.BAD_REQUEST('params must be an object')
    }
    if (!this.core.opened) throw new PeerlineError('CLOSED', 'Peerline is still starting.')
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

  /** `to` is a contact's number (any accepted format) or a room id. */
  async send(to: string, text: string): Promise<{ room: string; id: string }> {
    const room = await this._room(to)
    const { id } = await room.send(text)
    return { room: room.id, id }
  }

  async history(to: string, limit = 100): Promise<HistoryEntry[]> {
    if (limit < 1 || limit > 10_000) throw PeerlineError.BAD_REQUEST('limit must be 1..10000')
    const room = await this._room(to)
    const messages = await room.history(limit)
    return messages.map((m) => ({ id: m.id, from: m.from, text: m.text, time: m.time }))
  }

  private async _room(to: string) {
    const { contacts, rooms, scheme } = this.core
    if (/^[\d -]+$/.test(to.trim())) {
      const r = contacts.resolve(scheme.parse(to))
      if (r.state !== 'accepted' && r.state !== 'outgoing') {
        throw new PeerlineError('NOT_A_CONTACT', `${scheme.format(r.number)} has not been accepted as a contact.`)
      }
      if (!r.roomKey) throw PeerlineError.NOT_A_CONTACT(scheme.format(r.number))
      return rooms.open(r.roomKey)
    }
    return rooms.open(to.trim())
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

function optInt(p: Params, key: string): number | undefined {
  const v = p[key]
  if (v === undefined) return undefined
  if (typeof v !== 'number' || !Number.isInteger(v)) throw PeerlineError.BAD_REQUEST(`"${key}" must be an integer`)
  return v
}
