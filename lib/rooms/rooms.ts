import type Corestore from 'corestore'
import b4a from 'b4a'
import crypto from 'hypercore-crypto'
import type Protomux from 'protomux'
import z32 from 'z32'
import { PeerlineError } from '../errors'
import type { Log } from '../log'
import * as schema from '../wire/schemas'
import type { LiveMessage, RoomKind } from '../wire/schemas'
import { LiveChannel } from './live-channel'
import { RoomReplication } from './room-replication'
import { Room } from './room'
import type { RoomMessage } from '../contract'
import type { Self } from './room'
import type { MessageState } from './room-view'
import type { RoomList } from './room-list'
import type { NumberScheme } from '../identity/number-scheme'
import { signedBy } from './room'
import { Resource } from '../resource'
import type { WriterCatchUp } from './writer-catch-up'

/** How long leaving waits for a member to take our leave op (when one is connected). */
const LEAVE_UPLOAD_WAIT = 5000

export interface RoomsOptions {
  store: Corestore
  list: RoomList
  self: () => Self
  scheme: NumberScheme
  log: Log
  /**
   * A room nobody used for this long (ms) and no member of which is connected rests: its Autobase
   * and core sessions close until it is used again or a member connects. 0 (default): never.
   */
  restAfter?: number
  /** Asked before a room rests; false keeps every room awake (always-on peers mirror open rooms). */
  mayRest?: () => boolean
  /** After an import: which rooms must catch up their writer core before writing. */
  catchUp?: WriterCatchUp | null
}

/** How often idle rooms are looked for, at most (a fraction of restAfter when that is shorter). */
const REST_CHECK = 30_000

/** What Rooms emits: a room opened or left, and every room's news with the room's id. */
export interface RoomsEvents {
  joined: [Room, RoomKind]
  left: [Room]
  'room-update': [string]
  message: [RoomMessage]
  'message-update': [string, MessageState]
}

/**
 * The rooms of a profile: opens every room it is in at start, creates and joins rooms, and routes
 * live copies. Events: 'message' (RoomMessage), 'message-update' (room id, MessageState),
 * 'room-update' (room id), 'joined' (Room, RoomKind) and 'left' (Room).
 */
export class Rooms extends Resource<RoomsEvents> {
  private readonly _o: RoomsOptions
  private readonly _rooms = new Map<string, Promise<Room>>()
  /** Rooms whose ready() finished, for synchronous lookups on the live path. */
  private readonly _opened = new Map<string, Room>()
  /** Live channels by person: one per connection, so each of a person's devices gets its copy. */
  private readonly _live = new Map<string, Set<LiveChannel>>()
  /** Rooms that failed (at open, or their Autobase later), by id: the reason. */
  private readonly _broken = new Map<string, string>()
  private readonly _replication: RoomReplication
  private _restTimer: ReturnType<typeof setInterval> | null = null

  constructor(opts: RoomsOptions) {
    super()
    this._o = opts
    this._replication = new RoomReplication({ log: opts.log })
  }

  protected async _open(): Promise<void> {
    await this._o.list.ready()
    for (const e of this._o.list.all()) {
      if (e.left) continue
      let room: Room
      try {
        room = await this._openRoom(e.key, e.encryptionKey, e.namespace, this._o.catchUp?.needs(e.id) === true)
      } catch (err) {
        // One room that does not open must not keep the profile from opening.
        this._markBroken(e.id, err as Error)
        continue
      }
      this.emit('joined', room, e.kind)
    }
    const after = this._o.restAfter ?? 0
    if (after > 0) {
      this._restTimer = setInterval(() => this._restIdle(after), Math.max(100, Math.min(REST_CHECK, after / 2)))
      this._restTimer.unref?.()
    }
  }

  protected async _close(): Promise<void> {
    if (this._restTimer) clearInterval(this._restTimer)
    const rooms = await Promise.allSettled(this._rooms.values())
    for (const r of rooms) if (r.status === 'fulfilled') await r.value.close()
    await this._o.list.close()
  }

  idOf(key: Buffer): string {
    return z32.encode(key)
  }

  /** A new room with a fresh encryption key; this device is its first writer and admin. */
  async create(kind: RoomKind, name = ''): Promise<Room> {
    const namespace = crypto.randomBytes(32)
    const room = new Room(this._o.store, { key: null, encryptionKey: crypto.randomBytes(32), namespace, self: this._o.self(), scheme: this._o.scheme, log: this._o.log })
    await room.ready()
    this._track(room)
    if (name) await room.act({ type: schema.OP_RENAME, name })
    this._o.catchUp?.done(room.id)
    await this._o.list.put(room.id, { key: room.key, encryptionKey: room.encryptionKey, namespace, kind, read: 0, left: false })
    this.emit('joined', room, kind)
    return room
  }

  /**
   * Opens (or returns the already open) room with this key, and remembers it. `namespace` is the
   * one a joiner chose before it knew the key (its writer key was sent with the join request).
   */
  async join(key: Buffer, encryptionKey: Buffer, kind: RoomKind, namespace?: Buffer): Promise<Room> {
    const id = this.idOf(key)
    if (this._broken.has(id)) throw PeerlineError.NO_SUCH_ROOM(`That conversation is broken: ${this._broken.get(id)}`)
    const known = this._o.list.get(id)
    const ns = known?.namespace ?? namespace ?? crypto.randomBytes(32)
    const room = await this._openRoom(key, encryptionKey, ns)
    const entry = this._o.list.get(room.id)
    if (entry === null || entry.left) {
      // A writer made on this device has nothing to catch up (a known namespace may be archived).
      if (known === null) this._o.catchUp?.done(room.id)
      await this._o.list.put(room.id, { key, encryptionKey, namespace: ns, kind, read: 0, left: false })
      this.emit('joined', room, kind)
    }
    return room
  }

  /** This person's member signature for a room (by discovery key) on one of our writer keys. */
  async memberSignature(discoveryKey: Buffer, writerKey: Buffer): Promise<Buffer> {
    return signedBy(this._o.self(), this._o.scheme, discoveryKey, writerKey)
  }

  /**
   * Puts an open room to rest now (see Room.rest): false if a member is connected, always-on
   * peers are in use, or the room is busy.
   */
  async rest(id: string): Promise<boolean> {
    const room = this._opened.get(id)
    if (room === undefined || this._replication.servesAnyone(room)) return false
    if (this._o.mayRest !== undefined && !this._o.mayRest()) return false
    const rested = await room.rest()
    if (rested) this._o.log(`room ${id.slice(0, 8)}: resting (idle ${Math.round((Date.now() - room.usedAt) / 1000)} s)`)
    return rested
  }

  private _restIdle(after: number): void {
    const now = Date.now()
    for (const room of this._opened.values()) {
      if (room.resting || now - room.usedAt < after) continue
      this.rest(room.id).catch((err: Error) => this._o.log(`room ${room.id}: rest failed: ${err.message}`))
    }
  }

  /** True if this profile has (or had, and left) the room with this key. */
  has(key: Buffer): boolean {
    return this._o.list.get(this.idOf(key)) !== null
  }

  /**
   * Holds a direct room to what it claims: only `peer` and us, created by `peer` (or us). Checked
   * now, before every write, and on every change of the room; a room that breaks it is closed and
   * listed as broken.
   */
  guardDirect(room: Room, peer: Buffer): void {
    room.holdDirect(peer)
    const check = (): void => {
      room
        .directProblem(peer)
        .then((problem) => {
          if (problem === null || room.closing) return
          room.off('room-update', check)
          this._markBroken(room.id, new Error(`not a direct room: ${problem}`))
          this._drop(room)
        })
        .catch((err: Error) => {
          // A room left or shut down meanwhile has nothing left to check.
          if (!room.closing) this._o.log(`room ${room.id}: direct check failed: ${err.message}`)
        })
    }
    room.on('room-update', check)
    check()
  }

  private _drop(room: Room): void {
    this._rooms.delete(room.id)
    this._opened.delete(room.id)
    this.emit('left', room)
    room.close().catch(() => {})
  }

  /** An open room by key or id; NO_SUCH_ROOM otherwise. */
  async open(keyOrId: Buffer | string): Promise<Room> {
    const id = typeof keyOrId === 'string' ? keyOrId : this.idOf(keyOrId)
    const room = this._rooms.get(id)
    if (room === undefined) throw PeerlineError.NO_SUCH_ROOM()
    return room
  }

  /** The open room with this discovery key, if we are in it. */
  async byDiscoveryKey(discoveryKey: Buffer): Promise<Room | null> {
    for (const room of this._opened.values()) if (b4a.equals(room.discoveryKey, discoveryKey)) return room
    return null
  }

  /** The file announced with this id in any room we are in, and that room's key. */
  async findFile(fileId: Buffer): Promise<{ ref: schema.FileRef; room: Buffer } | null> {
    // Awake rooms first (a file is fetched from the conversation on screen): a resting room is
    // woken only if no awake one announced it.
    const rooms = [...this._opened.values()].sort((x, y) => Number(x.resting) - Number(y.resting))
    for (const room of rooms) {
      // A room left while we look (closing: CLOSED) has nothing to give.
      const m = await room.fileMessage(fileId).catch((err: PeerlineError) => {
        if (err.code === 'CLOSED') return null
        throw err
      })
      if (m && m.file) return { ref: m.file, room: room.key }
    }
    return null
  }

  /** True if the file is still announced in that room (not deleted or expired) and the peer is a member. */
  async mayFetch(roomKey: Buffer, fileId: Buffer, publicKey: Buffer): Promise<boolean> {
    const room = this._opened.get(this.idOf(roomKey))
    if (room === undefined || !this.isMember(roomKey, publicKey)) return false
    const m = await room.fileMessage(fileId)
    return m !== null && m.file !== null && !m.deleted
  }

  /** True if the peer is an active member of the open room with that key (synchronous). */
  isMember(roomKey: Buffer, publicKey: Buffer): boolean {
    const room = this._opened.get(this.idOf(roomKey))
    return room !== undefined && room.memberKeys.includes(b4a.toString(publicKey, 'hex'))
  }

  /** Rooms this profile is in, broken ones too (with the reason). */
  list(): Array<{ id: string; kind: RoomKind; read: number; broken: string | null }> {
    return this._o.list
      .all()
      .filter((e) => !e.left && (this._rooms.has(e.id) || this._broken.has(e.id)))
      .map((e) => ({ ...e, broken: this._broken.get(e.id) ?? null }))
  }

  /** A room's kind (direct or group), or null when it is not one of ours. */
  kindOf(id: string): RoomKind | null {
    return this.list().find((e) => e.id === id)?.kind ?? null
  }

  /** Why this room stopped working, or null. */
  brokenReason(id: string): string | null {
    return this._broken.get(id) ?? null
  }

  private _markBroken(id: string, err: Error): void {
    if (this._broken.has(id)) return
    const reason = err.message || String(err)
    this._broken.set(id, reason)
    this._o.log(`room ${id}: broken: ${reason}`)
    this.emit('room-update', id)
  }

  /** Leaves a room: says so in the room (if still a member), then closes and forgets it. */
  async leave(id: string): Promise<void> {
    const room = await this.open(id)
    const entry = this._o.list.get(id)
    const me = await room.me()
    if (me && me.state === schema.MEMBER_ACTIVE && room.writable) {
      await room.act({ type: schema.OP_LEAVE })
      // Closing the room takes its cores off every connection: hand the leave to a member first.
      if (this._replication.servesAnyone(room)) await room.waitUploaded(LEAVE_UPLOAD_WAIT)
    }
    if (entry) await this._o.list.put(id, { ...entry, left: true })
    this._rooms.delete(id)
    this._opened.delete(id)
    this.emit('left', room)
    await room.close()
  }

  async markRead(id: string): Promise<void> {
    const room = await this.open(id)
    const entry = this._o.list.get(id)
    if (entry && entry.read !== room.length) await this._o.list.put(id, { ...entry, read: room.length })
  }

  /** True if this key is an active member, or a member's linked device, of any room we are in (the firewall lets them in). */
  knows(publicKey: Buffer): boolean {
    const id = b4a.toString(publicKey, 'hex')
    for (const room of this._opened.values()) if (room.memberKeys.includes(id) || room.deviceKeys.includes(id)) return true
    return false
  }

  /** True if a room of ours says this person removed that linked device (its hello is refused). */
  revoked(publicKey: Buffer, device: Buffer): boolean {
    for (const room of this._opened.values()) if (room.revoked(publicKey, device)) return true
    return false
  }

  /**
   * Replicates to a peer's authenticated connection the cores of the rooms it is a member of,
   * and only those (see RoomReplication).
   */
  replicate(publicKey: Buffer, mux: Protomux): void {
    this._replication.addPeer(publicKey, mux)
  }

  /** Opens the live channel on a peer's authenticated connection. */
  attachLive(publicKey: Buffer, mux: Protomux): void {
    const id = b4a.toString(publicKey, 'hex')
    const channel = new LiveChannel(
      mux,
      (msg) => this._o.log(`live ${id.slice(0, 8)}: ${msg}`),
      (msg) => this._onlive(publicKey, msg),
      () => {
        const channels = this._live.get(id)
        channels?.delete(channel)
        if (channels?.size === 0) this._live.delete(id)
      }
    )
    const channels = this._live.get(id) ?? new Set<LiveChannel>()
    channels.add(channel)
    this._live.set(id, channels)
  }

  private async _openRoom(key: Buffer, encryptionKey: Buffer, namespace: Buffer, catchUp = false): Promise<Room> {
    const id = this.idOf(key)
    let room = this._rooms.get(id)
    if (room === undefined) {
      if (this.closing) throw PeerlineError.CLOSED()
      const list = this._o.catchUp
      const r = new Room(this._o.store, {
        key,
        encryptionKey,
        namespace,
        self: this._o.self(),
        scheme: this._o.scheme,
        log: this._o.log,
        catchUp: catchUp && list ? { caughtUp: () => list.done(id) } : null
      })
      room = r.ready().then(() => r)
      this._rooms.set(id, room)
      room.then(
        (r) => this._listen(r),
        () => {
          this._rooms.delete(id)
          r.close().catch(() => {})
        }
      )
    }
    return room
  }

  private _track(room: Room): void {
    this._rooms.set(room.id, Promise.resolve(room))
    this._listen(room)
  }

  private _onlive(publicKey: Buffer, msg: LiveMessage): void {
    const room = this._opened.get(this.idOf(msg.roomKey))
    // Unknown room or not a member: drop quietly; the durable path decides what is true.
    if (room) room.acceptLive(publicKey, msg)
  }

  private _listen(room: Room): void {
    this._opened.set(room.id, room)
    this._replication.addRoom(room)
    room.on('members', () => this._replication.update(room))
    room.once('close', () => this._replication.removeRoom(room))
    room.on('broken', (reason: string) => this._markBroken(room.id, new Error(reason)))
    room.on('message', (m: RoomMessage) => this.emit('message', m))
    room.on('message-update', (m: MessageState) => this.emit('message-update', room.id, m))
    room.on('room-update', () => this.emit('room-update', room.id))
    room.on('sent', (m: { id: string; text: string; time: number; replyTo: string }) => {
      const self = b4a.toString(this._o.self().publicKey, 'hex')
      const msg = { roomKey: room.key, id: m.id, text: m.text, time: m.time, replyTo: m.replyTo }
      for (const key of room.memberKeys) {
        if (key === self) continue
        for (const channel of this._live.get(key) ?? []) channel.send(msg)
      }
    })
  }
}
