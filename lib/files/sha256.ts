import b4a from 'b4a'
import sodium from 'sodium-universal'

/** Streaming SHA-256 (libsodium's, so it runs on Bare too). */
export class Sha256 {
  private readonly _state = b4a.alloc(sodium.crypto_hash_sha256_STATEBYTES)

  constructor() {
    sodium.crypto_hash_sha256_init(this._state)
  }

  update(data: Buffer): void {
    sodium.crypto_hash_sha256_update(this._state, data)
  }

  digest(): string {
    const out = b4a.alloc(sodium.crypto_hash_sha256_BYTES)
    sodium.crypto_hash_sha256_final(this._state, out)
    return b4a.toString(out, 'hex')
  }
}
