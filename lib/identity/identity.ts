import fs from 'fs'
import path from 'path'
import b4a from 'b4a'
import sodium from 'sodium-universal'
import { PeerlineError } from '../errors'
import { commitStaged, stageDurable, writeDurable } from '../storage/durable-file'
import { NumberScheme } from './number-scheme'
import { phraseToSeed, seedToPhrase } from './recovery-phrase'
import { readDeviceLink } from './device-link-file'
import type { DeviceLink } from './device-link-file'

export interface KeyPair {
  publicKey: Buffer
  secretKey: Buffer
}

export const SEED_FILE = 'identity.seed'
/** The number derived from the seed's key, kept so a start needs no Argon2id derivation. */
const NUMBER_FILE = 'identity.number'
/** The profile's Corestore folder, beside the seed. */
export const STORE_DIR = 'corestore'

/**
 * An Ed25519 key pair made from a 32-byte seed. The same pair is the Hyperswarm Noise key, so a
 * connection's remotePublicKey is the person. The seed lives in the profile, owner-only.
 */
export class Identity {
  /** The identity seed; on a linked device, that device's own seed (it never holds the identity's). */
  readonly seed: Buffer
  /** This device's Noise key pair: the identity key pair, or a linked device's own. */
  readonly keyPair: KeyPair
  /** The person's number. */
  readonly number: string
  /** Set on a linked device: its certificate and what the first device handed it. */
  readonly link: DeviceLink | null

  private constructor(seed: Buffer, keyPair: KeyPair, number: string, link: DeviceLink | null = null) {
    this.seed = seed
    this.keyPair = keyPair
    this.number = number
    this.link = link
  }

  /** The person's public key: the identity key (a linked device's certificate names it). */
  get publicKey(): Buffer {
    return this.link === null ? this.keyPair.publicKey : this.link.certificate.identity
  }

  /** True on a linked device (it cannot sign as the person). */
  get linked(): boolean {
    return this.link !== null
  }

  /** The recovery phrase that restores this identity (not on a linked device: it has none). */
  get phrase(): string {
    if (this.link !== null) throw PeerlineError.NOT_ALLOWED('This is a linked device: the recovery phrase is on the device that linked it.')
    return seedToPhrase(this.seed)
  }

  /** Signs as the person (member and device records); a linked device cannot. */
  sign(message: Buffer): Buffer {
    if (this.link !== null) throw PeerlineError.NOT_ALLOWED('A linked device cannot do this: do it on the device that holds the recovery phrase.')
    const signature = b4a.alloc(sodium.crypto_sign_BYTES)
    sodium.crypto_sign_detached(signature, message, this.keyPair.secretKey)
    return signature
  }

  static async fromSeed(seed: Buffer, scheme: NumberScheme): Promise<Identity> {
    const keyPair = keyPairFromSeed(seed)
    return new Identity(seed, keyPair, await scheme.derive(keyPair.publicKey))
  }

  /** Loads the profile's identity, making a new one on first use. */
  static async open(dir: string, scheme: NumberScheme): Promise<Identity> {
    const file = path.join(dir, SEED_FILE)
    let seed: Buffer
    if (fs.existsSync(file)) {
      seed = b4a.from(fs.readFileSync(file))
      if (seed.byteLength !== 32) throw new Error(`${file} is damaged: expected 32 bytes`)
    } else {
      seed = b4a.alloc(32)
      sodium.randombytes_buf(seed)
      writeSecret(dir, file, seed)
    }
    const keyPair = keyPairFromSeed(seed)
    const link = readDeviceLink(dir)
    if (link !== null) return new Identity(seed, keyPair, link.number, link)
    return new Identity(seed, keyPair, await keptNumber(dir, keyPair.publicKey, scheme))
  }

  /** Writes the identity of `phrase` into a profile that has none. */
  static async restore(dir: string, phrase: string, scheme: NumberScheme): Promise<Identity> {
    const seed = phraseToSeed(phrase)
    const file = path.join(dir, SEED_FILE)
    if (fs.existsSync(file)) {
      const existing = b4a.from(fs.readFileSync(file))
      if (!b4a.equals(existing, seed)) {
        throw PeerlineError.IDENTITY_EXISTS(dir)
      }
    } else {
      writeSecret(dir, file, seed)
    }
    return Identity.fromSeed(seed, scheme)
  }

  /**
   * Throws away this profile's identity and storage and writes the identity of `phrase`. Only for
   * a profile that holds nothing yet (the Api checks); the Corestore must be closed.
   */
  static async replace(dir: string, phrase: string, scheme: NumberScheme): Promise<Identity> {
    const seed = phraseToSeed(phrase)
    const file = path.join(dir, SEED_FILE)
    // The new seed is on disk (fsynced, under a temp name) before anything old is deleted; a
    // crash before the rename leaves the old seed, after it the new one.
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
    const staged = stageDurable(file, seed, { mode: 0o600 })
    fs.rmSync(path.join(dir, STORE_DIR), { recursive: true, force: true })
    commitStaged(staged, file)
    return Identity.fromSeed(seed, scheme)
  }
}

export function keyPairFromSeed(seed: Buffer): KeyPair {
  const publicKey = b4a.alloc(sodium.crypto_sign_PUBLICKEYBYTES)
  const secretKey = b4a.alloc(sodium.crypto_sign_SECRETKEYBYTES)
  sodium.crypto_sign_seed_keypair(publicKey, secretKey, seed)
  return { publicKey, secretKey }
}

/**
 * The number of the profile's key: derived (Argon2id, 0.1-0.5 s) on the first start and noted
 * beside the seed with the key and the scheme's parameters; a note that does not match them, or is
 * damaged, is derived again. The note holds nothing secret: the number is public.
 */
async function keptNumber(dir: string, publicKey: Buffer, scheme: NumberScheme): Promise<string> {
  const file = path.join(dir, NUMBER_FILE)
  const { opslimit, memlimit, digits } = scheme.params
  const tag = `${b4a.toString(publicKey, 'hex')} ${opslimit} ${memlimit} ${digits} `
  try {
    const note = fs.readFileSync(file, 'utf8')
    const number = note.slice(tag.length)
    if (note.startsWith(tag) && number.length === digits && /^\d+$/.test(number)) return number
  } catch {
    // no note yet
  }
  const number = await scheme.derive(publicKey)
  try {
    fs.writeFileSync(file, tag + number)
  } catch {
    // only a cache: the next start derives again
  }
  return number
}

function writeSecret(dir: string, file: string, seed: Buffer): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  writeDurable(file, seed, { mode: 0o600 })
}

