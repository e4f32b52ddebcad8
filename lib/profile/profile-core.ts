import b4a from 'b4a'
import c from 'compact-encoding'
import type Corestore from 'corestore'
import Hyperbee from 'hyperbee'
import Hypercore from 'hypercore'
import ReadyResource from 'ready-resource'
import sodium from 'sodium-universal'
import type { KeyPair } from '../identity/identity'
import { contactRecord, profileDevice, roomEntry, settingsRecord } from '../wire/schemas'
import type { ContactRecord, ProfileDevice, RoomEntry, SettingsRecord } from '../wire/schemas'

// The profile core: what a recovery phrase alone brings back. Its signer is the identity key
// under a namespace of its own (hypercore signs namespace-prefixed tree hashes, so nothing it signs
// can pass for anything else the identity key signs), so:
// - anyone who knows our public key (every contact) can compute its key and keep a blind copy;
// - its blocks are encrypted with a key derived from the seed, which only we have.

const NAMESPACE = domain('peerline/profile/v1')
const ENCRYPTION_DOMAIN = 'peerline/profile/v1/encryption'
const SEAL_DOMAIN = 'peerline/profile/v1/store-seed'

/** The store seed in the clear: written by profiles before 2.1, read, never written now. */
const STORE_SEED = 'store-seed'
/** The store seed sealed under a key from the identity seed (nonce | secretbox). */
const STORE_SEED_SEALED = 'store-seed/sealed'
const SETTINGS = 'settings'
const CONTACT = 'contact/'
const ROOM = 'room/'
const DEVICE = 'device/'

/** The profile core's key for a person: from their public key alone. */
export function profileKeyOf(publicKey: Buffer): Buffer {
  return Hypercore.key(publicKey, { namespace: NAMESPACE })
}

/** The profile core's encryption key: from the identity seed, which never leaves the device. */
export function profileEncryptionKey(seed: Buffer): Buffer {
  const out = b4a.alloc(32)
  sodium.crypto_generichash(out, b4a.from(ENCRYPTION_DOMAIN), seed)
  return out
}

/**
 * Seals what only the identity holder may read (the Corestore seed): the profile encryption key
 * is handed to linked devices, this key never is (it needs the identity seed).
 */
function sealKeyOf(seed: Buffer): Buffer {
  const out = b4a.alloc(sodium.crypto_secretbox_KEYBYTES)
  sodium.crypto_generichash(out, b4a.from(SEAL_DOMAIN), seed)
  return out
}

function sealSecret(key: Buffer, plain: Buffer): Buffer {
  const out = b4a.alloc(sodium.crypto_secretbox_NONCEBYTES + plain.byteLength + sodium.crypto_secretbox_MACBYTES)
  const nonce = out.subarray(0, sodium.crypto_secretbox_NONCEBYTES)
  sodium.randombytes_buf(nonce)
  sodium.crypto_secretbox_easy(out.subarray(nonce.byteLength), plain, nonce, key)
  return out
}

/** The sealed secret, or null when it does not open (another key, damage). */
function openSecret(key: Buffer, sealed: Buffer): Buffer | null {
  const n = sodium.crypto_secretbox_NONCEBYTES
  if (sealed.byteLength < n + sodium.crypto_secretbox_MACBYTES) return null
  const out = b4a.alloc(sealed.byteLength - n - sodium.crypto_secretbox_MACBYTES)
  return sodium.crypto_secretbox_open_easy(out, sealed.subarray(n), sealed.subarray(0, n), key) ? out : null
}

export interface ProfileSnapshot {
  /** The Corestore seed: our writer keys in every room derive from it. Null on a linked device (sealed). */
  storeSeed: Buffer | null
  settings: SettingsRecord | null
  contacts: ContactRecord[]
  rooms: Array<RoomEntry & { id: string }>
  /** Devices we linked (absent in profiles written before linked devices: none). */
  devices?: ProfileDevice[]
}

export interface ProfileCoreOptions {
  store: Corestore
  /** The identity key pair; only its public key on a linked device (which reads, never writes). */
  keyPair: KeyPair | { publicKey: Buffer; secretKey: null }
  /** The identity seed (the encryption key derives from it), or the encryption key itself on a linked device. */
  seed: Buffer | { encryptionKey: Buffer }
}

/** Our own profile core (writable; a Hyperbee of contacts, rooms and the store seed). */
export class ProfileCore extends ReadyResource {
  readonly core: Hypercore<Buffer>
  private readonly _bee: Hyperbee<string, Buffer>
  /** What we last wrote, as encoded bytes, so writing the same state appends nothing. */
  private readonly _written = new Map<string, Buffer>()
  /** Opens the sealed store seed: null on a linked device, which holds no identity seed. */
  private readonly _sealKey: Buffer | null

  constructor({ store, keyPair, seed }: ProfileCoreOptions) {
    super()
    this._sealKey = b4a.isBuffer(seed) ? sealKeyOf(seed) : null
    const manifest = { version: 1, signers: [{ signature: 'ed25519' as const, namespace: NAMESPACE, publicKey: keyPair.publicKey }] }
    const encryptionKey = b4a.isBuffer(seed) ? profileEncryptionKey(seed) : seed.encryptionKey
    this.core = keyPair.secretKey === null ? store.get({ manifest, encryptionKey }) : store.get({ keyPair, manifest, encryptionKey })
    this._bee = new Hyperbee<string, Buffer>(this.core, { keyEncoding: 'utf-8', valueEncoding: 'binary' })
  }

  protected override async _open(): Promise<void> {
    await this._bee.ready()
    await this._reload()
  }

  protected override async _close(): Promise<void> {
    await this._bee.close()
  }

  get key(): Buffer {
    return this.core.key as Buffer
  }

  get length(): number {
    return this.core.length
  }

  /** What the profile holds now (records that do not decode are skipped: a newer writer's). */
  async read(): Promise<ProfileSnapshot> {
    await this._reload()
    const out: ProfileSnapshot = { storeSeed: null, settings: null, contacts: [], rooms: [] }
    const devices: ProfileDevice[] = []
    for (const [key, value] of this._written) {
      try {
        if (key === STORE_SEED && value.byteLength === 32) out.storeSeed ??= value
        else if (key === STORE_SEED_SEALED) out.storeSeed = this._openSeed(value) ?? out.storeSeed
        else if (key === SETTINGS) out.settings = c.decode(settingsRecord, value)
        else if (key.startsWith(CONTACT)) out.contacts.push(c.decode(contactRecord, value))
        else if (key.startsWith(ROOM)) out.rooms.push({ id: key.slice(ROOM.length), ...c.decode(roomEntry, value) })
        else if (key.startsWith(DEVICE)) devices.push(c.decode(profileDevice, value))
      } catch {}
    }
    if (devices.length > 0) out.devices = devices
    return out
  }

  /** Makes the profile say `state`: one batch with only what changed (nothing when nothing did). */
  async write(state: ProfileSnapshot): Promise<number> {
    const want = new Map<string, Buffer>()
    // Sealed, never in the clear (a clear one from before 2.1 is deleted by this write). Only
    // the seed holder writes the profile; a linked device reads it.
    if (state.storeSeed && this._sealKey !== null) want.set(STORE_SEED_SEALED, this._sealedSeed(state.storeSeed, this._sealKey))
    if (state.settings) want.set(SETTINGS, c.encode(settingsRecord, state.settings))
    for (const r of state.contacts) want.set(CONTACT + b4a.toString(r.publicKey, 'hex'), c.encode(contactRecord, r))
    for (const d of state.devices ?? []) want.set(DEVICE + b4a.toString(d.device, 'hex'), c.encode(profileDevice, d))
    for (const r of state.rooms) want.set(ROOM + r.id, c.encode(roomEntry, { key: r.key, encryptionKey: r.encryptionKey, namespace: r.namespace, kind: r.kind, read: r.read, left: r.left }))
    const batch = this._bee.batch()
    let changes = 0
    for (const [key, value] of want) {
      const had = this._written.get(key)
      if (had !== undefined && b4a.equals(had, value)) continue
      await batch.put(key, value)
      changes++
    }
    for (const key of this._written.keys()) {
      if (want.has(key)) continue
      await batch.del(key)
      changes++
    }
    if (changes === 0) {
      await batch.close()
      return 0
    }
    await batch.flush()
    this._written.clear()
    for (const [k, v] of want) this._written.set(k, v)
    return changes
  }

  private _openSeed(sealed: Buffer): Buffer | null {
    if (this._sealKey === null) return null
    const seed = openSecret(this._sealKey, sealed)
    return seed !== null && seed.byteLength === 32 ? seed : null
  }

  /** The sealed seed as written, when it still holds this seed (a fresh nonce would append each sync). */
  private _sealedSeed(seed: Buffer, key: Buffer): Buffer {
    const had = this._written.get(STORE_SEED_SEALED)
    if (had !== undefined) {
      const open = this._openSeed(had)
      if (open !== null && b4a.equals(open, seed)) return had
    }
    return sealSecret(key, seed)
  }

  private async _reload(): Promise<void> {
    this._written.clear()
    for await (const { key, value } of this._bee.createReadStream()) this._written.set(key, value)
  }
}

function domain(text: string): Buffer {
  const out = b4a.alloc(32)
  sodium.crypto_generichash(out, b4a.from(text))
  return out
}
