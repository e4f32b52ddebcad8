/** A token bucket: `perSecond` frames a second on average, bursts up to twice that. */
export class FrameRate {
  private readonly _perSecond: number
  private readonly _capacity: number
  private _tokens: number
  private _last = Date.now()

  constructor(perSecond: number) {
    this._perSecond = perSecond
    this._capacity = perSecond * 2
    this._tokens = this._capacity
  }

  take(): boolean {
    const now = Date.now()
    this._tokens = Math.min(this._capacity, this._tokens + ((now - this._last) / 1000) * this._perSecond)
    this._last = now
    if (this._tokens < 1) return false
    this._tokens -= 1
    return true
  }
}
