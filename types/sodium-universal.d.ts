// describes sodium-universal@5.x (test/core/types-pinned.test.ts checks the installed major)
// sodium-universal 5 re-exports sodium-native 5 (no @types/sodium-native is installed).
// All functions write into caller-allocated buffers and throw on wrong buffer sizes;
// the *_open / *_verify variants return false instead of throwing on authentication failure.
declare module 'sodium-universal' {
  namespace sodium {
    type Bytes = ArrayBufferView

    // memory
    function sodium_memzero(buf: Bytes): void
    function sodium_mlock(buf: Bytes): void
    function sodium_munlock(buf: Bytes): void
    function sodium_malloc(size: number): Buffer & { secure: true }
    function sodium_free(buf: Buffer): void
    function sodium_memcmp(a: Bytes, b: Bytes): boolean
    function sodium_compare(a: Bytes, b: Bytes): number
    function sodium_is_zero(buf: Bytes, length?: number): boolean
    function sodium_increment(buf: Bytes): void
    function sodium_add(a: Bytes, b: Bytes): void
    function sodium_sub(a: Bytes, b: Bytes): void
    /** returns the padded length */
    function sodium_pad(buf: Bytes, unpaddedLength: number, blockSize: number): number
    /** returns the unpadded length */
    function sodium_unpad(buf: Bytes, paddedLength: number, blockSize: number): number

    // randombytes
    const randombytes_SEEDBYTES: number
    function randombytes_buf(buf: Bytes): void
    function randombytes_buf_deterministic(buf: Bytes, seed: Bytes): void
    function randombytes_random(): number
    function randombytes_uniform(upperBound: number): number

    // crypto_sign (ed25519)
    const crypto_sign_SEEDBYTES: number
    const crypto_sign_PUBLICKEYBYTES: number
    const crypto_sign_SECRETKEYBYTES: number
    const crypto_sign_BYTES: number
    function crypto_sign_keypair(pk: Bytes, sk: Bytes): void
    function crypto_sign_seed_keypair(pk: Bytes, sk: Bytes, seed: Bytes): void
    function crypto_sign(signedMessage: Bytes, message: Bytes, sk: Bytes): void
    function crypto_sign_open(message: Bytes, signedMessage: Bytes, pk: Bytes): boolean
    function crypto_sign_detached(sig: Bytes, message: Bytes, sk: Bytes): void
    function crypto_sign_verify_detached(sig: Bytes, message: Bytes, pk: Bytes): boolean
    function crypto_sign_ed25519_sk_to_pk(pk: Bytes, sk: Bytes): void
    function crypto_sign_ed25519_pk_to_curve25519(x25519pk: Bytes, ed25519pk: Bytes): void
    function crypto_sign_ed25519_sk_to_curve25519(x25519sk: Bytes, ed25519sk: Bytes): void

    // crypto_box (curve25519xsalsa20poly1305)
    const crypto_box_SEEDBYTES: number
    const crypto_box_PUBLICKEYBYTES: number
    const crypto_box_SECRETKEYBYTES: number
    const crypto_box_NONCEBYTES: number
    const crypto_box_MACBYTES: number
    const crypto_box_SEALBYTES: number
    const crypto_box_PRIMITIVE: string
    function crypto_box_keypair(pk: Bytes, sk: Bytes): void
    function crypto_box_seed_keypair(pk: Bytes, sk: Bytes, seed: Bytes): void
    function crypto_box_easy(ciphertext: Bytes, message: Bytes, nonce: Bytes, pk: Bytes, sk: Bytes): void
    function crypto_box_open_easy(message: Bytes, ciphertext: Bytes, nonce: Bytes, pk: Bytes, sk: Bytes): boolean
    function crypto_box_detached(ciphertext: Bytes, mac: Bytes, message: Bytes, nonce: Bytes, pk: Bytes, sk: Bytes): void
    function crypto_box_open_detached(
      message: Bytes,
      ciphertext: Bytes,
      mac: Bytes,
      nonce: Bytes,
      pk: Bytes,
      sk: Bytes
    ): boolean
    function crypto_box_seal(ciphertext: Bytes, message: Bytes, pk: Bytes): void
    function crypto_box_seal_open(message: Bytes, ciphertext: Bytes, pk: Bytes, sk: Bytes): boolean

    // crypto_secretbox (xsalsa20poly1305)
    const crypto_secretbox_KEYBYTES: number
    const crypto_secretbox_NONCEBYTES: number
    const crypto_secretbox_MACBYTES: number
    const crypto_secretbox_PRIMITIVE: string
    function crypto_secretbox_easy(ciphertext: Bytes, message: Bytes, nonce: Bytes, key: Bytes): void
    function crypto_secretbox_open_easy(message: Bytes, ciphertext: Bytes, nonce: Bytes, key: Bytes): boolean
    function crypto_secretbox_detached(ciphertext: Bytes, mac: Bytes, message: Bytes, nonce: Bytes, key: Bytes): void
    function crypto_secretbox_open_detached(
      message: Bytes,
      ciphertext: Bytes,
      mac: Bytes,
      nonce: Bytes,
      key: Bytes
    ): boolean

    // crypto_aead_xchacha20poly1305_ietf
    const crypto_aead_xchacha20poly1305_ietf_ABYTES: number
    const crypto_aead_xchacha20poly1305_ietf_KEYBYTES: number
    const crypto_aead_xchacha20poly1305_ietf_NPUBBYTES: number
    const crypto_aead_xchacha20poly1305_ietf_NSECBYTES: number
    const crypto_aead_xchacha20poly1305_ietf_MESSAGEBYTES_MAX: number
    function crypto_aead_xchacha20poly1305_ietf_keygen(key: Bytes): void
    /** nsec must be null; returns the number of bytes written */
    function crypto_aead_xchacha20poly1305_ietf_encrypt(
      ciphertext: Bytes,
      message: Bytes,
      additionalData: Bytes | null,
      nsec: null,
      npub: Bytes,
      key: Bytes
    ): number
    /** nsec must be null; returns the number of bytes written and THROWS if verification fails */
    function crypto_aead_xchacha20poly1305_ietf_decrypt(
      message: Bytes,
      nsec: null,
      ciphertext: Bytes,
      additionalData: Bytes | null,
      npub: Bytes,
      key: Bytes
    ): number

    // crypto_generichash (BLAKE2b)
    const crypto_generichash_STATEBYTES: number
    const crypto_generichash_PRIMITIVE: string
    const crypto_generichash_BYTES_MIN: number
    const crypto_generichash_BYTES_MAX: number
    const crypto_generichash_BYTES: number
    const crypto_generichash_KEYBYTES_MIN: number
    const crypto_generichash_KEYBYTES_MAX: number
    const crypto_generichash_KEYBYTES: number
    /** output length selects the digest size (BYTES_MIN..BYTES_MAX) */
    function crypto_generichash(output: Bytes, input: Bytes, key?: Bytes | null): void
    function crypto_generichash_batch(output: Bytes, inputs: readonly Bytes[], key?: Bytes | null): void
    function crypto_generichash_keygen(key: Bytes): void
    function crypto_generichash_init(state: Bytes, key: Bytes | null | undefined, outputLength: number): void
    function crypto_generichash_update(state: Bytes, input: Bytes): void
    function crypto_generichash_final(state: Bytes, output: Bytes): void

    // crypto_hash
    const crypto_hash_BYTES: number
    const crypto_hash_PRIMITIVE: string
    const crypto_hash_sha256_BYTES: number
    const crypto_hash_sha256_STATEBYTES: number
    const crypto_hash_sha512_BYTES: number
    const crypto_hash_sha512_STATEBYTES: number
    function crypto_hash(output: Bytes, input: Bytes): void
    function crypto_hash_sha256(output: Bytes, input: Bytes): void
    function crypto_hash_sha256_init(state: Bytes): void
    function crypto_hash_sha256_update(state: Bytes, input: Bytes): void
    function crypto_hash_sha256_final(state: Bytes, output: Bytes): void
    function crypto_hash_sha512(output: Bytes, input: Bytes): void
    function crypto_hash_sha512_init(state: Bytes): void
    function crypto_hash_sha512_update(state: Bytes, input: Bytes): void
    function crypto_hash_sha512_final(state: Bytes, output: Bytes): void

    // crypto_auth (HMAC-SHA512-256)
    const crypto_auth_BYTES: number
    const crypto_auth_KEYBYTES: number
    const crypto_auth_PRIMITIVE: string
    function crypto_auth(output: Bytes, input: Bytes, key: Bytes): void
    function crypto_auth_verify(mac: Bytes, input: Bytes, key: Bytes): boolean

    // crypto_shorthash (SipHash-2-4)
    const crypto_shorthash_BYTES: number
    const crypto_shorthash_KEYBYTES: number
    const crypto_shorthash_PRIMITIVE: string
    function crypto_shorthash(output: Bytes, input: Bytes, key: Bytes): void

    // crypto_kdf
    const crypto_kdf_BYTES_MIN: number
    const crypto_kdf_BYTES_MAX: number
    const crypto_kdf_CONTEXTBYTES: number
    const crypto_kdf_KEYBYTES: number
    const crypto_kdf_PRIMITIVE: string
    function crypto_kdf_keygen(key: Bytes): void
    /** context must be crypto_kdf_CONTEXTBYTES (8) bytes */
    function crypto_kdf_derive_from_key(subkey: Bytes, subkeyId: number, context: Bytes, key: Bytes): void

    // crypto_kx
    const crypto_kx_PUBLICKEYBYTES: number
    const crypto_kx_SECRETKEYBYTES: number
    const crypto_kx_SEEDBYTES: number
    const crypto_kx_SESSIONKEYBYTES: number
    const crypto_kx_PRIMITIVE: string
    function crypto_kx_keypair(pk: Bytes, sk: Bytes): void
    function crypto_kx_seed_keypair(pk: Bytes, sk: Bytes, seed: Bytes): void
    function crypto_kx_client_session_keys(
      rx: Bytes | null,
      tx: Bytes | null,
      clientPk: Bytes,
      clientSk: Bytes,
      serverPk: Bytes
    ): void
    function crypto_kx_server_session_keys(
      rx: Bytes | null,
      tx: Bytes | null,
      serverPk: Bytes,
      serverSk: Bytes,
      clientPk: Bytes
    ): void

    // crypto_scalarmult (x25519)
    const crypto_scalarmult_BYTES: number
    const crypto_scalarmult_SCALARBYTES: number
    const crypto_scalarmult_PRIMITIVE: string
    function crypto_scalarmult_base(q: Bytes, n: Bytes): void
    function crypto_scalarmult(q: Bytes, n: Bytes, p: Bytes): void

    // crypto_stream
    const crypto_stream_KEYBYTES: number
    const crypto_stream_NONCEBYTES: number
    const crypto_stream_PRIMITIVE: string
    const crypto_stream_xchacha20_KEYBYTES: number
    const crypto_stream_xchacha20_NONCEBYTES: number
    function crypto_stream(ciphertext: Bytes, nonce: Bytes, key: Bytes): void
    function crypto_stream_xor(ciphertext: Bytes, message: Bytes, nonce: Bytes, key: Bytes): void
    function crypto_stream_xchacha20_xor(ciphertext: Bytes, message: Bytes, nonce: Bytes, key: Bytes): void

    // crypto_secretstream (xchacha20poly1305): tags are numbers on push, a 1-byte buffer on pull
    const crypto_secretstream_xchacha20poly1305_ABYTES: number
    const crypto_secretstream_xchacha20poly1305_HEADERBYTES: number
    const crypto_secretstream_xchacha20poly1305_KEYBYTES: number
    const crypto_secretstream_xchacha20poly1305_STATEBYTES: number
    const crypto_secretstream_xchacha20poly1305_TAG_MESSAGE: number
    const crypto_secretstream_xchacha20poly1305_TAG_FINAL: number
    function crypto_secretstream_xchacha20poly1305_init_push(state: Bytes, header: Bytes, key: Bytes): void
    function crypto_secretstream_xchacha20poly1305_init_pull(state: Bytes, header: Bytes, key: Bytes): void
    /** c is m.byteLength + ABYTES long; returns the bytes written */
    function crypto_secretstream_xchacha20poly1305_push(state: Bytes, c: Bytes, m: Bytes, ad: Bytes | null, tag: number): number
    /** throws when c does not authenticate; returns the bytes written to m */
    function crypto_secretstream_xchacha20poly1305_pull(state: Bytes, m: Bytes, tag: Bytes, c: Bytes, ad: Bytes | null): number

    // crypto_pwhash (Argon2)
    const crypto_pwhash_ALG_ARGON2I13: number
    const crypto_pwhash_ALG_ARGON2ID13: number
    const crypto_pwhash_ALG_DEFAULT: number
    const crypto_pwhash_BYTES_MIN: number
    const crypto_pwhash_BYTES_MAX: number
    const crypto_pwhash_PASSWD_MIN: number
    const crypto_pwhash_PASSWD_MAX: number
    const crypto_pwhash_SALTBYTES: number
    const crypto_pwhash_STRBYTES: number
    const crypto_pwhash_STRPREFIX: string
    const crypto_pwhash_OPSLIMIT_MIN: number
    const crypto_pwhash_OPSLIMIT_MAX: number
    const crypto_pwhash_MEMLIMIT_MIN: number
    const crypto_pwhash_MEMLIMIT_MAX: number
    const crypto_pwhash_OPSLIMIT_INTERACTIVE: number
    const crypto_pwhash_MEMLIMIT_INTERACTIVE: number
    const crypto_pwhash_OPSLIMIT_MODERATE: number
    const crypto_pwhash_MEMLIMIT_MODERATE: number
    const crypto_pwhash_OPSLIMIT_SENSITIVE: number
    const crypto_pwhash_MEMLIMIT_SENSITIVE: number
    const crypto_pwhash_PRIMITIVE: string
    /** salt must be crypto_pwhash_SALTBYTES (16) bytes; alg 1 (Argon2i) or 2 (Argon2id) */
    function crypto_pwhash(
      output: Bytes,
      password: Bytes,
      salt: Bytes,
      opslimit: number,
      memlimit: number,
      alg: number
    ): void
    /** Runs on the libuv threadpool; returns a promise unless a callback is passed. */
    function crypto_pwhash_async(
      output: Bytes,
      password: Bytes,
      salt: Bytes,
      opslimit: number,
      memlimit: number,
      alg: number
    ): Promise<void>
    function crypto_pwhash_async(
      output: Bytes,
      password: Bytes,
      salt: Bytes,
      opslimit: number,
      memlimit: number,
      alg: number,
      callback: (err: Error | null) => void
    ): undefined
    function crypto_pwhash_str(output: Bytes, password: Bytes, opslimit: number, memlimit: number): void
    function crypto_pwhash_str_async(output: Bytes, password: Bytes, opslimit: number, memlimit: number): Promise<void>
    function crypto_pwhash_str_async(
      output: Bytes,
      password: Bytes,
      opslimit: number,
      memlimit: number,
      callback: (err: Error | null) => void
    ): undefined
    function crypto_pwhash_str_verify(str: Bytes, password: Bytes): boolean
    function crypto_pwhash_str_verify_async(str: Bytes, password: Bytes): Promise<boolean>
    function crypto_pwhash_str_verify_async(
      str: Bytes,
      password: Bytes,
      callback: (err: Error | null, ok: boolean) => void
    ): undefined
    function crypto_pwhash_str_needs_rehash(str: Bytes, opslimit: number, memlimit: number): boolean
  }

  export = sodium
}
