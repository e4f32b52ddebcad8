import type { Log } from '../log'
import { FrameRate } from '../network/frame-rate'
import type { Rooms } from '../rooms/rooms'
import type { DeviceReadMark, DeviceReads as DeviceReadsMessage } from '../wire/messages'

/** Marks per message: 512 * 41 bytes stays far inside the device channel's frame limit. */
export const MAX_READ_MARKS = 512
/** Frames of marks a second, on average (bursts of twice that): the device channel allows 4 (8). */
const FLUSHES_PER_SECOND = 2

/** The half of the device channel that carries read marks (GuardedChannel does). */
export interface ReadMarkChannel {
  readonly closed: boolean
  send(name: 'read', value: DeviceReadsMessage): boolean
}

export interface DeviceReadsOptions {
  rooms: Rooms
  log: Log
}

/**
 * Read state between the devices of one person, on the device channel (never in a room: a read
 * mark there would tell every member, which is what read receipts do, and only when the person
 * lets them). A mark is a room's read count (the first N messages of its view), and only moves
 * forward (a max per room), so merging is trivial and an old device cannot un-read a chat. Each
 * device sends all its marks when the channel opens and each one that moves forward after that
 * (whether it moved by a read here or by a mark from another device, so the first device relays
 * between linked ones), except to a device that already said it read that far. A mark past what
 * this device holds yet is kept (in memory: the channel sends every mark again when it opens) and
 * applied as the messages arrive.
 */
export class DeviceReads {
  private readonly _o: DeviceReadsOptions
  /** Each open channel: the rooms (ids) whose mark it has not been sent yet. */
  private readonly _dirty = new Map<ReadMarkChannel, Set<string>>()
  /** Each open channel: room id -> the furthest mark it sent us or we sent it (no echo back). */
  private readonly _known = new Map<ReadMarkChannel, Map<string, number>>()
  /** Room id -> a count another device read up to, beyond what this device holds. */
  private readonly _ahead = new Map<string, number>()
  private _timer: ReturnType<typeof setTimeout> | null = null
  /** A read goes out at once, unless marks went out too often lately: then a little later. */
  private readonly _rate = new FrameRate(FLUSHES_PER_SECOND)
  private _closed = false

  constructor(opts: DeviceReadsOptions) {
    this._o = opts
    opts.rooms.on('read', this._onread)
    opts.rooms.on('room-update', this._onupdate)
    opts.rooms.on('left', this._onleft)
  }

  close(): void {
    this._closed = true
    if (this._timer !== null) clearTimeout(this._timer)
    this._timer = null
    this._dirty.clear()
    this._known.clear()
    this._o.rooms.off('read', this._onread)
    this._o.rooms.off('room-update', this._onupdate)
    this._o.rooms.off('left', this._onleft)
  }

  /** Another device of ours opened the channel: it gets every mark we have. */
  attach(channel: ReadMarkChannel): void {
    if (this._closed) return
    this._known.set(channel, new Map())
    this._dirty.set(channel, new Set(this._o.rooms.list().filter((e) => e.broken === null && e.read > 0).map((e) => e.id)))
    this._flushSoon()
  }

  detach(channel: ReadMarkChannel): void {
    this._dirty.delete(channel)
    this._known.delete(channel)
  }

  /**
   * Marks from another device of ours, on `from` (hostile input: rooms not ours are ignored,
   * counts only raise).
   */
  async receive(marks: DeviceReadMark[], from: ReadMarkChannel | null = null): Promise<void> {
    for (const { discoveryKey, read } of marks.slice(0, MAX_READ_MARKS)) {
      if (this._closed) return
      if (!Number.isSafeInteger(read) || read <= 0) continue
      const room = await this._o.rooms.byDiscoveryKey(discoveryKey)
      if (room === null || this._o.rooms.kindOf(room.id) === null) continue
      const known = from === null ? undefined : this._known.get(from)
      if (known !== undefined) known.set(room.id, Math.max(read, known.get(room.id) ?? 0))
      let now: number
      try {
        now = await this._o.rooms.raiseRead(room.id, read)
      } catch (err) {
        // Left or closed meanwhile: that room only, the channel goes on.
        this._o.log(`device reads: room ${room.id}: ${(err as Error).message}`)
        continue
      }
      if (read > now) this._ahead.set(room.id, Math.max(read, this._ahead.get(room.id) ?? 0))
      else this._ahead.delete(room.id)
    }
  }

  private readonly _onread = (id: string): void => {
    if (this._dirty.size === 0) return
    for (const rooms of this._dirty.values()) rooms.add(id)
    this._flushSoon()
  }

  /** Messages arrived: a mark that was ahead of them may apply now. */
  private readonly _onupdate = (id: string): void => {
    const ahead = this._ahead.get(id)
    if (ahead === undefined || this._closed) return
    this._o.rooms.raiseRead(id, ahead).then(
      (now) => {
        if (now >= ahead && this._ahead.get(id) === ahead) this._ahead.delete(id)
      },
      () => this._ahead.delete(id) // the room is gone
    )
  }

  private readonly _onleft = (room: { id: string }): void => {
    this._ahead.delete(room.id)
    for (const rooms of this._dirty.values()) rooms.delete(room.id)
    for (const known of this._known.values()) known.delete(room.id)
  }

  private _flushSoon(): void {
    if (this._timer !== null || this._closed) return
    this._timer = setTimeout(() => {
      this._timer = null
      if (!this._rate.take()) return void this._later()
      this._flush().catch((err: Error) => this._o.log('device reads: ' + err.message))
    }, 0)
    this._timer.unref?.()
  }

  /** One message per channel per flush; what does not fit goes in the next one. */
  private async _flush(): Promise<void> {
    let more = false
    const entries = new Map(this._o.rooms.list().map((e) => [e.id, e]))
    for (const [channel, ids] of this._dirty) {
      if (channel.closed) {
        this._dirty.delete(channel)
        continue
      }
      const rooms: DeviceReadMark[] = []
      const known = this._known.get(channel) ?? new Map<string, number>()
      for (const id of ids) {
        if (rooms.length >= MAX_READ_MARKS) break
        ids.delete(id)
        const entry = entries.get(id)
        // Nothing it does not know already (a mark it sent us is not echoed back).
        if (entry === undefined || entry.broken !== null || entry.read <= (known.get(id) ?? 0)) continue
        const room = await this._o.rooms.open(id).catch(() => null)
        if (room === null) continue
        rooms.push({ discoveryKey: room.discoveryKey, read: entry.read })
        known.set(id, entry.read)
      }
      if (rooms.length > 0) channel.send('read', { rooms })
      if (ids.size > 0) more = true
    }
    if (more) this._later()
  }

  private _later(): void {
    if (this._timer !== null || this._closed) return
    this._timer = setTimeout(() => {
      this._timer = null
      this._flushSoon()
    }, 1000 / FLUSHES_PER_SECOND)
    this._timer.unref?.()
  }
}
