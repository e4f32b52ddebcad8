import b4a from 'b4a'
import sodium from 'sodium-universal'
import { PeerlineError } from '../errors'

/** Argon2id cost of one number derivation (see README: forging a number costs ~1e9 of these). */
export interface NumberParams {
  opslimit: number
  memlimit: number
  /** Digits in a number; always 9 outside tests. */
  digits: number
}

export const NUMBER_PARAMS: NumberParams = { opslimit: 3, memlimit: 64 * 1024 * 1024, digits: 9 }

/**
 * Cheap, three-digit numbers. Only for tests that need two keys on one number
 * (pinning and key-change paths); selected by PEERLINE_INSECURE_TEST_NUMBERS=1.
 */
export const INSECURE_TEST_PARAMS: NumberParams = { opslimit: 1, memlimit: 8192, digits: 3 }

const SALT_DOMAIN = 'peerline/number/v1'
const TOPIC_DOMAIN = 'peerline/number-topic/v1\n'
const CACHE_SIZE = 1024

/** Turns public keys into numbers and numbers into DHT topics. */
export class NumberScheme {
  readonly params: NumberParams
  private readonly _salt: Buffer
  private readonly _modulus: number
  private readonly _cache = new Map<string, Promise<string>>()

  constructor(params: NumberParams = NUMBER_PARAMS) {
    this.params = params
    this._modulus = 10 ** params.digits
    // A fixed, domain-separated salt: the number is a pure function of the key.
    const salt = b4a.alloc(32)
    sodium.crypto_generichash(salt, b4a.from(SALT_DOMAIN))
    this._salt = salt.subarray(0, sodium.crypto_pwhash_SALTBYTES)
  }

  static fromEnv(env: Record<string, string | undefined>): NumberScheme {
    return new NumberScheme(env.PEERLINE_INSECURE_TEST_NUMBERS === '1' ? INSECURE_TEST_PARAMS : NUMBER_PARAMS)
  }

  /** The number of a public key, as bare digits (leading zeros kept). Memory-hard; cached. */
  derive(publicKey: Buffer): Promise<string> {
    const id = b4a.toString(publicKey, 'hex')
    let result = this._cache.get(id)
    if (result !== undefined) return result
    result = this._derive(publicKey)
    if (this._cache.size >= CACHE_SIZE) this._cache.delete(this._cache.keys().next().value as string)
    this._cache.set(id, result)
    return result
  }

  private async _derive(publicKey: Buffer): Promise<string> {
    const out = b4a.alloc(16)
    await sodium.crypto_pwhash_async(
      out,
      publicKey,
      this._salt,
      this.params.opslimit,
      this.params.memlimit,
      sodium.crypto_pwhash_ALG_ARGON2ID13
    )
    // 48 bits reduced mod 10^9: the bias is below 4e-6, and it stays exact in a double.
    let n = 0
    for (let i = 0; i < 6; i++) n = n * 256 + out[i]
    return String(n % this._modulus).padStart(this.params.digits, '0')
  }

  /** True when `publicKey` derives to `number`. */
  async verify(publicKey: Buffer, number: string): Promise<boolean> {
    return (await this.derive(publicKey)) === number
  }

  /** The DHT topic everyone with this number announces. */
  topic(number: string): Buffer {
    const out = b4a.alloc(32)
    sodium.crypto_generichash(out, b4a.from(TOPIC_DOMAIN + number))
    return out
  }

  /** Accepts `123 456 789`, `123-456-789` or `123456789`; returns bare digits or throws NUMBER_INVALID. */
  parse(input: unknown): string {
    if (typeof input !== 'string') throw PeerlineError.NUMBER_INVALID(String(input))
    const trimmed = input.trim()
    const groups = this.params.digits / 3
    // The same separator (space, dash or none) between every group of three.
    const re = groups < 2 ? /^\d{3}$/ : new RegExp('^\\d{3}([ -]?)\\d{3}(?:\\1\\d{3}){' + (groups - 2) + '}$')
    if (!re.test(trimmed)) throw PeerlineError.NUMBER_INVALID(trimmed)
    return trimmed.replace(/[ -]/g, '')
  }

  /** `123456789` -> `123 456 789`. */
  format(number: string): string {
    return number.replace(/(\d{3})(?=\d)/g, '$1 ')
  }
}
