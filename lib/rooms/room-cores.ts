import type Corestore from 'corestore'
import type Hypercore from 'hypercore'
import b4a from 'b4a'
import crypto from 'hypercore-crypto'
import EventEmitter from 'bare-events'

export interface RoomCoresEvents {
  /** A session on one of the room's cores is open (its key is known). */
  core: [session: Hypercore<unknown>]
}

/**
 * The cores of one room: every core its Autobase opens through the room's own Corestore session
 * (writers, system, views, fast-forward targets), plus the writer keys its member records name.
 * Replication uses this to decide which cores a connection may have: a room's cores, and only
 * to that room's members. Nothing is replicated through the store as a whole.
 */
export class RoomCores extends EventEmitter<RoomCoresEvents> {
  store: Corestore
  /** Every core of the room seen so far, by hex discovery key: its key. */
  private readonly _keys = new Map<string, Buffer>()
  /** Open sessions per core (any one of them reaches the core's shared replicator). */
  private readonly _open = new Map<string, Set<Hypercore<unknown>>>()
  /** Sessions this class opened itself (to serve a core on demand); closed with the room. */
  private readonly _own: Array<Hypercore<unknown>> = []
  private _get: (opts: unknown) => Hypercore<unknown>
  private _closed = false

  constructor(store: Corestore) {
    super()
    this.store = store
    this._get = this.watch(store)
  }

  /**
   * Follows the cores opened through this store session (the room's: Autobase closes the session
   * it was given when it closes, so a room that wakes from rest opens a new one).
   */
  watch(store: Corestore): (opts: unknown) => Hypercore<unknown> {
    this.store = store
    this._closed = false
    // Autobase opens each of its cores with store.get: seeing those calls is how we know a core
    // belongs to this room (one Corestore holds every room, and a key alone does not say whose).
    const get = (this._get = store.get.bind(store) as (opts: unknown) => Hypercore<unknown>)
    store.get = ((opts: unknown) => {
      const session = get(opts)
      this._watch(session)
      return session
    }) as Corestore['get']
    return get
  }

  /** Remembers a writer key from a member record, so its core is served even while closed here. */
  know(key: Buffer): void {
    const id = b4a.toString(crypto.discoveryKey(key), 'hex')
    if (!this._keys.has(id)) this._keys.set(id, key)
  }

  has(discoveryKey: Buffer): boolean {
    return this._keys.has(b4a.toString(discoveryKey, 'hex'))
  }

  /** One open session per core of the room that is open now. */
  *open(): Generator<Hypercore<unknown>> {
    for (const sessions of this._open.values()) {
      const first = sessions.values().next()
      if (!first.done) yield first.value
    }
  }

  /** An open session on this core of the room, if one is open. */
  session(discoveryKey: Buffer): Hypercore<unknown> | null {
    const sessions = this._open.get(b4a.toString(discoveryKey, 'hex'))
    return sessions === undefined ? null : (sessions.values().next().value ?? null)
  }

  /**
   * Opens a known core of the room that is not open now (a peer asked for it), and keeps it open
   * until the room closes. Null if the core is not the room's.
   */
  async openKnown(discoveryKey: Buffer): Promise<Hypercore<unknown> | null> {
    const open = this.session(discoveryKey)
    if (open !== null) return open
    const key = this._keys.get(b4a.toString(discoveryKey, 'hex'))
    // Closed (the room rests or closed): its store session is closed too; nothing to open.
    if (key === undefined || this._closed) return null
    const session = this._get({ key, active: false })
    this._own.push(session)
    this._watch(session)
    await session.ready()
    return session
  }

  /** Closes the sessions opened on demand; watch() (a room waking) opens this again. */
  async close(): Promise<void> {
    this._closed = true
    await Promise.allSettled(this._own.splice(0).map((s) => s.close()))
  }

  private _watch(session: Hypercore<unknown>): void {
    session.ready().then(
      () => {
        if (session.closed || session.discoveryKey === null || session.key === null) return
        const id = b4a.toString(session.discoveryKey, 'hex')
        this._keys.set(id, session.key)
        let sessions = this._open.get(id)
        if (sessions === undefined) this._open.set(id, (sessions = new Set()))
        sessions.add(session)
        session.once('close', () => {
          sessions.delete(session)
          if (sessions.size === 0 && this._open.get(id) === sessions) this._open.delete(id)
        })
        this.emit('core', session)
      },
      () => {} // a core that does not open is not replicated; whoever opened it sees the error
    )
  }
}
