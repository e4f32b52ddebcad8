import BlindPeering from 'blind-peering'
import type Corestore from 'corestore'
import type HyperDHT from 'hyperdht'
import ReadyResource from 'ready-resource'
import type { Log } from '../log'
import type { Room } from './room'

export interface AlwaysOnPeersOptions {
  dht: HyperDHT
  store: Corestore
  log: Log
}

/**
 * Our side of always-on peers (Holepunch blind peers): asks them to keep every room's encrypted
 * cores, and fetches from them what members sent while we were away. They get core keys and
 * lengths, never a room's encryption key.
 */
export class AlwaysOnPeers extends ReadyResource {
  private readonly _o: AlwaysOnPeersOptions
  private _peering: BlindPeering | null = null
  private _rooms = new Set<Room>()

  constructor(opts: AlwaysOnPeersOptions) {
    super()
    this._o = opts
  }

  protected override async _close(): Promise<void> {
    if (this._peering) await this._peering.close()
  }

  get keys(): Buffer[] {
    return this._peering ? this._peering.keys : []
  }

  /** Use these always-on peers (none: stop using any). */
  async configure(keys: Buffer[]): Promise<void> {
    const old = this._peering
    this._peering = keys.length > 0 ? new BlindPeering(this._o.dht, this._o.store, { keys, pick: keys.length }) : null
    if (old) await old.close()
    for (const room of this._rooms) this._mirror(room)
  }

  /** Keep this room on the always-on peers; call again when its writers change. */
  mirror(room: Room): void {
    // Called on every room update: one close listener per room, not one per call.
    if (!this._rooms.has(room)) {
      room.once('close', () => this._rooms.delete(room))
      room.on('awake', () => {
        if (this._rooms.has(room)) this._mirror(room)
      })
    }
    this._rooms.add(room)
    this._mirror(room)
  }

  forget(room: Room): void {
    this._rooms.delete(room)
  }

  private _mirror(room: Room): void {
    if (this._peering === null || room.closing) return
    // Mirrored when it wakes (rooms rest only while no always-on peer is set).
    if (room.resting) return void room.wake()
    try {
      this._peering.addAutobaseBackground(room.base)
    } catch (err) {
      this._o.log(`always-on: could not mirror ${room.id}: ${(err as Error).message}`)
    }
  }
}
