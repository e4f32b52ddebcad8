import b4a from 'b4a'
import { PeerlineError } from '../errors'
import { Resource } from '../resource'
import type { BlockedInfo, Choice, ContactInfo, ContactSearch, ContactState as PublicState, KeyMismatch, Requests } from '../contract'
import type { Identity } from '../identity/identity'
import type { NumberScheme } from '../identity/number-scheme'
import { safetyCode } from '../identity/safety-code'
import type { Log } from '../log'
import type { SwarmNetwork } from '../network/swarm-network'
import type { Room } from '../rooms/room'
import type { Rooms } from '../rooms/rooms'
import { ROLE_ADMIN, ROOM_DIRECT } from '../wire/schemas'
import type { ContactAccept, ContactRecord, ContactState } from '../wire/schemas'
import type { ContactBook } from './contact-book'
import type { PeerSession } from './peer-session'
import { NumberSearches } from './number-search'
import type { AttemptResult } from './number-search'

/** After the first valid peer turns up, how long a lookup keeps listening for a second key. */
const SECOND_KEY_GRACE = 1500
/**
 * Once the DHT lookup and the connections it started are done, the hellos of those connections
 * are being checked in parallel; this is how long we give the others after the first is valid.
 */
const AFTER_FLUSH_GRACE = 150
const LOOKUP_RETRY = 2000
const DEFAULT_LOOKUP_TIMEOUT = 20_000
/** Requests waiting for an answer: at most this many are kept (the oldest gives way)... */
const DEFAULT_MAX_REQUESTS = 200
/** ...and each for this long, unanswered. */
const DEFAULT_REQUEST_TTL = 30 * 24 * 3600 * 1000

export interface ContactsOptions {
  identity: Identity
  scheme: NumberScheme
  book: ContactBook
  network: SwarmNetwork
  rooms: Rooms
  log: Log
  lookupTimeout?: number
  /** Waits between background lookups of a number nobody answered on (tests shorten them). */
  searchBackoff?: number[]
  /** Keys the firewall lets in although they are not contacts (members of our rooms). */
  alsoAllow?: (publicKey: Buffer) => boolean
  /** Pending requests kept at most (the oldest gives way to a new one). */
  maxRequests?: number
  /** How long an unanswered request is kept (ms). */
  requestTtl?: number
}

/** A number being looked up: told of every verified peer while it lasts. */
interface Lookup {
  onpeer: (session: PeerSession) => void
}

/** What Contacts emits. */
export interface ContactsEvents {
  request: [ContactInfo]
  accepted: [ContactInfo]
  declined: [ContactInfo]
  presence: [{ number: string; online: boolean }]
  'key-mismatch': [KeyMismatch]
  search: [ContactSearch]
}

/**
 * Adding people by number, requests in both directions, pinning, presence, and the firewall policy.
 *
 * Events: 'request' (ContactInfo), 'accepted' (ContactInfo), 'declined' (ContactInfo),
 * 'presence' ({number, online}), 'key-mismatch' ({number, pinnedKey, foundKey, safetyCode}).
 */
export class Contacts extends Resource<ContactsEvents> {
  private readonly _o: ContactsOptions
  private readonly _sessions = new Map<string, PeerSession>()
  private readonly _lookups = new Set<Lookup>()
  private readonly _candidates = new Map<string, Map<string, PeerSession>>()
  private readonly _searches: NumberSearches

  constructor(opts: ContactsOptions) {
    super()
    this._o = opts
    this._searches = new NumberSearches({
      book: opts.book,
      log: opts.log,
      attempt: (number) => this._attempt(number),
      ...(opts.searchBackoff ? { backoff: opts.searchBackoff } : {})
    })
  }

  /** Resumes the searches of an earlier run. */
  protected async _open(): Promise<void> {
    await this._searches.ready()
  }

  protected async _close(): Promise<void> {
    await this._searches.close()
  }

  /** The network changed in a way that may make searched numbers findable now. */
  wakeSearches(): void {
    this._searches.wake()
  }

  /** Reconnect every known contact by key (no topic lookup). */
  dialAll(): void {
    for (const r of this._o.book.all()) {
      if (r.state === 'accepted' || r.state === 'outgoing' || (r.state === 'incoming' && r.acceptPending)) {
        this._o.network.dial(r.publicKey)
      }
    }
  }

  /** The swarm firewall: true refuses the key before any connection. */
  firewall(remotePublicKey: Buffer): boolean {
    if (this._o.book.isBlocked(remotePublicKey)) {
      this._o.log(`blocked: refused ${b4a.toString(remotePublicKey, 'hex').slice(0, 8)} before connecting`)
      return true
    }
    if (!this._o.book.settings.contactsOnly) return false
    if (this._lookups.size > 0) return false // we are dialling someone new: their key is unknown yet
    const r = this._o.book.get(remotePublicKey)
    const refuse = r === null ? !this._o.alsoAllow?.(remotePublicKey) : r.state === 'declined'
    // Hyperswarm bans a refused key for the life of the swarm, so this logs once per key.
    if (refuse) this._o.log(`contacts-only: refused ${b4a.toString(remotePublicKey, 'hex').slice(0, 8)} before connecting`)
    return refuse
  }

  /** Called by the core for every verified peer. */
  attach(session: PeerSession): void {
    const id = session.id
    const previous = this._sessions.get(id)
    this._sessions.set(id, session)
    if (previous && previous !== session) previous.destroy()

    session.on('request', (req) => this._onrequest(session, req.name, req.roomKey, req.roomEncryptionKey).catch(this._fail(session)))
    session.on('accept', (acc) => this._onaccept(session, acc).catch(this._fail(session)))
    session.on('decline', () => this._ondecline(session).catch(this._fail(session)))
    session.on('close', () => {
      if (this._sessions.get(id) !== session) return
      this._sessions.delete(id)
      const r = this._o.book.get(session.publicKey)
      if (r && r.state === 'accepted') this.emit('presence', { number: r.number, online: false })
    })

    for (const lookup of this._lookups) lookup.onpeer(session)
    this._onverified(session).catch(this._fail(session))
  }

  isOnline(publicKey: Buffer): boolean {
    return this._sessions.has(b4a.toString(publicKey, 'hex'))
  }

  list(): ContactInfo[] {
    const known = this._o.book
      .all()
      .filter((r) => !this._expired(r))
      .sort((a, b) => a.added - b.added)
      .map((r) => this.info(r))
    return [...known, ...this._o.book.searches().map((r) => searchInfo(r.number))]
  }

  /** Unanswered requests, those from strangers (message requests) apart. */
  requests(): Requests {
    const pending = this._o.book
      .pending()
      .filter((r) => !this._expired(r))
      .sort((a, b) => a.added - b.added)
      .map((r) => this.info(r))
    return { requests: pending.filter((r) => !r.messageRequest), messageRequests: pending.filter((r) => r.messageRequest) }
  }

  blocked(): BlockedInfo[] {
    return this._o.book.blocked().map((r) => ({
      number: r.number,
      publicKey: b4a.toString(r.publicKey, 'hex'),
      name: r.name,
      safetyCode: safetyCode(this._o.identity.publicKey, r.publicKey)
    }))
  }

  /**
   * Blocks every key we know on this number: its record moves aside, its connections close, and
   * the swarm firewall refuses it from now on (it never learns our address again).
   */
  async block(input: string): Promise<{ number: string; blocked: number }> {
    const number = this._o.scheme.parse(input)
    const records = this._o.book.byNumber(number)
    const already = this._o.book.blocked().filter((r) => r.number === number)
    if (records.length === 0 && already.length === 0) throw PeerlineError.NOT_A_CONTACT(this._o.scheme.format(number))
    for (const r of records) {
      await this._o.book.block(r)
      await this._o.book.remove(r.publicKey)
      this._sessions.get(b4a.toString(r.publicKey, 'hex'))?.destroy()
      // Connections not (yet) verified as a session close too.
      for (const conn of this._o.network.swarm.connections) {
        if (conn.remotePublicKey && b4a.equals(conn.remotePublicKey, r.publicKey)) conn.destroy()
      }
      this._o.log(`blocked ${number} (${b4a.toString(r.publicKey, 'hex').slice(0, 8)})`)
    }
    return { number, blocked: records.length + already.length }
  }

  /** Brings a blocked number back as it was; it may connect again. */
  async unblock(input: string): Promise<{ number: string; blocked: number }> {
    const number = this._o.scheme.parse(input)
    const records = this._o.book.blocked().filter((r) => r.number === number)
    if (records.length === 0) throw PeerlineError.NOT_A_CONTACT(this._o.scheme.format(number))
    for (const r of records) {
      await this._o.book.put(r)
      await this._o.book.unblock(r.publicKey)
      this._o.network.unban(r.publicKey)
    }
    return { number, blocked: 0 }
  }

  info(r: ContactRecord): ContactInfo {
    return {
      number: r.number,
      publicKey: b4a.toString(r.publicKey, 'hex'),
      name: r.name,
      safetyCode: safetyCode(this._o.identity.publicKey, r.publicKey),
      state: publicState(r.state),
      online: this.isOnline(r.publicKey),
      room: r.roomKey ? this._o.rooms.idOf(r.roomKey) : null,
      messageRequest: r.state === 'incoming' && !(this._o.alsoAllow?.(r.publicKey) ?? false)
    }
  }

  /** The accepted (or at least known) contact with this number, or NOT_A_CONTACT. */
  resolve(number: string): ContactRecord {
    const records = this._o.book.byNumber(number)
    const r = records.find((x) => x.state === 'accepted') ?? records[0]
    if (!r) throw PeerlineError.NOT_A_CONTACT(this._o.scheme.format(number))
    return r
  }

  /**
   * Finds `number` on the DHT, checks the key derives to it, pins it and sends a request.
   * With `publicKey`, picks that one of several keys a previous call reported.
   */
  async add(input: string, publicKey?: string): Promise<ContactInfo | Choice> {
    const number = this._o.scheme.parse(input)
    if (number === this._o.identity.number) {
      throw PeerlineError.NUMBER_IS_YOURS()
    }
    try {
      const added = await this._add(number, publicKey)
      await this._searches.cancel(number)
      return added
    } catch (err) {
      if ((err as PeerlineError).code !== 'NUMBER_NOT_FOUND' || publicKey !== undefined) throw err
    }
    // Nobody answered: they may be offline, or the number is mistyped. Keep looking.
    await this._searches.start(number)
    this.emit('search', { number, state: 'searching' })
    return searchInfo(number)
  }

  /**
   * Stops looking for a number, or withdraws a request they have not accepted yet. False if
   * there was neither.
   */
  async cancel(input: string): Promise<boolean> {
    const number = this._o.scheme.parse(input)
    let cancelled = await this._searches.cancel(number)
    for (const r of this._o.book.byNumber(number)) {
      if (r.state !== 'outgoing') continue
      await this._o.book.remove(r.publicKey)
      if (r.roomKey) await this._o.rooms.leave(this._o.rooms.idOf(r.roomKey)).catch((err: Error) => this._o.log('cancel request: ' + err.message))
      cancelled = true
    }
    return cancelled
  }

  /** One background lookup of a searched number. */
  private async _attempt(number: string): Promise<AttemptResult> {
    try {
      const added = await this._add(number)
      if (added.state === 'choose') this.emit('search', { number, state: 'choose', candidates: added.candidates })
      else this.emit('search', { number, state: 'found' })
      return 'found'
    } catch (err) {
      const e = err as PeerlineError
      // Unreachable (two randomising NATs) may pass: a NAT mapping or a network changes.
      if (e.code === 'NUMBER_NOT_FOUND' || e.code === 'PEER_UNREACHABLE') return 'not-found'
      this.emit('search', { number, state: 'failed', code: e.code ?? 'INTERNAL', message: e.message })
      return 'stop'
    }
  }

  private async _add(number: string, publicKey?: string): Promise<ContactInfo | Choice> {
    const pinned = this._o.book.byNumber(number).filter((r) => r.state !== 'declined' || r.roomKey !== null)

    let session: PeerSession | undefined
    if (publicKey !== undefined) {
      session = this._candidates.get(number)?.get(String(publicKey).toLowerCase())
      if (!session || session.closed) {
        throw PeerlineError.BAD_REQUEST('That key is not one of the choices offered for this number: add the number again.')
      }
      this._candidates.delete(number)
    } else {
      const found = await this._lookup(number)
      const pin = pinned[0]
      if (pin) {
        session = found.get(b4a.toString(pin.publicKey, 'hex'))
        if (!session) {
          const other = [...found.values()][0]
          const code = safetyCode(this._o.identity.publicKey, other.publicKey)
          const details: KeyMismatch = {
            number,
            pinnedKey: b4a.toString(pin.publicKey, 'hex'),
            foundKey: other.id,
            safetyCode: code
          }
          this.emit('key-mismatch', details)
          throw PeerlineError.KEY_MISMATCH(this._o.scheme.format(number), { ...details })
        }
      } else if (found.size > 1) {
        this._candidates.set(number, found)
        return {
          number,
          state: 'choose',
          candidates: [...found.values()].map((s) => ({
            publicKey: s.id,
            name: s.name,
            safetyCode: safetyCode(this._o.identity.publicKey, s.publicKey)
          }))
        }
      } else {
        session = [...found.values()][0]
      }
    }

    let record = this._o.book.get(session.publicKey)
    if (record === null || record.state === 'declined') {
      const room = await this._o.rooms.create(ROOM_DIRECT)
      // Held to a direct room with them from the start (and replicated to them alone).
      this._o.rooms.guardDirect(room, session.publicKey)
      record = {
        publicKey: session.publicKey,
        number,
        name: session.name,
        state: 'outgoing',
        roomKey: room.key,
        roomEncryptionKey: room.encryptionKey,
        acceptPending: false,
        added: Date.now()
      }
      await this._o.book.put(record)
      this._o.network.unban(session.publicKey)
    } else if (record.state === 'incoming') {
      // They asked first: adding them back is accepting.
      await this.accept(number)
      record = this._o.book.get(session.publicKey) as ContactRecord
    }
    this._o.network.dial(session.publicKey)
    if (record.state === 'outgoing') this._sendRequest(session, record)
    return this.info(record)
  }

  async accept(input: string): Promise<ContactInfo> {
    const number = this._o.scheme.parse(input)
    const r = this._o.book.byNumber(number).find((x) => x.state === 'incoming' || x.state === 'accepted')
    if (!r) throw PeerlineError.NOT_A_CONTACT(this._o.scheme.format(number))
    if (r.state === 'accepted') return this.info(r)
    if (!r.roomKey || !r.roomEncryptionKey) throw new Error('request without a room')
    // A direct room is new to us: a request naming a room we have (a group, or one we left) would
    // route this chat into it, or overwrite its stored key.
    if (this._o.rooms.has(r.roomKey)) {
      this._o.log(`contact ${r.number}: refused: the request names a room this profile already has`)
      throw PeerlineError.NOT_ALLOWED('That request names a conversation you already have; it is not a new direct chat.')
    }
    const room = await this._o.rooms.join(r.roomKey, r.roomEncryptionKey, ROOM_DIRECT)
    this._o.rooms.guardDirect(room, r.publicKey)
    const record: ContactRecord = { ...r, state: 'accepted', acceptPending: true }
    await this._o.book.put(record)
    this._o.network.dial(r.publicKey)
    this._o.network.unban(r.publicKey)
    const session = this._sessions.get(b4a.toString(r.publicKey, 'hex'))
    if (session) await this._sendAccept(session, record, room)
    return this.info(record)
  }

  async decline(input: string): Promise<ContactInfo> {
    const number = this._o.scheme.parse(input)
    const r = this._o.book.byNumber(number).find((x) => x.state === 'incoming')
    if (!r) throw PeerlineError.NOT_A_CONTACT(this._o.scheme.format(number))
    const record: ContactRecord = { ...r, state: 'declined', roomKey: null, roomEncryptionKey: null }
    await this._o.book.put(record)
    this._sessions.get(b4a.toString(r.publicKey, 'hex'))?.sendDecline({ reason: '' })
    return this.info(record)
  }

  private async _lookup(number: string): Promise<Map<string, PeerSession>> {
    const { network, scheme } = this._o
    const found = new Map<string, PeerSession>()
    let settle: () => void = () => {}
    let graceTimer: ReturnType<typeof setTimeout> | null = null
    let flushed = false
    let retry: ReturnType<typeof setInterval> | null = null
    const settled = new Promise<void>((resolve) => {
      settle = resolve
    })
    const lookup: Lookup = {
      onpeer: (session) => {
        if (session.number !== number) return
        found.set(session.id, session)
        if (flushed) setTimeout(settle, AFTER_FLUSH_GRACE)
        else if (graceTimer === null) graceTimer = setTimeout(settle, SECOND_KEY_GRACE)
      }
    }
    // A peer we are already talking to may be the one.
    for (const s of this._sessions.values()) lookup.onpeer(s)
    if (found.size > 0 && this._o.book.byNumber(number).length > 0) settle()

    this._lookups.add(lookup)
    const search = network.lookup(scheme.topic(number))
    // Once the DHT lookup and the connections it started are done, nobody else is coming.
    search.flushed.then(
      () => {
        flushed = true
        if (found.size > 0) setTimeout(settle, AFTER_FLUSH_GRACE)
        // Nobody yet: they may announce in a moment (just started, or a slow DHT); ask again.
        else retry = setInterval(() => search.refresh(), LOOKUP_RETRY)
      },
      (err: Error) => this._o.log(`lookup of ${number}: ${err.message}`)
    )
    const timeout = setTimeout(settle, this._o.lookupTimeout ?? DEFAULT_LOOKUP_TIMEOUT)
    let unreachable = false
    try {
      await settled
      unreachable = found.size === 0 && this._triedButUnreachable(scheme.topic(number))
    } finally {
      clearTimeout(timeout)
      if (graceTimer) clearTimeout(graceTimer)
      if (retry) clearInterval(retry)
      this._lookups.delete(lookup)
      search.stop().catch(() => {})
    }
    if (unreachable) {
      // Not a wrong number: someone announces it and we could not reach them. Say so.
      throw PeerlineError.PEER_UNREACHABLE(scheme.format(number), { number: scheme.format(number) })
    }
    if (found.size === 0) {
      throw PeerlineError.NUMBER_NOT_FOUND(scheme.format(number))
    }
    return found
  }

  /**
   * Our NAT gives every flow a random port and a peer announced on `topic` was tried and never
   * connected: hole punching between two randomising NATs is refused by HyperDHT
   * (HOLEPUNCH_DOUBLE_RANDOMIZED_NATS), and a relay is the only way through.
   */
  private _triedButUnreachable(topic: Buffer): boolean {
    const { dht, swarm } = this._o.network
    if (!dht.randomized) return false
    for (const peer of swarm.peers.values()) {
      if (peer.attempts > 0 && !peer.proven && peer.topics.some((t) => b4a.equals(t, topic))) return true
    }
    return false
  }

  private async _onverified(session: PeerSession): Promise<void> {
    const r = this._o.book.get(session.publicKey)
    if (r === null) return
    if (r.number !== session.number) return // cannot happen: the number derives from the key
    if (session.name && session.name !== r.name) await this._o.book.put({ ...r, name: session.name })
    if (r.state === 'accepted') this.emit('presence', { number: r.number, online: true })
    if (r.state === 'outgoing') this._sendRequest(session, r)
    if (r.state === 'accepted' && r.acceptPending && r.roomKey && r.roomEncryptionKey) {
      const room = await this._o.rooms.join(r.roomKey, r.roomEncryptionKey, ROOM_DIRECT)
      await this._sendAccept(session, r, room)
    }
  }

  private _sendRequest(session: PeerSession, r: ContactRecord): void {
    if (!r.roomKey || !r.roomEncryptionKey) return
    session.sendRequest({ name: this._o.book.settings.name, roomKey: r.roomKey, roomEncryptionKey: r.roomEncryptionKey })
  }

  private async _sendAccept(session: PeerSession, r: ContactRecord, room: Room): Promise<void> {
    if (!r.roomKey) return
    // Our member signature goes with our writer: the requester's room adds us only with it.
    if (session.sendAccept({ roomKey: r.roomKey, writerKey: room.writerKey, memberSignature: await room.memberSignature() })) {
      await this._o.book.put({ ...r, acceptPending: false })
    }
  }

  private async _onrequest(session: PeerSession, name: string, roomKey: Buffer, roomEncryptionKey: Buffer): Promise<void> {
    const number = session.number as string
    if (this._o.book.isBlocked(session.publicKey)) return session.destroy()
    const existing = this._o.book.get(session.publicKey)
    if (existing && this._expired(existing)) {
      await this._o.book.remove(existing.publicKey)
      return this._onrequest(session, name, roomKey, roomEncryptionKey)
    }
    if (existing) {
      if (existing.state === 'declined') return void session.sendDecline({ reason: '' })
      if (existing.state === 'incoming') return // already waiting for the person to decide
      if (existing.state === 'accepted') {
        // Already a contact: never downgraded to a request, never moved to another room. Either
        // they did not hear our accept, or they lost their records and ask with a new room; our
        // accept for the room we have is the answer to both.
        if (!existing.roomKey || !existing.roomEncryptionKey) return
        if (!b4a.equals(existing.roomKey, roomKey)) this._o.log(`contact ${number}: already a contact; ignored a request for another room`)
        const room = await this._o.rooms.join(existing.roomKey, existing.roomEncryptionKey, ROOM_DIRECT)
        return this._sendAccept(session, existing, room)
      }
      if (existing.state === 'outgoing' && existing.roomKey) {
        // Both asked at once: the room with the smaller key wins, on both sides.
        if (b4a.compare(existing.roomKey, roomKey) < 0) return
      }
    }
    if (!existing) await this._makeRoomForRequest()
    const record: ContactRecord = {
      publicKey: session.publicKey,
      number,
      name: name.slice(0, 64) || session.name,
      state: 'incoming',
      roomKey,
      roomEncryptionKey,
      acceptPending: false,
      added: existing?.added ?? Date.now()
    }
    await this._o.book.put(record)
    if (existing && existing.state === 'outgoing') {
      await this.accept(number) // they want what we wanted
      return
    }
    this.emit('request', this.info(record))
  }

  /** A new request is coming: drop expired ones, and the oldest if the cap is reached. */
  private async _makeRoomForRequest(): Promise<void> {
    const dropped = await this._o.book.prunePending({ now: Date.now(), ttl: this._ttl(), max: this._o.maxRequests ?? DEFAULT_MAX_REQUESTS, room: 1 })
    for (const r of dropped) {
      const why = this._expired(r) ? 'it expired' : `${this._o.maxRequests ?? DEFAULT_MAX_REQUESTS} are waiting`
      this._o.log(`contacts: dropped the oldest request (from ${r.number}): ${why}`)
    }
  }

  private _ttl(): number {
    return this._o.requestTtl ?? DEFAULT_REQUEST_TTL
  }

  /** An unanswered request past its time. */
  private _expired(r: ContactRecord): boolean {
    return r.state === 'incoming' && !r.acceptPending && Date.now() - r.added > this._ttl()
  }

  private async _onaccept(session: PeerSession, acc: ContactAccept): Promise<void> {
    const r = this._o.book.get(session.publicKey)
    if (!r || !r.roomKey || !b4a.equals(r.roomKey, acc.roomKey)) return
    if (r.state !== 'outgoing' && r.state !== 'accepted') return
    const room = await this._o.rooms.open(r.roomKey)
    // Both people in a direct room are admins, so both index it.
    await room.addMember({ writerKey: acc.writerKey, publicKey: r.publicKey, name: r.name, role: ROLE_ADMIN, signature: acc.memberSignature })
    if (r.state === 'outgoing') {
      const record: ContactRecord = { ...r, state: 'accepted', name: r.name || session.name }
      await this._o.book.put(record)
      this.emit('accepted', this.info(record))
      this.emit('presence', { number: r.number, online: true })
    }
  }

  private async _ondecline(session: PeerSession): Promise<void> {
    const r = this._o.book.get(session.publicKey)
    if (!r || r.state !== 'outgoing') return
    const record: ContactRecord = { ...r, state: 'declined' }
    await this._o.book.put(record)
    this.emit('declined', this.info(record))
  }

  private _fail(session: PeerSession): (err: Error) => void {
    return (err) => this._o.log(`contact ${session.number ?? session.id.slice(0, 8)}: ${err.message}`)
  }
}


/** A searched number, as listContacts shows it: nothing is known but the number. */
function searchInfo(number: string): ContactInfo {
  return { number, publicKey: '', name: '', safetyCode: '', state: 'searching', online: false, room: null, messageRequest: false }
}

function publicState(s: ContactState): PublicState {
  return s === 'outgoing' ? 'pending' : s
}
