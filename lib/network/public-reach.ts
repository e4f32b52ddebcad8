import type HyperDHT from 'hyperdht'
import EventEmitter from 'bare-events'

/** While the public DHT is out of reach we ask often, so a returning internet is noticed fast. */
const UNREACHABLE_INTERVAL = 5000
const REACHABLE_INTERVAL = 30_000
const PING_TIMEOUT = 1500

export interface PublicReachEvents {
  /** whether any bootstrap node answers now */
  change: [boolean]
}

/**
 * Pings the public (or configured) bootstrap nodes now and then and says whether any answers.
 * Emits 'change' with the new value. Cheap: one UDP ping per node per round, no retries.
 */
export class PublicReach extends EventEmitter<PublicReachEvents> {
  reachable = false
  private readonly _dht: HyperDHT
  private readonly _nodes: HyperDHT.Address[]
  private _timer: ReturnType<typeof setTimeout> | null = null
  private _stopped = false

  constructor(dht: HyperDHT, nodes: HyperDHT.Address[]) {
    super()
    this._dht = dht
    this._nodes = nodes
  }

  /** One round now; the next rounds run by themselves until stop(). */
  async start(): Promise<boolean> {
    await this._round()
    return this.reachable
  }

  stop(): void {
    this._stopped = true
    if (this._timer) clearTimeout(this._timer)
  }

  private async _round(): Promise<void> {
    if (this._stopped || this._dht.destroyed) return
    const ok = await this.check()
    if (this._stopped) return
    if (ok !== this.reachable) {
      this.reachable = ok
      this.emit('change', ok)
    }
    this._timer = setTimeout(() => void this._round(), ok ? REACHABLE_INTERVAL : UNREACHABLE_INTERVAL)
  }

  /** True if any node answers a ping within 1.5 s. */
  async check(): Promise<boolean> {
    if (this._nodes.length === 0) return false
    let timer: ReturnType<typeof setTimeout> | null = null
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), PING_TIMEOUT)
    })
    const pings = this._nodes.map((n) => this._dht.ping(n, { retry: false }).then(() => true))
    const ok = await Promise.race([Promise.any(pings).catch(() => false), late])
    if (timer) clearTimeout(timer)
    return ok
  }
}
