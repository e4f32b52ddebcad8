import type Corestore from 'corestore'
import type Protomux from 'protomux'
import ReadyResource from 'ready-resource'
import type { ContactBook } from '../contacts/contact-book'
import type { KeyPair } from '../identity/identity'
import type { Log } from '../log'
import type { ProfileDevice, RoomEntry } from '../wire/schemas'
import { ProfileCore } from './profile-core'
import type { ProfileCoreOptions } from './profile-core'
import { ProfileMirrors } from './profile-mirrors'

/** How often the profile core is brought up to date with the contact book and room list. */
const SYNC_MS = 2000

export interface ProfileSyncOptions {
  store: Corestore
  keyPair: KeyPair | ProfileCoreOptions['keyPair']
  seed: ProfileCoreOptions['seed']
  book: ContactBook
  /** Devices we linked (written beside contacts and rooms). */
  devices?: () => ProfileDevice[]
  /** A linked device reads its person's profile and never writes it. */
  readOnly?: boolean
  rooms: () => Array<RoomEntry & { id: string }>
  /** A restore is under way: write nothing until release(), or we would fork the copy others hold. */
  hold?: boolean
  /** The protomux of every open connection (our copies are offered on each). */
  muxers: () => Protomux[]
  log: Log
}

/**
 * Keeps our profile core saying what the contact book and room list say (a cheap diff every
 * SYNC_MS; nothing is appended when nothing changed), and keeps blind copies of our accepted
 * contacts' profiles (checked on the same tick).
 */
export class ProfileSync extends ReadyResource {
  readonly profile: ProfileCore
  readonly mirrors: ProfileMirrors
  private readonly _o: ProfileSyncOptions
  private _hold: boolean
  private _timer: ReturnType<typeof setInterval> | null = null
  private _running: Promise<void> = Promise.resolve()

  constructor(opts: ProfileSyncOptions) {
    super()
    this._o = opts
    this._hold = (opts.hold ?? false) || (opts.readOnly ?? false)
    this.profile = new ProfileCore({ store: opts.store, keyPair: opts.keyPair, seed: opts.seed })
    this.mirrors = new ProfileMirrors(opts.store)
  }

  protected override async _open(): Promise<void> {
    await this.profile.ready()
    this._timer = setInterval(() => void this.sync(), SYNC_MS)
    this._timer.unref?.()
    await this.sync()
  }

  protected override async _close(): Promise<void> {
    if (this._timer) clearInterval(this._timer)
    await this._running
    await this.mirrors.close()
    await this.profile.close()
  }

  /**
   * A peer whose hello checked out: our profile goes to them (blind: they cannot read it, and a
   * device restoring our phrase is one of them), and our copy of *their* profile too, which is
   * how a device restoring their phrase gets it back. Nothing else of the store goes to anyone.
   */
  attach(publicKey: Buffer, mux: Protomux): void {
    if (this.closing) return
    this.profile.core.replicate(mux)
    this.mirrors.attach(publicKey, mux)
  }

  get holding(): boolean {
    return this._hold
  }

  release(): Promise<void> {
    this._hold = this._o.readOnly ?? false
    return this.sync()
  }

  /** One write at a time; a failure is logged and the next tick tries again. */
  sync(): Promise<void> {
    this._running = this._running.then(async () => {
      if (this.closing) return
      // Every accepted contact, however they became one (we asked, or they did).
      for (const r of this._o.book.all()) if (r.state === 'accepted') this.mirrors.mirror(r.publicKey)
      this.mirrors.offer(this._o.muxers())
      if (this._hold || this._o.store.primaryKey === null) return
      try {
        await this.profile.write({ storeSeed: this._o.store.primaryKey, settings: this._o.book.settings, contacts: this._o.book.all(), rooms: this._o.rooms(), devices: this._o.devices?.() ?? [] })
      } catch (err) {
        this._o.log('profile: sync failed: ' + (err as Error).message)
      }
    })
    return this._running
  }
}
