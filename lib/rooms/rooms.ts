import type Corestore from 'corestore'
import crypto from 'hypercore-crypto'
import ReadyResource from 'ready-resource'
import z32 from 'z32'
import { PeerlineError } from '../errors'
import type { Log } from '../log'
import b4a from 'b4a'
import type Protomux from 'protomux'
import type { LiveMessage } from '../wire/schemas'
import { LiveChannel } from './live-channel'
import { Room } from './room'
import type { RoomMessage, Self } from './room'

export interface RoomsOptions {
  store: Corestore
  self: () => Self
  log: Log
}

/**
 * The open rooms of a profile, by id. Emits 'message' (RoomMessage) for every room. A room is opened once and
 * stays open until the profile closes.
 */
export class Rooms extends ReadyResource {
  private readonly _o: RoomsOptions
  private readonly _rooms = new Map<string, Promise<Room>>()
  private readonly _live = new Map<string, LiveChannel>()
  /** Rooms whose ready() finished, for synchronous lookups on the live path. */
  private readonly _opened = new Map<string, Room>()

  constructor(opts: RoomsOptions) {
    super()
    this._o = opts
  }

  protected override async _close(): Promise<void> {
    const rooms = await Promise.allSettled(this._rooms.values())
    for (const r of rooms) if (r.status === 'fulfilled') await r.value.close()
  }

  idOf(key: Buffer): string {
    return z32.encode(key)
  }

  /** A new room with a fresh encryption key; this device is its first writer. */
  async create(): Promise<Room & { encryptionKey: Buffer }> {
    const encryptionKey = crypto.randomBytes(32)
    const room = new Room(this._o.store, { key: null, encryptionKey, self: this._o.self(), log: this._o.log })
    await room.ready()
    this._rooms.set(room.id, Promise.resolve(room))
    this._listen(room)
    return Object.assign(room, { encryptionKey })
  }

  /** Opens (or returns the already open) room with this key. */
  async join(key: Buffer, encryptionKey: Buffer): Promise<Room> {
    const id = this.idOf(key)
    let room = this._rooms.get(id)
    if (room === undefined) {
      if (this.closing) throw PeerlineError.CLOSED()
      const r = new Room(this._o.store, { key, encryptionKey, self: this._o.self(), log: this._o.log })
      room = r.ready().then(() => r)
      this._rooms.set(id, room)
      room.then((r) => this._listen(r), () => this._rooms.delete(id))
    }
    return room
  }

  /** An open room by key or id; NO_SUCH_ROOM otherwise. */
  async open(keyOrId: Buffer | string): Promise<Room> {
    const id = typeof keyOrId === 'string' ? keyOrId : this.idOf(keyOrId)
    const room = this._rooms.get(id)
    if (room === undefined) throw new PeerlineError('NO_SUCH_ROOM', 'There is no conversation with that id here.')
    return room
  }

  has(id: string): boolean {
    return this._rooms.has(id)
  }

  /** Opens the live channel on a peer's authenticated connection. */
  attachLive(publicKey: Buffer, mux: Protomux): void {
    const id = b4a.toString(publicKey, 'hex')
    const channel = new LiveChannel(
      mux,
      (msg) => this._o.log(`live ${id.slice(0, 8)}: ${msg}`),
      (msg) => this._onlive(publicKey, msg),
      () => {
        if (this._live.get(id) === channel) this._live.delete(id)
      }
    )
    this._live.set(id, channel)
  }

  private _onlive(publicKey: Buffer, msg: LiveMessage): void {
    const room = this._opened.get(this.idOf(msg.roomKey))
    // Unknown room or not a member: drop quietly; the durable path decides what is true.
    if (room) room.acceptLive(publicKey, msg)
  }

  private _listen(room: Room): void {
    this._opened.set(room.id, room)
    room.on('message', (m: RoomMessage) => this.emit('message', m))
    room.on('sent', (m: { id: string; text: string; time: number }) => {
      const self = b4a.toString(this._o.self().publicKey, 'hex')
      for (const key of room.memberKeys) {
        if (key === self) continue
        this._live.get(key)?.send({ roomKey: room.key, id: m.id, text: m.text, time: m.time })
      }
    })
  }
}
