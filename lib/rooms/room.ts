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
import { applyOps, getCount, listMembers, openView, readMessages } from './room-view'
import type { RoomBee } from './room-view'

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
/** How far back an update is checked for messages we have not announced (covers reorders). */
const RESCAN_WINDOW = 64

/**
 * One conversation: an encrypted Autobase whose view is a Hyperbee of members and messages.
 * Emits 'message' (RoomMessage) once for each message that appears after the room opened.
 */
export class Room extends ReadyResource {
  readonly base: Autobase<RoomBee>
  private readonly _self: Self
  private readonly _log: Log
  private readonly _creating: boolean
  private _scanned = 0
  private readonly _announced = new Set<string>()
  private _scanning: Promise<void> | null = null
  private _rescan = false

  constructor(store: Corestore, opts: RoomOptions) {
    super()
    this._self = opts.self
    this._log = opts.log
    this._creating = opts.key === null
    this.base = new Autobase<RoomBee>(roomStore(store, opts.encryptionKey), opts.key, {
      open: (viewStore) => openView(viewStore.get('view')),
      apply: applyOps,
      close: (view) => view.close(),
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
    // Only messages that arrive from now on are news; the rest is history.
    this._scanned = await getCount(this.base.view)
    for (const m of await readMessages(this.base.view, Math.max(1, this._scanned - RESCAN_WINDOW), this._scanned)) {
      this._announced.add(m.id)
    }
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
    await this._append({ type: OP_MESSAGE, id, text, time })
    return { id, time }
  }

  /** The last `limit` messages, oldest first. */
  async history(limit = 100): Promise<Array<MessageRecord & { seq: number }>> {
    const count = await getCount(this.base.view)
    return readMessages(this.base.view, Math.max(1, count - limit + 1), count)
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

  private async _scanOnce(): Promise<void> {
    if (this.closing) return
    const count = await getCount(this.base.view)
    const from = Math.max(1, Math.min(this._scanned, count) - RESCAN_WINDOW)
    for (const m of await readMessages(this.base.view, from, count)) {
      if (this._announced.has(m.id)) continue
      this._announced.add(m.id)
      const message: RoomMessage = { room: this.id, id: m.id, from: m.from, text: m.text, time: m.time }
      this.emit('message', message)
    }
    this._scanned = count
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
