import b4a from 'b4a'
import sodium from 'sodium-universal'

/**
 * Epoch keys: after a removal, texts are sealed with a key only the remaining members get, each
 * copy sealed to a member's identity (Ed25519 converted to Curve25519, crypto_box_seal). The room's
 * own encryption key (which a removed member keeps) then opens the cores but not the texts.
 */
export const EPOCH_KEY_BYTES = 32
export const SEALED_KEY_BYTES = EPOCH_KEY_BYTES + sodium.crypto_box_SEALBYTES
export const TEXT_NONCE_BYTES = sodium.crypto_secretbox_NONCEBYTES

export function newEpochKey(): Buffer {
  const key = b4a.alloc(EPOCH_KEY_BYTES)
  sodium.randombytes_buf(key)
  return key
}

/** `key` sealed to an identity public key, or null if that key is not a valid curve point. */
export function sealKeyTo(publicKey: Buffer, key: Buffer): Buffer | null {
  const curve = b4a.alloc(sodium.crypto_box_PUBLICKEYBYTES)
  try {
    sodium.crypto_sign_ed25519_pk_to_curve25519(curve, publicKey)
  } catch {
    return null
  }
  const box = b4a.alloc(SEALED_KEY_BYTES)
  sodium.crypto_box_seal(box, key, curve)
  return box
}

/** Opens a key sealed to this identity (its Ed25519 secret key), or null. */
export function openSealedKey(secretKey: Buffer, box: Buffer): Buffer | null {
  if (box.byteLength !== SEALED_KEY_BYTES) return null
  const pk = b4a.alloc(sodium.crypto_box_PUBLICKEYBYTES)
  const sk = b4a.alloc(sodium.crypto_box_SECRETKEYBYTES)
  try {
    sodium.crypto_sign_ed25519_pk_to_curve25519(pk, secretKey.subarray(32))
    sodium.crypto_sign_ed25519_sk_to_curve25519(sk, secretKey)
  } catch {
    return null
  }
  const key = b4a.alloc(EPOCH_KEY_BYTES)
  return sodium.crypto_box_seal_open(key, box, pk, sk) ? key : null
}

const KEY_REF_DOMAIN = 'peerline/epoch-key-ref/v1'

/** Names one sealed copy of an epoch key (a device grant says which copy its key came from). */
export function sealedKeyRef(box: Buffer): Buffer {
  const out = b4a.alloc(32)
  sodium.crypto_generichash(out, b4a.concat([b4a.from(KEY_REF_DOMAIN), box]))
  return out
}

export function sealText(key: Buffer, text: string): { nonce: Buffer; box: Buffer } {
  const message = b4a.from(text)
  const nonce = b4a.alloc(TEXT_NONCE_BYTES)
  sodium.randombytes_buf(nonce)
  const box = b4a.alloc(message.byteLength + sodium.crypto_secretbox_MACBYTES)
  sodium.crypto_secretbox_easy(box, message, nonce, key)
  return { nonce, box }
}

export function openText(key: Buffer, nonce: Buffer, box: Buffer): string | null {
  if (box.byteLength < sodium.crypto_secretbox_MACBYTES || nonce.byteLength !== TEXT_NONCE_BYTES) return null
  const message = b4a.alloc(box.byteLength - sodium.crypto_secretbox_MACBYTES)
  return sodium.crypto_secretbox_open_easy(message, box, nonce, key) ? b4a.toString(message) : null
}
