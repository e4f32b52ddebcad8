import b4a from 'b4a'
import type { NumberScheme } from './number-scheme'

/**
 * Derivations run one at a time: each is Argon2id with 64 MiB for ~0.13 s, and on two cores more
 * at once would take the core that carries everyone's messages (and 64 MiB each).
 */
const CONCURRENCY = 1
/** Waiting derivations, overall and per source address; past either, the peer is turned away. */
const MAX_QUEUED = 16
const MAX_QUEUED_PER_SOURCE = 2
/** New keys checked per source address per minute; a host rotating keys gets this many. */
const PER_SOURCE_PER_MINUTE = 10
const MAX_SOURCES = 1024
/** Keys checked this run that are not in our records; the oldest are forgotten first. */
const MAX_SEEN = 1024

export type VerifyResult = 'valid' | 'invalid' | 'busy'

interface Job {
  publicKey: Buffer
  source: string
  /** The derived number, or null if the derivation failed. */
  resolve: (number: string | null) => void
}

/**
 * Checks that a peer's key derives to the number it claims, without letting a flood of fresh keys
 * spend our CPU and memory: keys we already know (contacts, room members, anyone checked this run)
 * are answered at once; new ones wait in a short queue, bounded overall and per source address,
 * and rate-limited per source. A peer turned away ('busy') is dropped and may try again later.
 */
export class NumberVerifier {
  private readonly _scheme: NumberScheme
  /** hex key -> number, from our own records (contacts, members): kept while we run. */
  private readonly _known = new Map<string, string>()
  /** hex key -> number, checked this run. */
  private readonly _seen = new Map<string, string>()
  private readonly _queue: Job[] = []
  private readonly _queuedBySource = new Map<string, number>()
  private readonly _rates = new Map<string, { minute: number; count: number }>()
  private _running = 0

  constructor(scheme: NumberScheme) {
    this._scheme = scheme
  }

  /** A key whose number our own records hold (a contact's pin, a verified member). */
  remember(publicKey: Buffer, number: string): void {
    this._known.set(b4a.toString(publicKey, 'hex'), number)
  }

  /** The number we know for this key without deriving, or null. */
  known(publicKey: Buffer): string | null {
    const id = b4a.toString(publicKey, 'hex')
    return this._known.get(id) ?? this._seen.get(id) ?? null
  }

  private _saw(publicKey: Buffer, number: string): void {
    if (this._seen.size >= MAX_SEEN) this._seen.delete(this._seen.keys().next().value as string)
    this._seen.set(b4a.toString(publicKey, 'hex'), number)
  }

  get queued(): number {
    return this._queue.length
  }

  async verify(publicKey: Buffer, number: string, source: string): Promise<VerifyResult> {
    const derived = await this.derive(publicKey, source)
    if (derived === 'busy') return 'busy'
    return derived === number ? 'valid' : 'invalid'
  }

  /**
   * The number of a key, within the same budget: at once if known, else queued (null if the
   * derivation failed), or 'busy' past the budget of `source`. For numbers a peer's input makes
   * us derive without claiming one (a joiner's member signature).
   */
  async derive(publicKey: Buffer, source: string): Promise<string | null | 'busy'> {
    const known = this.known(publicKey)
    if (known !== null) return known
    if (this._queue.length >= MAX_QUEUED || (this._queuedBySource.get(source) ?? 0) >= MAX_QUEUED_PER_SOURCE || !this._take(source)) {
      return 'busy'
    }
    return new Promise<string | null>((resolve) => {
      this._queue.push({ publicKey, source, resolve })
      this._queuedBySource.set(source, (this._queuedBySource.get(source) ?? 0) + 1)
      this._next()
    })
  }

  private _take(source: string): boolean {
    const minute = Math.floor(Date.now() / 60_000)
    let rate = this._rates.get(source)
    if (rate === undefined || rate.minute !== minute) {
      if (this._rates.size >= MAX_SOURCES) this._rates.clear()
      rate = { minute, count: 0 }
      this._rates.set(source, rate)
    }
    if (rate.count >= PER_SOURCE_PER_MINUTE) return false
    rate.count++
    return true
  }

  private _next(): void {
    while (this._running < CONCURRENCY && this._queue.length > 0) {
      const job = this._queue.shift() as Job
      const left = (this._queuedBySource.get(job.source) ?? 1) - 1
      if (left > 0) this._queuedBySource.set(job.source, left)
      else this._queuedBySource.delete(job.source)
      this._running++
      this._scheme.derive(job.publicKey).then(
        (derived) => {
          this._saw(job.publicKey, derived)
          job.resolve(derived)
        },
        () => job.resolve(null)
      ).finally(() => {
        this._running--
        this._next()
      })
    }
  }
}
