import Autobase from 'autobase'
import type Corestore from 'corestore'
import b4a from 'b4a'
import c from 'compact-encoding'
import crypto from 'hypercore-crypto'
import ReadyResource from 'ready-resource'
import z32 from 'z32'
import { PeerlineError } from '../errors'
import type { Log } from '../log'
import { roomOp, OP_ADD_MEMBER, OP_MESSAGE, MAX_TEXT_LENGTH } from '../wire/schemas'
import type { MemberRecord, MessageRecord } from '../wire/schemas'
import { applyOps, closeView, listMembers, openView, readMessages } from './room-view'
import type { RoomView } from './room-view'

/** Who this device is, as recorded in a room's member list. */
export interface Self {
  publicKey: Buffer
  number: string
  name: string
}

export interface RoomOptions {
  /** The room's key; null creates a new room. */
  key: Buffer | null
  encryptionKey: Buffer
  self: Self
  log: Log
}

export interface RoomMessage {
  room: string
  id: string
  from: string
  text: string
  time: number
}

const ACK_INTERVAL = 1000
const WRITABLE_TIMEOUT = 15_000
/** Announced ids remembered for de-duplication (live copies, reorders). */
const ANNOUNCED_MEMORY = 4096

/**
 * One conversation: an encrypted Autobase whose view is a Hyperbee of members and messages.
 * Emits 'message' (RoomMessage) once for each message that appears after the room opened, and
 * 'sent' ({id, text, time}) when this device sends one.
 */
export class Room extends ReadyResource {
  readonly base: Autobase<RoomView>
  private readonly _self: Self
  private readonly _log: Log
  private readonly _creating: boolean
  private _scanned = 0
  private readonly _announced = new Set<string>()
  private _members = new Map<string, MemberRecord>()
  private _membersVersion = -1
  private _scanning: Promise<void> | null = null
  private _rescan = false

  constructor(store: Corestore, opts: RoomOptions) {
    super()
    this._self = opts.self
    this._log = opts.log
    this._creating = opts.key === null
    this.base = new Autobase<RoomView>(roomStore(store, opts.encryptionKey), opts.key, {
      open: openView,
      apply: applyOps,
      close: closeView,
      valueEncoding: 'binary',
      encryptionKey: opts.encryptionKey,
      ackInterval: ACK_INTERVAL
    })
    this.base.on('update', () => this._scan())
    this.base.on('error', (err: Error) => this._log(`room ${this.id}: ${err.message}`))
  }

  /** The room id the Api uses: the Autobase key in z32. */
  get id(): string {
    return z32.encode(this.key)
  }

  get key(): Buffer {
    return opened(this.base.key)
  }

  get writerKey(): Buffer {
    return opened(this.base.local?.key ?? null)
  }

  get writable(): boolean {
    return this.base.writable
  }

  protected override async _open(): Promise<void> {
    await this.base.ready()
    if (this._creating) {
      await this._append({
        type: OP_ADD_MEMBER,
        writerKey: this.writerKey,
        publicKey: this._self.publicKey,
        number: this._self.number,
        name: this._self.name
      })
    }
    await this._refreshMembers()
    // Only messages that arrive from now on are news; the rest is history.
    this._scanned = this.base.view.messages.length
    // A reorder truncates the messages core; what was past the cut is scanned again.
    this.base.view.messages.on('truncate', (length: number) => {
      this._scanned = Math.min(this._scanned, length)
    })
  }

  protected override async _close(): Promise<void> {
    await this.base.close()
  }

  /** Adds a verified person's device as a writer and indexer. */
  async addMember(member: MemberRecord): Promise<void> {
    const members = await this.members()
    if (members.some((m) => b4a.equals(m.writerKey, member.writerKey))) return
    await this._append({ type: OP_ADD_MEMBER, ...member })
  }

  async members(): Promise<MemberRecord[]> {
    await this.base.update()
    return listMembers(this.base.view)
  }

  async send(text: string): Promise<{ id: string; time: number }> {
    if (typeof text !== 'string' || text.length === 0) throw PeerlineError.BAD_REQUEST('text must be a non-empty string')
    if (text.length > MAX_TEXT_LENGTH) throw PeerlineError.BAD_REQUEST(`text is over ${MAX_TEXT_LENGTH} characters`)
    await this._waitWritable()
    const id = b4a.toString(crypto.randomBytes(12), 'hex')
    const time = Date.now()
    // Online members get a live copy now, not after the durable op's append, replication and apply.
    this._remember(id)
    this.emit('sent', { id, text, time })
    await this._append({ type: OP_MESSAGE, id, text, time })
    return { id, time }
  }

  /** Members by hex public key, as of the last update. */
  get memberKeys(): string[] {
    return [...this._members.keys()]
  }

  /**
   * A live copy of a message from a peer on an authenticated connection. Shown at once if the
   * peer is a member; the durable op that follows is then not announced twice.
   */
  acceptLive(publicKey: Buffer, msg: { id: string; text: string; time: number }): boolean {
    const member = this._members.get(b4a.toString(publicKey, 'hex'))
    if (member === undefined || this._announced.has(msg.id)) return false
    if (msg.text.length === 0 || msg.text.length > MAX_TEXT_LENGTH || msg.id.length === 0 || msg.id.length > 64) return false
    this._remember(msg.id)
    this.emit('message', { room: this.id, id: msg.id, from: member.number, text: msg.text, time: msg.time })
    return true
  }

  /** The last `limit` messages, oldest first. */
  async history(limit = 100): Promise<Array<MessageRecord & { seq: number }>> {
    const length = this.base.view.messages.length
    return readMessages(this.base.view, length - limit, length)
  }

  private async _append(op: Parameters<typeof roomOp.encode>[1]): Promise<void> {
    await this.base.append(c.encode(roomOp, op))
  }

  private async _waitWritable(): Promise<void> {
    if (this.base.writable) return
    // Just after accepting a contact the other side still has to add us as a writer.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.base.off('writable', onwritable)
        reject(
          new PeerlineError('NOT_WRITABLE', 'This conversation is not open for you yet: the other side has not confirmed. Try again when they are online.')
        )
      }, WRITABLE_TIMEOUT)
      const onwritable = (): void => {
        clearTimeout(timer)
        resolve()
      }
      this.base.once('writable', onwritable)
    })
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

  private async _refreshMembers(): Promise<void> {
    const version = this.base.view.members.version
    if (version === this._membersVersion) return
    this._membersVersion = version
    const members = new Map<string, MemberRecord>()
    for (const m of await listMembers(this.base.view)) members.set(b4a.toString(m.publicKey, 'hex'), m)
    this._members = members
  }

  private async _scanOnce(): Promise<void> {
    if (this.closing) return
    await this._refreshMembers()
    const length = this.base.view.messages.length
    for (const m of await readMessages(this.base.view, this._scanned, length)) {
      if (this._announced.has(m.id)) continue
      this._remember(m.id)
      const message: RoomMessage = { room: this.id, id: m.id, from: m.from, text: m.text, time: m.time }
      this.emit('message', message)
    }
    this._scanned = Math.max(this._scanned, length)
  }

  private _remember(id: string): void {
    this._announced.add(id)
    if (this._announced.size > ANNOUNCED_MEMORY) this._announced.delete(this._announced.values().next().value as string)
  }
}

function opened(key: Buffer | null): Buffer {
  if (key === null) throw new Error('the room is not open yet')
  return key
}

/** Each room gets its own namespace, so every Autobase has its own 'local' writer core. */
function roomStore(store: Corestore, encryptionKey: Buffer): Corestore {
  return store.namespace('room/' + b4a.toString(crypto.hash(encryptionKey), 'hex'))
}
