import type Hypercore from 'hypercore'
import type Protomux from 'protomux'
import b4a from 'b4a'
import { HANDOFF_WAIT } from './room'
import type { Handoff } from './room'
import type { Log } from '../log'
import type { RoomCores } from './room-cores'

/** The hypercore wire protocol's name on a muxer (one channel per core, its id the discovery key). */
const HYPERCORE_PROTOCOL = 'hypercore/alpha'
/** protomux-wakeup's protocol: one channel per room, its id the room's discovery key. */
const WAKEUP_PROTOCOL = 'wakeup'
/** Refusals logged per connection; past that they are counted, not logged (a flood of asks). */
const LOGGED_REFUSALS = 3

/** A room as replication sees it: its cores, and who may have them. */
export interface ReplicatedRoom {
  readonly id: string
  readonly cores: RoomCores
  /** True if the peer (hex identity key) may have this room's cores now. */
  allows(publicKey: string): boolean
  /** For a member this device just removed: the hand-over of the removal to them. */
  handoff(publicKey: string): Handoff | null
  /** Members this device removed whose hand-over has not ended. */
  readonly handoffs: string[]
  /** This device's writer core in the room, if it writes. */
  readonly local: Hypercore<unknown> | null
  /** Reopens a room that rests (a member connected: its cores must be there to replicate). Never rejects. */
  wake(): Promise<void>
  /** The room's discovery key: the id of its wakeup channel. */
  readonly discoveryKey: Buffer
  /** Runs Autobase's wakeup protocol on a member's connection (it names writers and lengths). */
  addWakeup(mux: Protomux): void
  dropWakeup(mux: Protomux): void
}

/** How often a hand-over checks what the removed member holds. */
const HANDOFF_POLL = 50

/**
 * The part of a core's shared replicator that hypercore keeps internal. Corestore makes these same
 * calls (attached/attachTo when it replicates, detachFrom); no public call takes a core off one
 * muxer again, and a removal must.
 */
interface Replicator {
  attached(mux: Protomux): boolean
  detachFrom(mux: Protomux): void
  peers: Array<{ protomux: Protomux; remoteContiguousLength: number }>
}

interface Peer {
  publicKey: string
  mux: Protomux
  /** Rooms whose cores go to this peer now. */
  rooms: Set<string>
  /** Rooms whose cores stop going to this peer once it holds our removal of it. */
  leaving: Set<string>
  refused: number
}

/**
 * Replicates each room's cores only to the room's members. A connection gets no core until its
 * peer's identity is proven (the hello), and then only the cores of rooms the peer is an active
 * member of; a core the peer asks for that is not in such a room is refused (protomux rejects
 * the channel). When a member is removed, their channels for that room's cores are closed and
 * the cores taken off their connections, so nothing appended after reaches them from us.
 */
export class RoomReplication {
  private readonly _log: Log
  private readonly _rooms = new Map<string, ReplicatedRoom>()
  private readonly _peers = new Set<Peer>()

  constructor(opts: { log: Log }) {
    this._log = opts.log
  }

  /** Starts replicating a room (just opened) to those of its members who are connected. */
  addRoom(room: ReplicatedRoom): void {
    this._rooms.set(room.id, room)
    room.cores.on('core', (session) => {
      if (this._rooms.get(room.id) !== room) return
      for (const peer of this._peers) if (peer.rooms.has(room.id) && !peer.leaving.has(room.id)) attach(session, peer.mux)
    })
    this.update(room)
  }

  /** Stops replicating a room (left, dropped or closing): its cores leave every connection. */
  removeRoom(room: ReplicatedRoom): void {
    if (this._rooms.get(room.id) !== room) return
    this._rooms.delete(room.id)
    for (const peer of this._peers) if (peer.rooms.has(room.id)) this._cut(room, peer)
  }

  /** Re-checks who may have this room's cores (call when its members change). */
  update(room: ReplicatedRoom): void {
    if (this._rooms.get(room.id) !== room) return
    for (const peer of this._peers) this._sync(room, peer)
    // A removed member who is not connected here has nothing to fetch from us: write on.
    for (const key of room.handoffs) {
      if (![...this._peers].some((p) => p.publicKey === key && p.leaving.has(room.id))) room.handoff(key)?.done()
    }
  }

  /** True if some connected peer gets this room's cores now. */
  servesAnyone(room: ReplicatedRoom): boolean {
    for (const peer of this._peers) if (peer.rooms.has(room.id)) return true
    return false
  }

  /** An authenticated connection: its peer gets the cores of the rooms it is a member of. */
  addPeer(publicKey: Buffer, mux: Protomux): void {
    const peer: Peer = { publicKey: b4a.toString(publicKey, 'hex'), mux, rooms: new Set(), leaving: new Set(), refused: 0 }
    this._peers.add(peer)
    mux.stream.once('close', () => this._peers.delete(peer))
    // A core the remote asks for that we have not offered it: served only if it is a core of a
    // room the peer is in (it may be closed here just now). Otherwise protomux rejects it.
    mux.pair({ protocol: HYPERCORE_PROTOCOL }, (id) => this._onask(peer, id).catch((err: Error) => this._log(`replication: ${err.message}`)))
    for (const room of this._rooms.values()) this._sync(room, peer)
  }

  private _sync(room: ReplicatedRoom, peer: Peer): void {
    const allowed = room.allows(peer.publicKey)
    if (allowed && !peer.rooms.has(room.id)) {
      peer.rooms.add(room.id)
      // Its cores, once open, go to this peer through the 'core' event.
      void room.wake()
      peer.mux.cork()
      for (const session of room.cores.open()) attach(session, peer.mux)
      // Without it a member learns that a writer it does not follow moved only when a node it
      // holds points there: in a room where not everyone meets everyone, whole writers went missing.
      room.addWakeup(peer.mux)
      peer.mux.uncork()
    } else if (!allowed && peer.rooms.has(room.id) && !peer.leaving.has(room.id)) {
      const handoff = room.handoff(peer.publicKey)
      if (handoff === null || room.local === null) return this._stop(room, peer)
      // We removed them: they may fetch our writer core up to the removal and its new epoch (whose
      // key they lack), and nothing else, so their app can say they were removed. The room writes
      // nothing more until this ends.
      peer.leaving.add(room.id)
      this._cut(room, peer, room.local)
      this._handOver(room, peer, handoff.length)
        .catch((err: Error) => this._log(`replication: hand-over: ${err.message}`))
        .finally(() => {
          peer.leaving.delete(room.id)
          if (this._rooms.get(room.id) === room && !room.allows(peer.publicKey) && peer.rooms.has(room.id)) this._stop(room, peer)
          handoff.done()
        })
    }
  }

  private _stop(room: ReplicatedRoom, peer: Peer): void {
    this._cut(room, peer)
    this._log(`replication: room ${room.id}: ${peer.publicKey.slice(0, 8)} is no longer a member; its cores are closed to them`)
  }

  /** Resolves once the peer holds `room.local` up to the removal, or after HANDOFF_WAIT. */
  private async _handOver(room: ReplicatedRoom, peer: Peer, handoff: Promise<number>): Promise<void> {
    const end = Date.now() + HANDOFF_WAIT
    const length = await handoff
    while (Date.now() < end && !peer.mux.stream.destroyed && room.local !== null && !room.local.closed) {
      const remote = replicatorOf(room.local)?.peers.find((p) => p.protomux === peer.mux)
      if (remote !== undefined && remote.remoteContiguousLength >= length) return
      await new Promise((resolve) => setTimeout(resolve, HANDOFF_POLL))
    }
  }

  /**
   * Takes every core of the room off the peer's connection and closes the open channels; with
   * `keep`, all but that one, and the room stays listed for the peer.
   */
  private _cut(room: ReplicatedRoom, peer: Peer, keep: Hypercore<unknown> | null = null): void {
    if (keep === null) peer.rooms.delete(room.id)
    room.dropWakeup(peer.mux)
    for (const channel of [...peer.mux]) {
      if (channel.protocol === WAKEUP_PROTOCOL && channel.id !== null && b4a.equals(channel.id, room.discoveryKey)) channel.close()
    }
    const kept = keep?.discoveryKey ?? null
    for (const session of room.cores.open()) {
      if (kept !== null && session.discoveryKey !== null && b4a.equals(session.discoveryKey, kept)) continue
      replicatorOf(session)?.detachFrom(peer.mux)
    }
    for (const channel of [...peer.mux]) {
      if (channel.protocol !== HYPERCORE_PROTOCOL || channel.id === null || !room.cores.has(channel.id)) continue
      if (kept !== null && b4a.equals(channel.id, kept)) continue
      channel.close()
    }
  }

  private async _onask(peer: Peer, discoveryKey: Buffer | null): Promise<void> {
    if (discoveryKey === null || discoveryKey.byteLength !== 32) return this._refuse(peer, 'a core with no valid discovery key')
    for (const room of this._rooms.values()) {
      if (!room.cores.has(discoveryKey) || !peer.rooms.has(room.id) || peer.leaving.has(room.id)) continue
      // A resting room's store session is closed: the core opens in the woken room's.
      await room.wake()
      const session = await room.cores.openKnown(discoveryKey)
      // Opening it told 'core', which attached it to the members' connections, this one too.
      if (session !== null && peer.rooms.has(room.id) && !peer.leaving.has(room.id)) attach(session, peer.mux)
      return
    }
    this._refuse(peer, `core ${b4a.toString(discoveryKey, 'hex').slice(0, 8)}: not a member of any room that has it`)
  }

  private _refuse(peer: Peer, why: string): void {
    if (++peer.refused <= LOGGED_REFUSALS) this._log(`replication: refused ${peer.publicKey.slice(0, 8)} ${why}`)
    else if (peer.refused === LOGGED_REFUSALS + 1) this._log(`replication: refusing more from ${peer.publicKey.slice(0, 8)} without logging each`)
  }
}

function replicatorOf(session: Hypercore<unknown>): Replicator | null {
  const core = (session as unknown as { core: { replicator: Replicator } | null }).core
  return core === null ? null : core.replicator
}

/** Replicates the core on this muxer (the public per-core call), once. */
function attach(session: Hypercore<unknown>, mux: Protomux): void {
  if (session.closed || mux.stream.destroyed) return
  const replicator = replicatorOf(session)
  if (replicator !== null && replicator.attached(mux)) return
  session.replicate(mux)
}
