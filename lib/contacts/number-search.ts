import ReadyResource from 'ready-resource'
import type { Log } from '../log'
import type { ContactBook } from './contact-book'

/**
 * Waits between attempts: soon at first (they may be starting up), then once a minute. Each
 * attempt is one bounded DHT lookup; a minute apart keeps a forgotten search cheap.
 */
const BACKOFF = [5_000, 10_000, 20_000, 40_000, 60_000]
/** A wake (a new LAN peer, the internet back) no sooner than this after the last attempt. */
const MIN_GAP = 2_000

/** What one attempt ended in. */
export type AttemptResult = 'found' | 'not-found' | 'stop'

export interface NumberSearchesOptions {
  book: ContactBook
  log: Log
  /** One bounded lookup of `number`; 'found' and 'stop' end the search, 'not-found' tries again later. */
  attempt: (number: string) => Promise<AttemptResult>
  backoff?: number[]
}

interface Search {
  number: string
  tries: number
  timer: ReturnType<typeof setTimeout> | null
  running: boolean
  last: number
}

/**
 * Numbers addContact keeps looking for after nobody answered: the person may be offline, or the
 * number mistyped (the two look the same from here). Each search is kept in the profile, so it
 * survives a restart, and runs until it finds them or the person cancels it.
 */
export class NumberSearches extends ReadyResource {
  private readonly _o: NumberSearchesOptions
  private readonly _backoff: number[]
  private readonly _searches = new Map<string, Search>()

  constructor(opts: NumberSearchesOptions) {
    super()
    const { backoff = BACKOFF } = opts
    this._o = opts
    this._backoff = backoff
  }

  protected override async _open(): Promise<void> {
    for (const r of this._o.book.searches()) this._track(r.number, 0)
  }

  protected override async _close(): Promise<void> {
    for (const s of this._searches.values()) if (s.timer) clearTimeout(s.timer)
    this._searches.clear()
  }

  has(number: string): boolean {
    return this._searches.has(number)
  }

  numbers(): string[] {
    return [...this._searches.keys()]
  }

  /** Keeps looking for `number` (the first lookup already failed). */
  async start(number: string): Promise<void> {
    if (this._searches.has(number)) return
    await this._o.book.putSearch({ number, added: Date.now() })
    this._track(number, 1)
  }

  /** Stops looking; true if there was a search. */
  async cancel(number: string): Promise<boolean> {
    const s = this._searches.get(number)
    if (s?.timer) clearTimeout(s.timer)
    this._searches.delete(number)
    await this._o.book.removeSearch(number)
    return s !== undefined
  }

  /** Something changed that may make them findable now (a LAN peer, the internet): try soon. */
  wake(): void {
    for (const s of this._searches.values()) {
      if (s.running) continue
      s.tries = 0
      this._schedule(s, Math.max(0, MIN_GAP - (Date.now() - s.last)))
    }
  }

  private _track(number: string, tries: number): void {
    const s: Search = { number, tries, timer: null, running: false, last: Date.now() }
    this._searches.set(number, s)
    this._schedule(s, this._delay(tries))
  }

  private _delay(tries: number): number {
    return this._backoff[Math.min(tries, this._backoff.length - 1)]
  }

  private _schedule(s: Search, ms: number): void {
    if (s.timer) clearTimeout(s.timer)
    s.timer = setTimeout(() => void this._run(s), ms)
  }

  private async _run(s: Search): Promise<void> {
    s.timer = null
    if (this.closing || this._searches.get(s.number) !== s || s.running) return
    s.running = true
    let result: AttemptResult = 'not-found'
    try {
      result = await this._o.attempt(s.number)
    } catch (err) {
      this._o.log(`search for ${s.number}: ${(err as Error).message}`)
    }
    s.running = false
    s.last = Date.now()
    if (this.closing || this._searches.get(s.number) !== s) return
    if (result !== 'not-found') {
      await this.cancel(s.number)
      return
    }
    s.tries++
    this._schedule(s, this._delay(s.tries))
  }
}
