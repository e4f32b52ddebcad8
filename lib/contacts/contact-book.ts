import Hyperbee from 'hyperbee'
import b4a from 'b4a'
import c from 'compact-encoding'
import type { Encoding } from 'compact-encoding'
import type Hypercore from 'hypercore'
import ReadyResource from 'ready-resource'
import { contactRecord, searchRecord, settingsRecord } from '../wire/schemas'
import type { ContactRecord, SearchRecord, SettingsRecord } from '../wire/schemas'

const CONTACT_PREFIX = 'contact/'
/** Blocked keys, each with the contact record it had when blocked (what unblock brings back). */
const BLOCKED_PREFIX = 'blocked/'
const SEARCH_PREFIX = 'search/'
const SETTINGS_KEY = 'settings'
const DEFAULT_SETTINGS: SettingsRecord = { name: '', contactsOnly: false, alwaysOn: [], readReceipts: true }

/** What prunePending keeps: requests younger than `ttl`, at most `max - room` of them. */
export interface PendingLimits {
  now: number
  ttl: number
  max: number
  /** how many new requests to make room for */
  room: number
}

/**
 * The profile's own records: contacts (with their pinned keys) and settings. Kept in a local
 * Hyperbee that is never replicated; an in-memory copy answers the firewall synchronously.
 */
export class ContactBook extends ReadyResource {
  private readonly _bee: Hyperbee<string, Buffer>
  private readonly _byKey = new Map<string, ContactRecord>()
  private readonly _blocked = new Map<string, ContactRecord>()
  private readonly _searches = new Map<string, SearchRecord>()
  settings: SettingsRecord = { ...DEFAULT_SETTINGS }

  constructor(core: Hypercore) {
    super()
    this._bee = new Hyperbee<string, Buffer>(core, { keyEncoding: 'utf-8', valueEncoding: 'binary' })
  }

  protected override async _open(): Promise<void> {
    await this._bee.ready()
    for await (const { value } of this._bee.createReadStream({ gt: CONTACT_PREFIX, lt: CONTACT_PREFIX + '~' })) {
      const record = decode(contactRecord, value)
      if (record) this._byKey.set(b4a.toString(record.publicKey, 'hex'), record)
    }
    for await (const { value } of this._bee.createReadStream({ gt: BLOCKED_PREFIX, lt: BLOCKED_PREFIX + '~' })) {
      const record = decode(contactRecord, value)
      if (record) this._blocked.set(b4a.toString(record.publicKey, 'hex'), record)
    }
    for await (const { value } of this._bee.createReadStream({ gt: SEARCH_PREFIX, lt: SEARCH_PREFIX + '~' })) {
      const record = decode(searchRecord, value)
      if (record) this._searches.set(record.number, record)
    }
    const settings = await this._bee.get(SETTINGS_KEY)
    if (settings) this.settings = decode(settingsRecord, settings.value) ?? this.settings
  }

  protected override async _close(): Promise<void> {
    await this._bee.close()
  }

  get(publicKey: Buffer): ContactRecord | null {
    return this._byKey.get(b4a.toString(publicKey, 'hex')) ?? null
  }

  /** Contacts with this number. Normally one; two only if someone forged a key for it. */
  byNumber(number: string): ContactRecord[] {
    return this.all().filter((r) => r.number === number)
  }

  all(): ContactRecord[] {
    return [...this._byKey.values()]
  }

  async put(record: ContactRecord): Promise<void> {
    const hex = b4a.toString(record.publicKey, 'hex')
    this._byKey.set(hex, record)
    await this._bee.put(CONTACT_PREFIX + hex, c.encode(contactRecord, record))
  }

  async remove(publicKey: Buffer): Promise<void> {
    const hex = b4a.toString(publicKey, 'hex')
    this._byKey.delete(hex)
    await this._bee.del(CONTACT_PREFIX + hex)
  }

  isBlocked(publicKey: Buffer): boolean {
    return this._blocked.has(b4a.toString(publicKey, 'hex'))
  }

  blocked(): ContactRecord[] {
    return [...this._blocked.values()]
  }

  async block(record: ContactRecord): Promise<void> {
    const hex = b4a.toString(record.publicKey, 'hex')
    this._blocked.set(hex, record)
    await this._bee.put(BLOCKED_PREFIX + hex, c.encode(contactRecord, record))
  }

  async unblock(publicKey: Buffer): Promise<void> {
    const hex = b4a.toString(publicKey, 'hex')
    this._blocked.delete(hex)
    await this._bee.del(BLOCKED_PREFIX + hex)
  }

  /** Requests waiting for an answer (not ones we accepted and still have to tell them about). */
  pending(): ContactRecord[] {
    return this.all().filter((r) => r.state === 'incoming' && !r.acceptPending)
  }

  /**
   * Removes pending requests older than `ttl`, then the oldest ones until `room` more fit under
   * `max`, and returns what it removed: strangers cannot fill the profile without limit.
   */
  async prunePending({ now, ttl, max, room }: PendingLimits): Promise<ContactRecord[]> {
    const pending = this.pending().sort((a, b) => a.added - b.added)
    const expired = pending.filter((r) => now - r.added > ttl)
    const live = pending.filter((r) => now - r.added <= ttl)
    const over = live.slice(0, Math.max(0, live.length - Math.max(0, max - room)))
    const dropped = [...expired, ...over]
    for (const r of dropped) await this.remove(r.publicKey)
    return dropped
  }

  /** Numbers addContact keeps looking for, oldest first. */
  searches(): SearchRecord[] {
    return [...this._searches.values()].sort((a, b) => a.added - b.added)
  }

  async putSearch(record: SearchRecord): Promise<void> {
    this._searches.set(record.number, record)
    await this._bee.put(SEARCH_PREFIX + record.number, c.encode(searchRecord, record))
  }

  async removeSearch(number: string): Promise<void> {
    if (!this._searches.delete(number)) return
    await this._bee.del(SEARCH_PREFIX + number)
  }

  async setSettings(patch: Partial<SettingsRecord>): Promise<void> {
    this.settings = { ...this.settings, ...patch }
    await this._bee.put(SETTINGS_KEY, c.encode(settingsRecord, this.settings))
  }
}

function decode<T>(enc: Encoding<T>, buf: Buffer): T | null {
  try {
    return c.decode(enc, buf)
  } catch {
    return null // a record from an older format: skip it rather than refuse to start
  }
}
