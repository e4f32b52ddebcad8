import BlindPeer from 'blind-peer'
import path from 'path'
import ReadyResource from 'ready-resource'
import { Identity } from '../../lib/identity/identity'
import type { NumberScheme } from '../../lib/identity/number-scheme'
import type { Log } from '../../lib/log'
import { SwarmNetwork } from '../../lib/network/swarm-network'
import type { PeerAddress } from '../../lib/network/swarm-network'

export interface AlwaysOnServerOptions {
  storage: string
  scheme: NumberScheme
  bootstrap?: PeerAddress[]
  host?: string
  log: Log
}

/**
 * `peerline serve`: a blind peer (Holepunch's blind-peer) on a stable key. Members ask it to keep
 * their rooms' cores; it stores and serves ciphertext and never holds an encryption key.
 */
export class AlwaysOnServer extends ReadyResource {
  private readonly _o: AlwaysOnServerOptions
  private _network: SwarmNetwork | null = null
  private _peer: BlindPeer | null = null

  constructor(opts: AlwaysOnServerOptions) {
    super()
    this._o = opts
  }

  get publicKey(): Buffer {
    if (this._peer === null) throw new Error('not open')
    return this._peer.publicKey
  }

  protected override async _open(): Promise<void> {
    const { storage, scheme, bootstrap, host, log } = this._o
    // The profile identity makes the key stable across restarts, so members keep finding it.
    const identity = await Identity.open(storage, scheme)
    this._network = new SwarmNetwork({
      keyPair: identity.keyPair,
      firewall: () => false,
      log,
      ...(bootstrap ? { bootstrap } : {}),
      ...(host ? { host } : {})
    })
    await this._network.ready()
    this._peer = new BlindPeer(path.join(storage, 'blind-peer'), { swarm: this._network.swarm })
    await this._peer.listen()
  }

  protected override async _close(): Promise<void> {
    if (this._peer) await this._peer.close()
    if (this._network) await this._network.close()
  }
}
