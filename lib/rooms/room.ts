import Autobase from 'autobase'
import type Corestore from 'corestore'
import type Hypercore from 'hypercore'
import type Protomux from 'protomux'
import b4a from 'b4a'
import c from 'compact-encoding'
import crypto from 'hypercore-crypto'
import z32 from 'z32'
import { PeerlineError } from '../errors'
import { fileInfo } from '../files/file-info'
import { callInfo } from '../calls/call-info'
import type { RoomMessage } from '../contract'
import type { Log } from '../log'
import * as schema from '../wire/schemas'
import type { DeviceRecord, InviteRecord, MemberRecord, RoomInfoRecord, RoomOp } from '../wire/schemas'
import { applyOps, closeView, currentEpoch, deviceGrants, removedThisEpoch, getCreator, listDevices, getInfo, sealedEpochKey, getInvite, blockIsOp, dueForClearing, getMember, listMembers, messageAt, messageById, localMessages, messageWithFile, openView, quoteFor, readMessages, readNotices } from './room-view'
import { ReadMarks } from './read-marks'
import { ReplyLinks } from './reply-links'
import { MAX_REPLY_ID, replyQuote } from './reply-quote'
import type { ReplyQuote } from '../contract'
import { EVENT_ROOM } from './room-view'
import { SignedView } from './signed-view'
import type { ApplyContext, MessageState, NoticeState, RoomView } from './room-view'
import { formatVersion } from '../wire/version'
import type { ProtocolVersion } from '../wire/version'
import type { NumberScheme } from '../identity/number-scheme'
import { deviceMemberSignable, memberSignable, verifyDeviceMember, verifyMember } from './member-signature'
import { DeliveryMarks } from './delivery-marks'
import { newEpochKey, sealedKeyRef, sealKeyTo, sealText } from './epoch-keys'
import { Resource } from '../resource'
import { sleep } from '../sleep'
import { RoomCores } from './room-cores'

/** Who this device is, as recorded in a room's member list. */
export interface Self {
  publicKey: Buffer
  name: string
  /** Signs with the identity key (member records). */
  sign: (message: Buffer) => Buffer
  /** Opens an epoch key sealed to the identity key, or null. */
  openSealed: (box: Buffer) => Buffer | null
}

/** A linked device to add under a member: that member's identity signature vouches for it. */
export interface NewDevice {
  writerKey: Buffer
  publicKey: Buffer
  /** The device's own Noise key. */
  device: Buffer
  name: string
  signature: Buffer
}

/** A member to add: their own signature vouches for the writer and (derived) number. */
export interface NewMember {
  writerKey: Buffer
  publicKey: Buffer
  name: string
  role: schema.Role
  signature: Buffer
}

export interface RoomOptions {
  /** The room's key; null creates a new room. */
  key: Buffer | null
  encryptionKey: Buffer
  /** Local Corestore namespace for this room's cores: each Autobase needs its own 'local' core. */
  namespace: Buffer
  self: Self
  scheme: NumberScheme
  log: Log
  /**
   * Our writer core here came from an archive (a snapshot): the old device may have written to it
   * since, and members hold that. Nothing is appended (no op, no ack) until a member has shown us
   * its copy's length and we hold it whole: appending to the shorter copy would fork the core at
   * every member. `caughtUp` is called once that is done.
   */
  catchUp?: { caughtUp: () => void } | null
}

const ACK_INTERVAL = 1000
const UPLOAD_POLL = 50
/** Most ops in one Autobase append. */
const MAX_BATCH = 64
/** How often due texts (disappearing or deleted) are cleared from local storage. */
const SWEEP_INTERVAL = 1000
/** How often a two-person room looks at what the other device holds (delivered marks). */
const DELIVERY_CHECK_INTERVAL = 1000
const WRITABLE_TIMEOUT = 15_000
/** How often a room catching up its writer core looks for a member holding it. */
const CATCH_UP_POLL = 100
/** Messages fetched at a time when completing a view that arrived by fast-forward. */
const KEEP_PAGE = 256
/** How long replication keeps serving a member we removed, for them to fetch the removal. */
export const HANDOFF_WAIT = 5000
/**
 * How long a close waits for the uses in flight (reads, appends, scans) before it closes the
 * view under them anyway: a read can wait on a block no connected peer has. Those then fail with CLOSED.
 */
const CLOSE_DRAIN = 5000

/** The hand-over of a removal to the member removed (see Room.handoff). */
export interface Handoff {
  /** The length of our writer core that holds the removal. */
  length: Promise<number>
  /** They hold it, or are not connected: this device may write again. */
  done(): void
}
/** How far back a read mark looks for the newest message someone else wrote. */
const READ_SCAN = 50
/** Announced ids remembered for de-duplication (live copies, reorders). */
const ANNOUNCED_MEMORY = 4096

/** What a room list shows of a room: kept while it rests, so listing rooms does not wake them all. */
export interface RoomGlance {
  info: RoomInfoRecord
  members: MemberRecord[]
  /** The newest message still there (the last may have disappeared or be unreadable), or null. */
  newest: MessageState | null
}

/** How far back a glance looks for a message still there when the newest is gone. */
const GLANCE_SEARCH = 50

export interface RoomEvents {
  message: [RoomMessage]
  sent: [{ id: string; text: string; time: number; replyTo: string }]
  'message-update': [MessageState]
  'room-update': []
  broken: [string]
  /** the set of active members changed (replication follows it) */
  members: []
  /** a resting room opened its Autobase again */
  awake: []
  /** our writer core, from an archive, is caught up with the members' copies: we may write */
  'caught-up': []
}

/**
 * One conversation: an encrypted Autobase whose view holds members, state and messages.
 *
 * Events: 'message' (RoomMessage) once per message that appears after the room opened;
 * 'sent' ({id, text, time, replyTo}) when this device sends one; 'message-update' (MessageState) when a
 * message is edited, deleted or reacted to; 'room-update' () when name, timer or members change;
 * 'broken' (reason) once, when its Autobase failed and the room stopped; 'members' () when the
 * set of active members changed (replication follows it).
 */
export class Room extends Resource<RoomEvents> {
  /** The room's Autobase; null while the room rests (see rest()). */
  private _base: Autobase<RoomView> | null
  /** Key, encryption key, discovery key and writer key: kept for while the room rests. */
  private _ids: { key: Buffer; encryptionKey: Buffer; discoveryKey: Buffer; writerKey: Buffer } | null = null
  /** What the sync getters answer while the room rests, as it was when it went to rest. */
  private _rested: { length: number; uploaded: boolean; writable: boolean; glance: RoomGlance | null } = { length: 0, uploaded: false, writable: false, glance: null }
  /** The close of a room going to rest, while it runs. */
  private _resting: Promise<void> | null = null
  /** The last glance and the view state it was read at (see _viewAt). */
  private _glanced: { at: string; glance: RoomGlance } | null = null
  /** Reorders seen (any view core truncated): a reorder can end at the same lengths with other content. */
  private _truncations = 0
  private _waking: Promise<void> | null = null
  /** Calls in progress that use the Autobase: a room never rests under one, and closes after them. */
  private _busy = 0
  /** Waiting for _busy to reach 0 (a close). */
  private _idleWaiters: Array<() => void> = []
  /** Waits that only a close ends early (for writable, for an update): called as it starts. */
  private readonly _onclosing = new Set<() => void>()
  /** The append loop, while it runs (a close lets it finish). */
  private _draining: Promise<void> | null = null
  private _usedAt = Date.now()
  /** Every core of this room (what replication may hand to its members, and to nobody else). */
  readonly cores: RoomCores
  private readonly _self: Self
  private readonly _log: Log
  private readonly _creating: boolean
  private _scanned = 0
  private _eventsScanned = 0
  private _members = new Map<string, MemberRecord>()
  private readonly _announced = new Set<string>()
  /** hex key of a member we removed -> the hand-over of that removal to them. */
  private readonly _handoffs = new Map<string, Handoff>()
  /** Linked devices, as of the last update. */
  private _devices: DeviceRecord[] = []
  /**
   * Device grants this device appended (grantId), so they are not appended twice before apply. The
   * id names the copy a grant came from: one made from an epoch op that lost a race is dropped by
   * apply, and the grant from the winning copy has another id.
   */
  private readonly _granted = new Set<string>()
  private _granting: Promise<void> | null = null
  private _regrant = false
  /** The epoch this device started a follow-up epoch in (after a device removal), until it applies. */
  private _rekeyedIn = -1
  private _scanning: Promise<void> | null = null
  private _rescan = false
  /** The room's namespace session of the profile's store (Autobase closes it: one per opening). */
  private _store: Corestore
  private readonly _root: Corestore
  private readonly _namespace: Buffer
  private readonly _markStore: Corestore
  private _sweeper: ReturnType<typeof setInterval> | null = null
  private _sweeping = false
  private _keeping = false
  private _fastForwarded = false
  private readonly _pending: Array<{ value: Buffer; resolve: () => void; reject: (err: Error) => void; holdAfter: Promise<void> | null }> = []
  private _broken: string | null = null
  private _directPeer: Buffer | null = null
  /** What the other person's device holds of ours, in a two-person room. */
  private _marks: DeliveryMarks | null = null
  private _marksTimer: ReturnType<typeof setInterval> | null = null
  /** Members' read marks, kept here (apply hands them over; the view has none). */
  private readonly _reads: ReadMarks
  /** Which message each reply answers, kept here (apply hands them over; the view has none). */
  private readonly _replies: ReplyLinks
  /** The read mark this device last appended (its op may not be applied yet). */
  private _readSent = 0
  private readonly _scheme: NumberScheme
  private readonly _applyContext: ApplyContext
  /** Set when a member wrote ops of a newer major protocol version, which this version skips. */
  newerVersion: ProtocolVersion | null = null
  /** Resolves once our writer core may be appended to (see RoomOptions.catchUp). */
  private _caughtUp: Promise<void> | null = null
  /** Members' connections that run the wakeup protocol (added again to each woken Autobase). */
  private readonly _wakeups = new Set<Protomux>()
  private _catchUpDone = true
  private _acker: ReturnType<typeof setInterval> | null = null

  constructor(store: Corestore, opts: RoomOptions) {
    super()
    this._self = opts.self
    this._log = opts.log
    this._creating = opts.key === null
    this._root = store
    this._namespace = opts.namespace
    this._store = roomStore(store, opts.namespace)
    this.cores = new RoomCores(this._store)
    // Beside the room's store, not in it: the room's cores are served to its members.
    this._markStore = store.namespace('room-marks/' + b4a.toString(opts.namespace, 'hex'))
    this._scheme = opts.scheme
    this._reads = new ReadMarks(this._markStore.get({ name: 'read-marks' }))
    this._replies = new ReplyLinks(this._markStore.get({ name: 'reply-links' }))
    // From the key, not base.discoveryKey: apply may run while the base is still opening.
    let discoveryKey: Buffer | null = null
    this._applyContext = {
      discoveryKey: () => (discoveryKey ??= crypto.discoveryKey(this.key)),
      scheme: opts.scheme,
      onnewer: (version) => {
        if (this.newerVersion !== null && version.major <= this.newerVersion.major) return
        this.newerVersion = version
        this._log(`room ${this.id.slice(0, 8)}: skipped ops of protocol ${formatVersion(version)}: update Peerline to read them`)
      },
      onread: (publicKey, id) => this._reads.note(publicKey, id),
      onreply: (id, replyTo) => this._replies.note(id, replyTo)
    }
    if (opts.catchUp) {
      const { caughtUp } = opts.catchUp
      this._catchUpDone = false
      this._caughtUp = new Promise<void>((resolve) => this.once('caught-up', resolve))
      void this._caughtUp.then(caughtUp)
    }
    this._base = this._makeBase(opts.key, opts.encryptionKey)
  }

  private _makeBase(key: Buffer | null, encryptionKey: Buffer): Autobase<RoomView> {
    const base = new Autobase<RoomView>(this._store, key, {
      open: openView,
      apply: (nodes, view, host) => applyOps(nodes, view, host, this._applyContext),
      close: closeView,
      valueEncoding: 'binary',
      encryptionKey,
      // Catching up, even an ack would fork our writer core: acks start once it is done.
      ackInterval: this._catchUpDone ? ACK_INTERVAL : 0
    })
    base.on('update', () => {
      this._usedAt = Date.now() // peer traffic keeps a room awake
      this._scan()
    })
    // A fast-forward brings only the last block of each view core; the rest stays on the peers
    // until read, and a history read then skips what no online peer can give. Fetch it now.
    base.on('fast-forward', () => {
      if (this.opened) this._keepLocalLater()
      else this._fastForwarded = true
    })
    // Autobase closes itself after an error in apply or update: the room stops here, the rest goes on.
    base.on('error', (err: Error) => this._fail(err))
    return base
  }

  /** The room's Autobase (not while it rests: the room's own methods wake it first). */
  get base(): Autobase<RoomView> {
    if (this._base === null) throw new Error('the room is resting: use its methods, which wake it')
    return this._base
  }

  /** True while the room rests: its Autobase and core sessions are closed until it is used. */
  get resting(): boolean {
    return this._base === null
  }

  /** When the room was last used: a call on it, a live copy, an update from a peer. */
  get usedAt(): number {
    return this._usedAt
  }

  /** The room id the Api uses: the Autobase key in z32. */
  get id(): string {
    return z32.encode(this.key)
  }

  get key(): Buffer {
    return this._ids?.key ?? opened(this.base.key)
  }

  get encryptionKey(): Buffer {
    return this._ids?.encryptionKey ?? opened(this.base.encryptionKey)
  }

  get discoveryKey(): Buffer {
    return this._ids?.discoveryKey ?? opened(this.base.discoveryKey)
  }

  get writerKey(): Buffer {
    return this._ids?.writerKey ?? opened(this.base.local?.key ?? null)
  }

  get writable(): boolean {
    return this._base === null ? this._rested.writable : this._base.writable
  }

  /** Why this room stopped working (its Autobase failed), or null while it works. */
  get broken(): string | null {
    return this._broken
  }

  protected async _open(): Promise<void> {
    await this.base.ready()
    const base = this.base
    this._ids = { key: opened(base.key), encryptionKey: opened(base.encryptionKey), discoveryKey: opened(base.discoveryKey), writerKey: opened(base.local?.key ?? null) }
    if (this._creating) {
      const signature = await signedBy(this._self, this._scheme, this.discoveryKey, this.writerKey)
      const { publicKey, name } = this._self
      await this._append({ type: schema.OP_MEMBER, writerKey: this.writerKey, publicKey, name, role: schema.ROLE_ADMIN, signature })
    }
    await this._refreshMembers()
    await this._reads.ready()
    await this._reads.refresh(this.base.view)
    await this._replies.ready()
    // Only messages that arrive from now on are news; the rest is history.
    this._scanned = this.base.view.messages.length
    this._eventsScanned = this.base.view.events.length
    await this._attach()
  }

  /** Runs Autobase's wakeup protocol on a member's connection, now and after every wake. */
  addWakeup(mux: Protomux): void {
    if (this._wakeups.has(mux)) return
    this._wakeups.add(mux)
    mux.stream.once('close', () => this._wakeups.delete(mux))
    if (this._base !== null) this._base.wakeupProtocol.addStream(mux.stream)
  }

  /** That connection is no longer a member's (its wakeup channel is closed by replication). */
  dropWakeup(mux: Protomux): void {
    this._wakeups.delete(mux)
  }

  /** Follows the open Autobase's view and starts the room's timers (at open, and on each wake). */
  private async _attach(): Promise<void> {
    for (const mux of this._wakeups) this.base.wakeupProtocol.addStream(mux.stream)
    this.base.view.events.on('truncate', (length: number) => {
      this._eventsScanned = Math.min(this._eventsScanned, length)
      this._truncations++
    })
    // A reorder truncates the messages core; what was past the cut is scanned again.
    this.base.view.messages.on('truncate', (length: number) => {
      this._scanned = Math.min(this._scanned, length)
      this._truncations++
    })
    this.base.view.meta.core.on('truncate', () => this._truncations++)
    // sweep() logs its own failures; a close between two ticks ends it with CLOSED.
    this._sweeper = setInterval(() => this.sweep().catch(() => {}), SWEEP_INTERVAL)
    this._sweeper.unref?.()
    if (this._fastForwarded) this._keepLocalLater()
    // Counted as a use: a room catching up neither rests nor closes under it (it stops on close).
    if (!this._catchUpDone) this._counted(() => this._catchUp()).catch((err: Error) => this._log(`room ${this.id.slice(0, 8)}: catching up our writer core: ${err.message}`))
    if (this.base.local !== null) {
      // Marks are kept for every room (a direct room is known as one only after it opens), but
      // looked at only in direct rooms (see _otherMember).
      this._marks = new DeliveryMarks(this.base.local as Hypercore<Buffer>, this._markStore.get({ name: 'delivered' }))
      await this._marks.ready()
      // The peer's bitfield has no event of its own: look once a second (a few peers, no I/O).
      this._marksTimer = setInterval(() => void this._checkDelivered(), DELIVERY_CHECK_INTERVAL)
      this._marksTimer.unref?.()
    }
  }

  /**
   * Closes the room's Autobase and core sessions until it is next used (any method wakes it), to
   * free what an idle room holds. Refused (false) while anything is in progress: a call, a queued
   * or running append, a scan, a sweep, a hand-over. Rooms decides when (nobody connected).
   */
  async rest(): Promise<boolean> {
    if (!this.opened || this.closing || this._base === null || !this._idle()) return false
    const base = this._base
    // The last glance is kept if the view has not moved since it (else the next list wakes it once).
    const glance = this._glanced !== null && this._glanced.at === this._viewAt(base.view) ? this._glanced.glance : null
    this._rested = { length: base.view.messages.length, uploaded: this.uploaded, writable: base.writable, glance }
    this._base = null
    this._resting = this._stopBase(base).finally(() => {
      this._resting = null
    })
    await this._resting
    return true
  }

  /**
   * Wakes a resting room (a member connected, or asked for one of its cores). Never rejects: a
   * failure is logged, and a room closing meanwhile stays closed.
   */
  async wake(): Promise<void> {
    if (this._base !== null || this.closing) return
    await this._use(async () => {}).catch((err: PeerlineError) => {
      if (err.code !== 'CLOSED') this._log(`room ${this.id}: wake failed: ${err.message}`)
    })
  }

  /**
   * Where the view stands: every message, member, name or timer change moves a length (a message
   * update adds an event; every op puts to the bee), and every reorder the truncation count, so
   * an equal value means an equal glance.
   */
  private _viewAt(view: RoomView): string {
    return `${this._truncations}/${view.messages.length}/${view.events.length}/${view.meta.version}`
  }

  private _idle(): boolean {
    return this._busy === 0 && this._pending.length === 0 && this._draining === null && this._scanning === null && !this._sweeping && !this._keeping && this._handoffs.size === 0 && this._broken === null && this._waking === null
  }

  private async _stopBase(base: Autobase<RoomView>): Promise<void> {
    this._stopTimers()
    // The closed marks keep their length: delivered() answers from it while the room rests.
    if (this._marks) await this._marks.close()
    await base.close()
    await this.cores.close()
  }

  /**
   * Runs `fn` with the room awake, and keeps it from resting or closing until `fn` ends. Once the
   * room is closing nothing new starts: CLOSED. `touch`: counts as use (the room's own timers do not).
   */
  private async _use<T>(fn: () => Promise<T>, touch = true): Promise<T> {
    if (this.closing) throw closedError()
    return this._counted(async () => {
      try {
        await this._awake(touch)
        return await fn()
      } catch (err) {
        // Only past CLOSE_DRAIN does a close cut a read off: say what happened, not hypercore's words.
        throw this.closing && !(err instanceof PeerlineError) ? closedError() : err
      } finally {
        if (touch) this._usedAt = Date.now()
      }
    })
  }

  /** Counts `fn` in flight: rest waits until nothing is, close until nothing is (or CLOSE_DRAIN). */
  private async _counted<T>(fn: () => Promise<T>): Promise<T> {
    this._busy++
    try {
      return await fn()
    } finally {
      if (--this._busy === 0) for (const resolve of this._idleWaiters.splice(0)) resolve()
    }
  }

  /** Resolves once no use, append or scan is in flight, or after CLOSE_DRAIN. */
  private async _settled(): Promise<void> {
    const end = Date.now() + CLOSE_DRAIN
    let timer: ReturnType<typeof setTimeout> | null = null
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_DRAIN)))
    try {
      while ((this._busy > 0 || this._scanning !== null || this._draining !== null) && Date.now() < end) {
        const idle = this._busy === 0 ? Promise.resolve() : new Promise<void>((resolve) => this._idleWaiters.push(resolve))
        await Promise.race([Promise.all([idle, this._scanning, this._draining]), late])
      }
    } finally {
      if (timer !== null) clearTimeout(timer)
    }
  }

  /** Registers `stop` to run when the room starts closing; returns what unregisters it. */
  private _untilClosing(stop: () => void): () => void {
    this._onclosing.add(stop)
    return () => this._onclosing.delete(stop)
  }

  private async _awake(touch: boolean): Promise<void> {
    if (touch) this._usedAt = Date.now()
    if (this._resting !== null) await this._resting.catch(() => {})
    if (this._base !== null) return
    this._waking ??= this._wake().finally(() => {
      this._waking = null
    })
    await this._waking
  }

  private async _wake(): Promise<void> {
    if (this.closing || this._ids === null) throw closedError()
    this._store = roomStore(this._root, this._namespace)
    this.cores.watch(this._store)
    const base = this._makeBase(this._ids.key, this._ids.encryptionKey)
    try {
      await base.ready()
      // A close that came while it opened waits for this use: it must find the room at rest.
      if (this.closing) throw closedError()
    } catch (err) {
      await base.close().catch(() => {})
      await this.cores.close()
      throw err
    }
    this._base = base
    // What landed while it rested is news: scanned from where it stopped.
    this._scanned = Math.min(this._scanned, base.view.messages.length)
    this._eventsScanned = Math.min(this._eventsScanned, base.view.events.length)
    await this._refreshMembers()
    await this._attach()
    this._scan()
    this.emit('awake')
  }

  /**
   * Fetches every message and edit block this device lacks (not deleted or expired ones), so
   * history reads the same when the members who have them go offline. Returns how many it went through.
   */
  async keepLocal(): Promise<number> {
    if (this._keeping || this.closing) return 0
    return this._use(() => this._keepLocal())
  }

  /** keepLocal in the background (after a fast-forward); a room closing meanwhile just stops. */
  private _keepLocalLater(): void {
    this.keepLocal().catch((err: PeerlineError) => {
      if (err.code !== 'CLOSED') this._log(`room ${this.id}: fetching history failed: ${err.message}`)
    })
  }

  private async _keepLocal(): Promise<number> {
    if (this._keeping || this.closing) return 0
    this._keeping = true
    try {
      const view = this.base.view
      let read = 0
      for (let from = view.messages.contiguousLength; from < view.messages.length && !this.closing; from += KEEP_PAGE) {
        // readMessages fetches what is not local (the edits too) and leaves out what is gone.
        read += (await readMessages(view, from, from + KEEP_PAGE)).length
      }
      return read
    } catch (err) {
      this._log(`room ${this.id}: fetching history failed: ${(err as Error).message}`)
      return 0
    } finally {
      this._keeping = false
    }
  }

  /**
   * Nothing new starts once closing (CLOSED); what is in flight ends first (waits for writable or
   * for an update end now, a removal's hand-over is let go), so no read meets a closing view.
   */
  protected async _close(): Promise<void> {
    for (const stop of [...this._onclosing]) stop()
    for (const handoff of this._handoffs.values()) handoff.done()
    const start = Date.now()
    await this._settled()
    if (Date.now() - start >= CLOSE_DRAIN) this._log(`room ${this.id}: closed with uses still in flight after ${CLOSE_DRAIN} ms (they end with CLOSED)`)
    if (this._resting !== null) await this._resting.catch(() => {})
    if (this._waking !== null) await this._waking.catch(() => {})
    this._stopTimers()
    // Main's order: the side stores, then the Autobase, then the sessions served on demand.
    if (this._marks) await this._marks.close()
    await this._reads.close()
    await this._replies.close()
    await this._markStore.close()
    if (this._base !== null) await this._base.close()
    await this.cores.close()
  }

  private _stopTimers(): void {
    if (this._sweeper) clearInterval(this._sweeper)
    if (this._acker) clearInterval(this._acker)
    if (this._marksTimer) clearInterval(this._marksTimer)
    this._sweeper = this._acker = this._marksTimer = null
  }

  /**
   * Clears from local storage the text of messages past their time or deleted: the view's block,
   * the op's block in its writer core, and every edit. Returns how many messages were cleared.
   * (A member could have copied the text before; this keeps it off this disk.) Readers never see
   * that text after its time either way: readMessages leaves it out; this is about the disk.
   *
   * Only what the indexers signed is cleared, found and cleared in the signed cores themselves
   * (see SignedView), so a reorder can neither move a message under a cleared seq nor cut the
   * view off from the blocks after it.
   *
   * A view's newest signed block waits until another follows it: when the indexers change,
   * Autobase hashes each view's tree at its signed length, and Hypercore's treeHash(length)
   * fetches block length - 1 if it is missing. With that block cleared everywhere, the migration
   * (and every apply and close after it) would wait forever for a peer to serve it.
   */
  async sweep(now = Date.now()): Promise<number> {
    if (this._sweeping || this.closing) return 0
    return this._use(() => this._sweep(now), false)
  }

  private async _sweep(now: number): Promise<number> {
    if (this._sweeping || this.closing) return 0
    this._sweeping = true
    let signed: SignedView | null = null
    try {
      const view = this.base.view
      // Most seconds nothing is due: say so without opening the signed cores.
      if ((await dueForClearing(view, now)).length === 0) return 0
      signed = await SignedView.open(this._store, view)
      let cleared = 0
      for (const t of await dueForClearing(signed, now)) {
        for (const e of t.edits) {
          if (isNewest(signed.edits, e.index)) continue
          if (!(await blockIsOp(signed.edits, e.index, e.writerKey, e.writerSeq, 'edit'))) continue
          await this._clearWriterBlock(e.writerKey, e.writerSeq)
          await signed.edits.clear(e.index, e.index + 1)
        }
        if (isNewest(signed.messages, t.seq)) continue
        if (!(await blockIsOp(signed.messages, t.seq, t.writerKey, t.writerSeq, 'message'))) continue
        await this._clearWriterBlock(t.writerKey, t.writerSeq)
        await signed.messages.clear(t.seq, t.seq + 1)
        cleared++
      }
      return cleared
    } catch (err) {
      this._log(`room ${this.id}: sweep failed: ${(err as Error).message}`)
      return 0
    } finally {
      if (signed !== null) await signed.close().catch(() => {})
      this._sweeping = false
    }
  }

  private async _clearWriterBlock(key: Buffer, seq: number): Promise<void> {
    const core = this._store.get({ key })
    try {
      await core.ready()
      await core.clear(seq, seq + 1)
    } finally {
      await core.close()
    }
  }

  /** Adds a person's device as a writer (and indexer, for admins), under their member signature. */
  async addMember(member: NewMember): Promise<void> {
    return this._use(async () => {
      const existing = await getMember(this.base.view, member.publicKey)
      if (existing && existing.state === schema.MEMBER_ACTIVE) return
      // Checked before it is written: apply would skip it on every member anyway, and counts such
      // records against their author (us), so a joiner's bad signature must never reach the log.
      const number = await this._scheme.derive(member.publicKey)
      if (!verifyMember(member.signature, member.publicKey, this.discoveryKey, member.writerKey, number)) {
        throw new PeerlineError('NOT_ALLOWED', 'That member signature does not verify: nobody was added.')
      }
      const ops: RoomOp[] = [{ type: schema.OP_MEMBER, ...member }]
      // After a removal, a joiner gets the current epoch's key with its record, in the same batch.
      const key = await this._epochKey().catch(() => null)
      const box = key === null ? null : sealKeyTo(member.publicKey, key.key)
      if (key !== null && box !== null) ops.push({ type: schema.OP_EPOCH_GRANT, epoch: key.epoch, publicKey: member.publicKey, box })
      await this._appendAll(ops)
    })
  }

  /**
   * Adds a linked device of a member as another writer under that person (checked first, as
   * addMember does: apply would skip a bad one everywhere and count it against us).
   */
  async addDevice(d: NewDevice): Promise<void> {
    const person = await getMember(this.base.view, d.publicKey)
    if (person === null || person.state !== schema.MEMBER_ACTIVE) throw PeerlineError.NOT_A_MEMBER()
    if (!verifyDeviceMember(d.signature, d.publicKey, this.discoveryKey, d.writerKey, person.number, d.device)) {
      throw new PeerlineError('NOT_ALLOWED', 'That device signature does not verify: no device was added.')
    }
    if ((await this.devices()).some((x) => b4a.equals(x.writerKey, d.writerKey))) return
    await this._waitWritable()
    // With its record, every epoch key its person holds that we hold too (the history its person
    // reads, as for a joiner), sealed to the device's own key: apply sees the record first.
    const ops: RoomOp[] = [{ type: schema.OP_DEVICE, ...d }]
    const view = this.base.view
    await this._openEpochKeys()
    for (const [epoch, key] of view.keys) {
      const held = await sealedEpochKey(view, epoch, d.publicKey)
      const grant = held === null ? null : this._grantOp(epoch, key, d, held)
      if (grant !== null) ops.push(grant)
    }
    await this._appendAll(ops)
  }

  /**
   * An epoch's key sealed to a linked device's own key, naming `held` (the copy its person holds,
   * which `key` came from or was sealed into), remembered as appended; null for a bad key.
   */
  private _grantOp(epoch: number, key: Buffer, d: { writerKey: Buffer; device: Buffer }, held: Buffer): schema.DeviceEpochGrantOp | null {
    const box = sealKeyTo(d.device, key)
    if (box === null) return null
    const grant: schema.DeviceEpochGrantOp = { type: schema.OP_DEVICE_EPOCH_GRANT, epoch, writerKey: d.writerKey, box, ref: sealedKeyRef(held) }
    this._granted.add(grantId(grant))
    return grant
  }

  /**
   * A new epoch's key for the active linked devices of the people who get it (`keys`), but not
   * `except` (the device being removed): appended right after the epoch, in its batch.
   */
  private async _grantsWith(epoch: number, key: Buffer, keys: schema.EpochKey[], except: Buffer | null): Promise<schema.DeviceEpochGrantOp[]> {
    const persons = new Map(keys.map((k) => [b4a.toString(k.publicKey, 'hex'), k.box]))
    const out: schema.DeviceEpochGrantOp[] = []
    for (const d of await listDevices(this.base.view)) {
      const held = persons.get(b4a.toString(d.publicKey, 'hex'))
      if (d.state !== schema.MEMBER_ACTIVE || held === undefined) continue
      if (except !== null && b4a.equals(d.writerKey, except)) continue
      const grant = this._grantOp(epoch, key, d, held)
      if (grant !== null) out.push(grant)
    }
    return out
  }

  /** Linked devices ever added here, with their state. */
  async devices(): Promise<DeviceRecord[]> {
    return listDevices(this.base.view)
  }

  /**
   * Removes a linked device. An admin also starts a new epoch in the same batch (its key sealed to
   * every remaining member's identity, which a device never holds), so the device reads nothing
   * written afterwards even if it got the cores.
   */
  async removeDevice(writerKey: Buffer): Promise<void> {
    await this._waitWritable()
    const target = (await this.devices()).find((d) => b4a.equals(d.writerKey, writerKey))
    if (target === undefined || target.state !== schema.MEMBER_ACTIVE) return
    const op: schema.RemoveDeviceOp = { type: schema.OP_REMOVE_DEVICE, writerKey }
    const me = await this.me()
    // No admin: an admin who applies the removal starts the epoch (see _rekeyAfterRemoval).
    if (me === null || me.role !== schema.ROLE_ADMIN) return this._append(op)
    await this._appendAll([op, ...(await this._nextEpoch(null, writerKey))])
    await this.base.update()
    await this._refreshMembers()
  }

  /**
   * The ops that start the next epoch: its key sealed to every active member but `member`, and
   * granted (in the same batch, after it) to their active linked devices but `device`.
   */
  private async _nextEpoch(member: Buffer | null, device: Buffer | null): Promise<RoomOp[]> {
    const view = this.base.view
    const key = newEpochKey()
    const keys: schema.EpochKey[] = []
    for (const m of await listMembers(view)) {
      if (m.state !== schema.MEMBER_ACTIVE || (member !== null && b4a.equals(m.publicKey, member))) continue
      const box = sealKeyTo(m.publicKey, key)
      if (box !== null) keys.push({ publicKey: m.publicKey, box })
    }
    const epoch = (await currentEpoch(view)) + 1
    return [{ type: schema.OP_EPOCH, epoch, keys }, ...(await this._grantsWith(epoch, key, keys, device))]
  }

  /** Active linked devices' Noise keys (hex), as of the last update. */
  get deviceKeys(): string[] {
    return this._devices.filter((d) => d.state === schema.MEMBER_ACTIVE).map((d) => b4a.toString(d.device, 'hex'))
  }

  /** True if this room removed that device of that person (its hello is refused). */
  revoked(publicKey: Buffer, device: Buffer): boolean {
    return this._devices.some((d) => d.state !== schema.MEMBER_ACTIVE && b4a.equals(d.device, device) && b4a.equals(d.publicKey, publicKey))
  }

  /** This device's member signature for this room (what a joiner hands the member who adds it). */
  async memberSignature(): Promise<Buffer> {
    return signedBy(this._self, this._scheme, this.discoveryKey, this.writerKey)
  }

  async members(): Promise<MemberRecord[]> {
    return this._use(async () => {
      return listMembers(this.base.view)
    })
  }

  /**
   * What is wrong with this room as a direct room with `peer`, as far as the view shows yet, or
   * null: a direct room has only its two people, and the other one created it.
   */
  async directProblem(peer: Buffer): Promise<string | null> {
    return this._use(async () => {
      const view = this.base.view
      const creator = await getCreator(view)
      // Only we can sign as us, so a room created by us is one we made for this contact.
      if (creator !== null && !b4a.equals(creator, peer) && !b4a.equals(creator, this._self.publicKey)) {
        return 'it was created by someone other than the requester'
      }
      const members = await listMembers(view)
      const others = members.filter((m) => !b4a.equals(m.publicKey, peer) && !b4a.equals(m.publicKey, this._self.publicKey))
      if (others.length > 0) return `it has someone other than the two people in it (${members.length} members so far)`
      return null
    })
  }

  /**
   * What a room list shows of this room. A resting room answers from what it kept at rest, unless
   * its newest message's time has passed since (then it wakes to find the one before).
   */
  async glance(now = Date.now()): Promise<RoomGlance> {
    if (this.closing) throw closedError()
    const kept = this._base === null ? this._rested.glance : null
    if (kept !== null && current(kept, now)) return kept
    return this._use(async () => {
      const view = this.base.view
      // Marks applied since the last scan count now, as for history (the scan finds them taken).
      if (await this._reads.refresh(view)) this.emit('room-update')
      const at = this._viewAt(view)
      const last = this._glanced
      if (last !== null && last.at === at && current(last.glance, now)) return last.glance
      const length = view.messages.length
      const [newest] = await readMessages(view, length - 1, length, now)
      const glance = {
        info: await getInfo(view),
        members: await listMembers(view),
        newest: newest ?? (length > 1 ? (await readMessages(view, length - GLANCE_SEARCH, length, now)).pop() ?? null : null)
      }
      if (this._viewAt(view) === at) this._glanced = { at, glance }
      return glance
    })
  }

  async info(): Promise<RoomInfoRecord> {
    return this._use(async () => {
      return getInfo(this.base.view)
    })
  }

  /** The member this device is, or null once removed or before being added. */
  async me(): Promise<MemberRecord | null> {
    return this._use(async () => {
      return getMember(this.base.view, this._self.publicKey)
    })
  }

  async invite(id: Buffer): Promise<InviteRecord | null> {
    return this._use(async () => {
      return getInvite(this.base.view, id)
    })
  }

  /** `replyTo`: the id of the message this one answers (the caller checked it is in this room). */
  async send(text: string, replyTo: string | null = null): Promise<{ id: string; time: number }> {
    return this._use(async () => {
      checkText(text)
      if (replyTo !== null && (replyTo.length === 0 || replyTo.length > MAX_REPLY_ID)) throw PeerlineError.BAD_REQUEST('replyTo is not a message id')
      await this._waitWritable()
      const id = b4a.toString(crypto.randomBytes(12), 'hex')
      const time = Date.now()
      // Online members get a live copy now, not after the durable op's append, replication and apply.
      this._remember(id)
      const key = await this._epochKey()
      this.emit('sent', { id, text, time, replyTo: replyTo ?? '' })
      // The live copy reaches the socket on the event loop's next turn; the durable append (hashing,
      // signing, storage, apply) would run first and hold it back (measured: 1.1-1.4 ms -> 0.4-0.6 ms).
      await nextTurn()
      const reply = replyTo === null ? {} : { replyTo }
      if (key === null) await this._append({ type: schema.OP_MESSAGE, id, text, time, ...reply })
      else await this._append({ type: schema.OP_SEALED_MESSAGE, id, text: { epoch: key.epoch, ...sealText(key.key, text) }, time, ...reply })
      return { id, time }
    })
  }

  /** Announces a file (members fetch its bytes over the file channel) as a message. */
  async sendFile(file: schema.FileRef): Promise<{ id: string; time: number }> {
    return this._use(async () => {
      await this._waitWritable()
      const id = b4a.toString(crypto.randomBytes(12), 'hex')
      const time = Date.now()
      await this._append({ type: schema.OP_FILE, id, file, time })
      return { id, time }
    })
  }

  /** Records how a call went, as a message in the conversation (only its caller does this). */
  async recordCall(call: schema.CallRecord): Promise<void> {
    return this._use(async () => {
      await this._waitWritable()
      await this._append({ type: schema.OP_CALL, id: b4a.toString(crypto.randomBytes(12), 'hex'), call, time: Date.now() })
    })
  }

  async fileMessage(fileKey: Buffer): Promise<MessageState | null> {
    return this._use(async () => {
      return messageWithFile(this.base.view, fileKey)
    })
  }

  /** Appends a state-changing op; the rules are checked by apply on every member. */
  async act(op: Exclude<RoomOp, schema.MessageOp | schema.AddMemberOp | schema.MemberOp | schema.FileOp | schema.CallOp>): Promise<void> {
    return this._use(async () => {
      if (op.type === schema.OP_EDIT) checkText(op.text)
      await this._waitWritable()
      if (op.type === schema.OP_EDIT) {
        const key = await this._epochKey()
        if (key !== null) return this._append({ type: schema.OP_SEALED_EDIT, id: op.id, text: { epoch: key.epoch, ...sealText(key.key, op.text) }, time: op.time })
      }
      if (op.type === schema.OP_REMOVE_MEMBER) return this._removeAndRekey(op)
      await this._append(op)
    })
  }

  /**
   * Removes a member and, in the same batch, starts a new epoch whose key is sealed to every
   * remaining member, so what is written from now on is unreadable to the one removed.
   */
  private async _removeAndRekey(op: schema.RemoveMemberOp): Promise<void> {
    const view = this.base.view
    const target = await getMember(view, op.publicKey)
    const me = await this.me()
    if (target === null || target.state !== schema.MEMBER_ACTIVE || me === null || me.role !== schema.ROLE_ADMIN) return this._append(op)
    const rekey = await this._nextEpoch(op.publicKey, null)
    // The removed member gets our writer core up to this removal, so their app learns of it, and
    // nothing after: this device writes nothing more until replication says they hold it (or 5 s).
    const who = b4a.toString(op.publicKey, 'hex')
    let handed = (_length: number): void => {}
    let release = (): void => {}
    const hold = new Promise<void>((resolve) => (release = resolve))
    const timer = setTimeout(() => release(), HANDOFF_WAIT)
    const length = new Promise<number>((resolve) => (handed = resolve))
    this._handoffs.set(who, { length, done: () => release() })
    void hold.then(() => {
      clearTimeout(timer)
      this._handoffs.delete(who)
    })
    try {
      await this._appendAll([op, ...rekey], hold)
    } finally {
      handed(this.base.local?.length ?? 0)
    }
    await this.base.update()
    await this._refreshMembers()
  }

  /** This device's writer core in the room (null until it writes). */
  get local(): Hypercore<unknown> | null {
    return this._base === null ? null : this._base.local
  }

  /**
   * For a member this device just removed: the length of our writer core that holds the removal
   * (replication serves them up to it, then stops), and `done` to call once they hold it; else null.
   */
  handoff(publicKey: string): Handoff | null {
    return this._handoffs.get(publicKey) ?? null
  }

  /** Members this device removed whose hand-over has not ended. */
  get handoffs(): string[] {
    return [...this._handoffs.keys()]
  }

  /** The current epoch's key, or null in epoch 0 (texts go as they are: the room key protects them). */
  private async _epochKey(): Promise<{ epoch: number; key: Buffer } | null> {
    const view = this.base.view
    const epoch = await currentEpoch(view)
    if (epoch === 0) return null
    if (!view.keys.has(epoch)) await this._refreshMembers()
    const key = view.keys.get(epoch)
    if (key === undefined) throw PeerlineError.NOT_WRITABLE('This conversation has a new key that no member has passed to you yet. Try again when they are online.')
    return { epoch, key }
  }

  /**
   * The last `limit` messages before seq `before` (default: all), oldest first, as they read at
   * `now` (past their time: left out).
   */
  async history(limit = 100, now = Date.now(), before = Infinity): Promise<MessageState[]> {
    return this._use(async () => {
      const end = Math.min(before, this.base.view.messages.length)
      // Marks applied since the last scan count now (the scan that follows finds them taken).
      if (await this._reads.refresh(this.base.view)) this.emit('room-update')
      return this._withReplies(await readMessages(this.base.view, end - limit, end, now), now)
    })
  }

  /** Fills in replyTo and the quote of each reply (the links are local: see ReplyLinks). Room awake. */
  private async _withReplies(messages: MessageState[], now = Date.now()): Promise<MessageState[]> {
    for (const m of messages) {
      m.replyTo = m.deleted ? '' : this._replies.replyTo(m.id)
      if (m.replyTo !== '') m.quote = await quoteFor(this.base.view, m.replyTo, now)
    }
    return messages
  }

  /** Notices (joins, removals, renames, timer changes) placed at message seqs `from <= at < to`. */
  async notices(from = 0, to = Infinity): Promise<NoticeState[]> {
    return this._use(async () => {
      return readNotices(this.base.view, from, Math.min(to, this.base.view.messages.length + 1))
    })
  }

  /**
   * The stored state of a message, or null. A message shown live (ours being appended, or a
   * peer's live copy) is on screen before its op is applied here, so someone can act on it at
   * once: for those ids this waits, up to `wait` ms, for the op to land. Read as at `now`.
   */
  async message(id: string, { wait = 0, now = Date.now() }: { wait?: number; now?: number } = {}): Promise<MessageState | null> {
    return this._use(async () => {
      const found = await messageById(this.base.view, id, now)
      if (found !== null || wait <= 0 || !this._announced.has(id)) return found
      const deadline = Date.now() + wait
      while (!this.closing && Date.now() < deadline) {
        await this._nextUpdate(deadline - Date.now())
        const m = await messageById(this.base.view, id, now)
        if (m !== null) return m
      }
      return null
    })
  }

  /** True if this device announced the message (stored, or a live copy still on its way). */
  shown(id: string): boolean {
    return this._announced.has(id)
  }

  /** Resolves on the view's next update, or after `ms`. */
  private _nextUpdate(ms: number): Promise<void> {
    const base = this.base
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        base.off('update', done)
        forget()
        resolve()
      }
      const timer = setTimeout(done, ms)
      const forget = this._untilClosing(done)
      base.on('update', done)
    })
  }

  /** True when some peer (a member or an always-on peer) holds everything this device wrote. */
  get uploaded(): boolean {
    if (this._base === null) return this._rested.uploaded
    const local = this._base.local
    return local !== null && local.remoteContiguousLength >= local.length
  }

  /**
   * Resolves once some peer holds everything this device wrote, or after `ms` (offline: nobody
   * to hand it to). Leaving waits on this: our cores stop going to anyone once the room closes.
   */
  async waitUploaded(ms: number): Promise<boolean> {
    return this._use(async () => {
      const end = Date.now() + ms
      while (!this.uploaded && Date.now() < end && !this.closing) await new Promise((resolve) => setTimeout(resolve, UPLOAD_POLL))
      return this.uploaded
    })
  }

  /** Brings the view up to date with what the writers hold (Autobase update). */
  async update(): Promise<void> {
    return this._use(() => this.base.update())
  }

  get length(): number {
    return this._base === null ? this._rested.length : this._base.view.messages.length
  }

  /**
   * True if the peer (hex identity key) may have this room's cores: an active member, or the other
   * person of a direct room (whom we sent its keys, and who fetches it before being added). Before we
   * know any member (just joined by key, nothing fetched yet) any authenticated peer may, since we
   * hold nothing of the room to give and need a member to fetch it from.
   */
  allows(publicKey: string): boolean {
    // The other person of a direct room holds its keys from our request: they fetch it from us.
    if (this._directPeer !== null && b4a.toString(this._directPeer, 'hex') === publicKey) return true
    if (this._members.size === 0) return !this._creating
    const member = this._members.get(publicKey)
    return member !== undefined && member.state === schema.MEMBER_ACTIVE
  }

  /**
   * For a two-person room: how many of this device's ops the other person's device holds
   * (DeliveryMarks); 0 in other rooms or before it is known.
   */
  delivered(): number {
    const others = this._othersForMarks()
    if (others.length === 0 || this._marks === null) return 0
    return Math.min(...others.map((m) => this._marks?.lengthOf(m.publicKey) ?? 0))
  }

  /**
   * True when this device wrote `m` and every other active member's device holds it (a group's
   * mark waits for the last one); null if not ours or nobody else is in the room.
   */
  isDelivered(m: MessageState): boolean | null {
    // The writer key is kept while the room rests: this answers without waking it.
    const key = this._ids?.writerKey ?? null
    if (key === null || !b4a.equals(m.writerKey, key) || this._othersForMarks().length === 0) return null
    return m.writerSeq < this.delivered() || this.isRead(m) === true
  }

  /** How many messages (seqs 0..n-1) every other active member has read; 0 when nobody else is here. */
  readByAll(): number {
    const self = b4a.toString(this._self.publicKey, 'hex')
    const others = this.memberKeys.filter((k) => k !== self)
    if (others.length === 0) return 0
    return Math.min(...others.map((k) => this._reads.countOf(k)))
  }

  /** True when this device's member wrote `m` and every other active member has read it; null for others' messages. */
  isRead(m: MessageState): boolean | null {
    if (!b4a.equals(m.publicKey, this._self.publicKey)) return null
    return m.seq < this.readByAll()
  }

  /**
   * Appends this member's read mark (OP_READ) up to the newest message someone else wrote, if it
   * moved: the read receipt. True if one was appended.
   */
  async sendReadMark(now = Date.now()): Promise<boolean> {
    if (this.closing) return false
    return this._use(() => this._sendReadMark(now))
  }

  private async _sendReadMark(now: number): Promise<boolean> {
    if (!this.base.writable || this.closing) return false
    const view = this.base.view
    const mine = Math.max(this._reads.countOf(b4a.toString(this._self.publicKey, 'hex')), this._readSent)
    const length = view.messages.length
    const recent = await readMessages(view, Math.max(mine, length - READ_SCAN), length, now)
    const newest = recent.reverse().find((m) => !b4a.equals(m.publicKey, this._self.publicKey))
    if (newest === undefined || newest.seq + 1 <= mine) return false
    await this._checkDirect()
    this._readSent = newest.seq + 1
    await this._append({ type: schema.OP_READ, id: newest.id })
    return true
  }

  /** Each other member's marks on `m`, a message this device wrote (see isDelivered, isRead). */
  marksOn(m: MessageState): Array<{ member: MemberRecord; delivered: boolean; read: boolean }> {
    // Written from another of this person's devices: that device's core, whose marks are not kept here.
    const local = this._ids?.writerKey ?? null
    const here = local !== null && b4a.equals(m.writerKey, local)
    return this._othersForMarks().map((member) => {
      const read = this._reads.countOf(b4a.toString(member.publicKey, 'hex')) > m.seq
      const delivered = read || (here && m.writerSeq < (this._marks?.lengthOf(member.publicKey) ?? 0))
      return { member, delivered, read }
    })
  }

  /** What a reply to `id` shows, from this room's view. */
  async quote(id: string): Promise<ReplyQuote> {
    return this._use(async () => replyQuote(await quoteFor(this.base.view, id), (key) => this._nameOf(key)))
  }

  private _nameOf(publicKey: Buffer): string {
    return this._members.get(b4a.toString(publicKey, 'hex'))?.name ?? ''
  }

  /** Whose devices the delivered marks follow: the other person of a direct room, or every other active member of a group. */
  private _othersForMarks(): MemberRecord[] {
    if (this._directPeer !== null) {
      const other = this._otherMember()
      return other === null ? [] : [other]
    }
    return [...this._members.values()].filter((m) => m.state === schema.MEMBER_ACTIVE && !b4a.equals(m.publicKey, this._self.publicKey))
  }

  /** The other person of a direct room (held by guardDirect), while both are in it; else null. */
  private _otherMember(): MemberRecord | null {
    if (this._directPeer === null) return null
    const active = [...this._members.values()].filter((m) => m.state === schema.MEMBER_ACTIVE)
    if (active.length !== 2) return null
    const other = active.find((m) => !b4a.equals(m.publicKey, this._self.publicKey)) ?? null
    return other !== null && b4a.equals(other.publicKey, this._directPeer) ? other : null
  }

  private async _checkDelivered(): Promise<void> {
    const others = this._othersForMarks()
    if (others.length === 0 || this._marks === null || this.closing || this._base === null) return
    return this._counted(() => this._checkMarks(others))
  }

  private async _checkMarks(others: MemberRecord[]): Promise<void> {
    if (this._marks === null) return
    try {
      if (await this._marks.check(others.map((m) => m.publicKey))) this.emit('room-update')
    } catch (err) {
      this._log(`room ${this.id}: delivery marks: ${(err as Error).message}`)
    }
  }

  /** Members by hex public key, as of the last update. */
  get memberKeys(): string[] {
    return [...this._members.values()].filter((m) => m.state === schema.MEMBER_ACTIVE).map((m) => b4a.toString(m.publicKey, 'hex'))
  }

  /**
   * A live copy of a message from a peer on an authenticated connection. Shown at once if the
   * peer is a member; the durable op that follows is then not announced twice.
   */
  acceptLive(publicKey: Buffer, msg: { id: string; text: string; time: number; replyTo?: string }): boolean {
    const member = this._members.get(b4a.toString(publicKey, 'hex'))
    if (member === undefined || member.state !== schema.MEMBER_ACTIVE || this._announced.has(msg.id)) return false
    this._usedAt = Date.now()
    if (msg.text.length === 0 || msg.text.length > schema.MAX_TEXT_LENGTH || msg.id.length === 0 || msg.id.length > 64) return false
    this._remember(msg.id)
    const news: RoomMessage = { room: this.id, id: msg.id, from: member.number, text: msg.text, time: msg.time, file: null, call: null, replyTo: null, quote: null }
    // A peer's reply id names anything: it is cut to an id's length and looked up in this room only.
    const replyTo = (msg.replyTo ?? '').slice(0, MAX_REPLY_ID)
    if (replyTo === '') this.emit('message', news)
    else {
      this.quote(replyTo).then(
        (quote) => this.emit('message', { ...news, replyTo, quote }),
        (err: Error) => this._log(`room ${this.id}: quote of a live reply: ${err.message}`)
      )
    }
    return true
  }

  /**
   * Appends an op. Ops that arrive while an append is in flight go together in the next one (one
   * Autobase batch, one write), so a burst costs a few appends instead of one each.
   */
  private _append(op: RoomOp): Promise<void> {
    return this._appendAll([op])
  }

  /** Ops that must land in one batch (a record and the key that goes with it) are queued together. */
  private async _appendAll(ops: RoomOp[], holdAfter: Promise<void> | null = null): Promise<void> {
    const done = ops.map(
      (op, i) =>
        new Promise<void>((resolve, reject) => {
          this._pending.push({ value: c.encode(schema.roomOp, op), resolve, reject, holdAfter: i === ops.length - 1 ? holdAfter : null })
        })
    )
    if (this._draining === null) this._draining = this._drain()
    await Promise.all(done)
  }

  /** Appends what is queued until nothing is; `_draining` is cleared in the same turn as the last check. */
  private async _drain(): Promise<void> {
    await null // _draining is set first
    try {
      while (this._pending.length > 0) {
        // A batch ends at an op that holds what follows (a removal being handed over).
        const stop = this._pending.findIndex((b) => b.holdAfter !== null)
        const batch = this._pending.splice(0, stop === -1 ? MAX_BATCH : Math.min(MAX_BATCH, stop + 1))
        try {
          await this._ownWriterReady()
          await this.base.append(batch.map((b) => b.value))
          for (const b of batch) b.resolve()
        } catch (err) {
          for (const b of batch) b.reject(err as Error)
        }
        for (const b of batch) if (b.holdAfter !== null) await b.holdAfter
      }
    } finally {
      this._draining = null
    }
  }

  /**
   * After an import: takes our own writer core from the first member who holds it, to the newest
   * length they have, whole (see RoomOptions.catchUp). Then this device may write here.
   */
  private async _catchUp(): Promise<void> {
    const local = this.base.local
    if (local === null) return this._caughtUpNow()
    const download = local.download({ start: 0, end: -1 })
    try {
      while (local.peers.length === 0) {
        if (this.closing) return
        await sleep(CATCH_UP_POLL)
      }
      await local.update({ wait: true, force: true })
      while (local.contiguousLength < local.length) {
        if (this.closing) return
        await sleep(CATCH_UP_POLL)
      }
      // Autobase must take in the nodes that came by replication before we append after them:
      // its writer numbers a new node from the nodes it holds, not from the core's length.
      while (this.base.localWriter !== null && this.base.localWriter.length < local.length) {
        if (this.closing) return
        await this.base.update()
        await sleep(CATCH_UP_POLL)
      }
    } catch (err) {
      if (!this.closing) this._log(`room ${this.id.slice(0, 8)}: catching up our writer core: ${(err as Error).message}`)
      return
    } finally {
      download.destroy()
    }
    this._log(`room ${this.id.slice(0, 8)}: our writer core is caught up at length ${local.length}`)
    this._caughtUpNow()
  }

  private _caughtUpNow(): void {
    if (this.closing) return
    this._catchUpDone = true
    // Autobase's own ack timer was off (ackInterval 0): ack on the same beat from now on.
    // A room that rests stops this; the Autobase a wake opens acks by itself (see _makeBase).
    this._acker = setInterval(() => void this._base?.ack().catch(() => {}), ACK_INTERVAL)
    this._acker.unref?.()
    this.emit('caught-up')
  }

  private async _ownWriterReady(): Promise<void> {
    if (this._catchUpDone || this._caughtUp === null) return
    let timer: ReturnType<typeof setTimeout> | null = null
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(
            PeerlineError.NOT_WRITABLE(
              'This device was set up from a backup. Before it writes here it must see where your old device stopped, from a member of this conversation: it will as soon as one is online. Nothing was sent.'
            )
          ),
        WRITABLE_TIMEOUT
      )
    })
    try {
      await Promise.race([this._caughtUp, late])
    } finally {
      if (timer !== null) clearTimeout(timer)
    }
  }

  /** Marks this room as a direct room with `peer`: nothing is written to it while it breaks that. */
  holdDirect(peer: Buffer): void {
    this._directPeer = peer
    this.emit('members')
  }

  private async _waitWritable(): Promise<void> {
    await this._checkDirect()
    if (this.base.writable) return
    const me = await this.me()
    if (me && me.state !== schema.MEMBER_ACTIVE) {
      throw PeerlineError.NOT_WRITABLE('You are no longer a member of this room.')
    }
    // Just after joining, the member who let us in still has to add us as a writer.
    const base = this.base
    await new Promise<void>((resolve, reject) => {
      const end = (err: Error | null): void => {
        clearTimeout(timer)
        base.off('writable', onwritable)
        forget()
        if (err === null) resolve()
        else reject(err)
      }
      const timer = setTimeout(() => end(PeerlineError.NOT_WRITABLE('This conversation is not open for you yet: nobody has confirmed you. Try again when they are online.')), WRITABLE_TIMEOUT)
      const onwritable = (): void => end(null)
      const forget = this._untilClosing(() => end(closedError()))
      base.once('writable', onwritable)
    })
    await this._checkDirect() // what made us writable may have shown who else is in it
  }

  private async _checkDirect(): Promise<void> {
    const problem = this._directPeer === null ? null : await this.directProblem(this._directPeer)
    if (problem !== null) throw PeerlineError.NOT_ALLOWED(`This is not a direct conversation: ${problem}.`)
  }

  private _fail(err: Error): void {
    if (this._broken !== null) return
    this._broken = err.message || String(err)
    this.emit('broken', this._broken)
  }

  private async _refreshMembers(): Promise<void> {
    const view = this.base.view
    const members = new Map<string, MemberRecord>()
    for (const m of await listMembers(view)) {
      members.set(b4a.toString(m.publicKey, 'hex'), m)
      this.cores.know(m.writerKey)
    }
    const devices = await listDevices(view)
    for (const d of devices) this.cores.know(d.writerKey)
    this._devices = devices
    const before = this.memberKeys.join()
    this._members = members
    if (this.memberKeys.join() !== before) this.emit('members')
    await this._openEpochKeys()
    if (this._base !== null && this._base.writable) this._keyUpkeep()
  }

  /**
   * Opens the epoch keys sealed to us that we do not hold yet: the copy sealed to our person's
   * identity, or, on a linked device (no identity secret), a copy granted to this device's own key.
   */
  private async _openEpochKeys(): Promise<void> {
    const view = this.base.view
    const current = await currentEpoch(view)
    for (let epoch = 1; epoch <= current; epoch++) {
      if (view.keys.has(epoch)) continue
      const box = await sealedEpochKey(view, epoch, this._self.publicKey)
      let key = box === null ? null : this._self.openSealed(box)
      if (key === null && this._ids?.writerKey) {
        for (const grant of await deviceGrants(view, epoch, this._ids.writerKey)) {
          key = this._self.openSealed(grant.box)
          if (key !== null) break
        }
      }
      if (key !== null) view.keys.set(epoch, key)
    }
  }

  /**
   * What the person's own device (its member writer) owes the room's keys after an update, in the
   * background: a new epoch after a device removal that started none (an admin's), then every
   * epoch key it holds to each of its person's active linked devices that has none from us yet.
   * The latter covers a device whose record was applied after an epoch began elsewhere (a
   * concurrent epoch, a member's removal by an admin who did not see it). Apply drops repeats.
   */
  private _keyUpkeep(): void {
    // Most rooms never had a linked device: nothing to look at.
    if (this._base === null || this._devices.length === 0) return
    if (this._granting !== null) {
      this._regrant = true
      return
    }
    this._granting = this._use(async () => {
      await this._rekeyAfterRemoval()
      await this._grantMissingOnce()
    }, false)
      .catch((err: Error) => this._log(`room ${this.id}: device grants failed: ${err.message}`))
      .finally(() => {
        this._granting = null
        if (this._regrant && !this.closing) {
          this._regrant = false
          this._keyUpkeep()
        }
      })
  }

  /**
   * A device removed by its own person who is no admin here started no epoch (OP_EPOCH is for
   * admins), so it would keep opening what is written in the current one (it was granted its
   * key). The person's device of an admin that applies such a removal starts the next epoch.
   * Several admins may at once: apply takes the first, and the others' grants name copies the
   * view does not hold, so they are dropped (see OP_DEVICE_EPOCH_GRANT's ref).
   */
  private async _rekeyAfterRemoval(): Promise<void> {
    const view = this.base.view
    const me = await getMember(view, this._self.publicKey)
    if (me === null || me.state !== schema.MEMBER_ACTIVE || me.role !== schema.ROLE_ADMIN || !b4a.equals(me.writerKey, this.writerKey)) return
    const epoch = await currentEpoch(view)
    if (this._rekeyedIn === epoch || !(await removedThisEpoch(view))) return
    this._rekeyedIn = epoch
    try {
      await this._appendAll(await this._nextEpoch(null, null))
    } catch (err) {
      this._rekeyedIn = -1
      throw err
    }
  }

  private async _grantMissingOnce(): Promise<void> {
    const view = this.base.view
    if (view.keys.size === 0) return
    const me = await getMember(view, this._self.publicKey)
    if (me === null || me.state !== schema.MEMBER_ACTIVE || !b4a.equals(me.writerKey, this.writerKey)) return
    // The keys first, then the devices: a key is opened only once the view shows its epoch, and an
    // epoch that removed a device comes in the batch after the removal, so no device removed by
    // then is seen as active here (apply would drop such a grant anyway).
    const keys = [...view.keys]
    const ops: schema.DeviceEpochGrantOp[] = []
    for (const d of await listDevices(view)) {
      if (d.state !== schema.MEMBER_ACTIVE || !b4a.equals(d.publicKey, this._self.publicKey)) continue
      for (const [epoch, key] of keys) {
        const held = await sealedEpochKey(view, epoch, this._self.publicKey)
        if (held === null || this._granted.has(grantId({ epoch, writerKey: d.writerKey, ref: sealedKeyRef(held) }))) continue
        // Ours in the view passed apply, so it names the copy the view holds.
        if ((await deviceGrants(view, epoch, d.writerKey)).some((g) => b4a.equals(g.by, this._self.publicKey))) continue
        const grant = this._grantOp(epoch, key, d, held)
        if (grant !== null) ops.push(grant)
      }
    }
    if (ops.length === 0) return
    try {
      await this._appendAll(ops)
    } catch (err) {
      for (const op of ops) this._granted.delete(grantId(op))
      throw err
    }
  }

  private _scan(): void {
    if (this._scanning) {
      this._rescan = true
      return
    }
    this._scanning = this._scanOnce()
      .catch((err: Error) => this._log(`room ${this.id}: scan failed: ${err.message}`))
      .finally(() => {
        this._scanning = null
        if (this._rescan) {
          this._rescan = false
          this._scan()
        }
      })
  }

  private async _scanOnce(): Promise<void> {
    // A wake scans once it is open (an update can come while its Autobase opens).
    if (this.closing || this._base === null) return
    const view = this.base.view
    const length = view.messages.length
    // A key that came in this update (an epoch, a grant) opens the messages that came with it.
    if (view.events.length > this._eventsScanned) await this._openEpochKeys()
    // Most news was announced already (our own sends, live copies): those need no full read.
    const local = await localMessages(view, this._scanned, length)
    let first = length
    let last = -1
    for (let seq = this._scanned; seq < length; seq++) {
      const m = local.get(seq)
      if (m !== undefined && this._announced.has(m.id)) continue
      first = Math.min(first, seq)
      last = seq
    }
    // What apply handed over (reply links, read marks) is saved and checked against the view first.
    await this._replies.flush()
    const readMoved = await this._reads.refresh(view)
    const news = last < 0 ? [] : await this._withReplies(await readMessages(view, first, last + 1, Date.now(), local))
    for (const m of news) {
      if (this._announced.has(m.id) || m.deleted) continue
      this._remember(m.id)
      const quote = m.quote === null ? null : replyQuote(m.quote, (key) => this._nameOf(key))
      this.emit('message', { room: this.id, id: m.id, from: m.from, text: m.text, time: m.time, file: m.file ? fileInfo(m.file) : null, call: m.call ? callInfo(m.call) : null, replyTo: m.replyTo || null, quote })
    }
    // Stored messages change unread counts and the newest message, even when a live copy was
    // announced before: tell the room's listeners once per scan.
    const stored = length > this._scanned
    this._scanned = Math.max(this._scanned, length)
    await this._scanState(view, stored || readMoved)
  }

  /** Follows the view's event log: room changes (members, name, timer) and message updates. */
  private async _scanState(view: RoomView, stored: boolean): Promise<void> {
    const length = view.events.length
    if (length <= this._eventsScanned) {
      if (stored) this.emit('room-update')
      return
    }
    const blocks = await Promise.all(
      Array.from({ length: length - this._eventsScanned }, (_, i) => view.events.get(this._eventsScanned + i, { wait: false }))
    )
    this._eventsScanned = length
    let roomChanged = false
    const touched = new Set<number>()
    for (const block of blocks) {
      if (block === null) continue
      const event = c.decode(c.uint, block)
      if (event === EVENT_ROOM) roomChanged = true
      else touched.add(event - 1)
    }
    if (roomChanged) await this._refreshMembers()
    if (roomChanged || stored) this.emit('room-update')
    for (const seq of touched) {
      const state = await messageAt(view, seq)
      if (state) this.emit('message-update', (await this._withReplies([state]))[0])
    }
  }

  private _remember(id: string): void {
    this._announced.add(id)
    if (this._announced.size > ANNOUNCED_MEMORY) this._announced.delete(this._announced.values().next().value as string)
  }
}

/** True while a glance still shows what the view shows: its newest message has not disappeared. */
function current(glance: RoomGlance, now: number): boolean {
  const expires = glance.newest?.expires ?? 0
  return expires === 0 || expires > now
}

/** Which grant: the epoch, the device's writer and the copy it came from. */
function grantId(g: { epoch: number; writerKey: Buffer; ref: Buffer }): string {
  return g.epoch + '/' + b4a.toString(g.writerKey, 'hex') + '/' + b4a.toString(g.ref, 'hex')
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0))
}

function checkText(text: string): void {
  if (typeof text !== 'string' || text.length === 0) throw PeerlineError.BAD_REQUEST('text must be a non-empty string')
  if (text.length > schema.MAX_TEXT_LENGTH) throw PeerlineError.BAD_REQUEST(`text is over ${schema.MAX_TEXT_LENGTH} characters`)
}

/** A use of a room that is closing or closed (left, dropped, or the profile shutting down). */
function closedError(): PeerlineError {
  return PeerlineError.CLOSED('This conversation was closed.')
}

function opened(key: Buffer | null): Buffer {
  if (key === null) throw new Error('the room is not open yet')
  return key
}

/** `self`'s signature for being in the room with this discovery key on this writer. */
/** The identity's signature putting its linked device (writer `writerKey`, Noise key `device`) in a room. */
export async function deviceSignedBy(self: Self, scheme: NumberScheme, discoveryKey: Buffer, writerKey: Buffer, device: Buffer): Promise<Buffer> {
  return self.sign(deviceMemberSignable(discoveryKey, writerKey, await scheme.derive(self.publicKey), device))
}

export async function signedBy(self: Self, scheme: NumberScheme, discoveryKey: Buffer, writerKey: Buffer): Promise<Buffer> {
  return self.sign(memberSignable(discoveryKey, writerKey, await scheme.derive(self.publicKey)))
}

export function roomStore(store: Corestore, namespace: Buffer): Corestore {
  return store.namespace('room/' + b4a.toString(namespace, 'hex'))
}

/** The last block of a signed core: see Room.sweep for why it is never cleared. */
function isNewest(core: Hypercore<Buffer>, index: number): boolean {
  return index >= core.length - 1
}

