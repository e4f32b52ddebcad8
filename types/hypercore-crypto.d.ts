// describes hypercore-crypto@3.x (test/core/types-pinned.test.ts checks the installed major)
declare module 'hypercore-crypto' {
  namespace crypto {
    interface KeyPair {
      publicKey: Buffer
      secretKey: Buffer
    }
    interface TreeNode {
      index: number
      size: number
      hash: Uint8Array
    }

    /** ed25519 signing key pair; seed (32 bytes) makes it deterministic */
    function keyPair(seed?: Uint8Array | null): KeyPair
    function validateKeyPair(keyPair: { publicKey: Uint8Array; secretKey: Uint8Array }): boolean
    function sign(message: Uint8Array, secretKey: Uint8Array): Buffer
    /** false (never throws) on wrong signature or key sizes */
    function verify(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean

    /** sealed box to a curve25519 public key */
    function encrypt(message: Uint8Array, publicKey: Uint8Array): Buffer
    function decrypt(ciphertext: Uint8Array, keyPair: { publicKey: Uint8Array; secretKey: Uint8Array }): Buffer | null
    /** curve25519 (box) key pair */
    function encryptionKeyPair(seed?: Uint8Array | null): KeyPair

    /** merkle leaf hash */
    function data(data: Uint8Array): Buffer
    function parent(a: TreeNode, b: TreeNode): Buffer
    function tree(roots: readonly TreeNode[], out?: Uint8Array): Buffer
    /** BLAKE2b-256 of one buffer or of the concatenation of several */
    function hash(data: Uint8Array | readonly Uint8Array[], out?: Buffer): Buffer
    function randomBytes(n: number): Buffer
    /** throws unless key is 32 bytes */
    function discoveryKey(key: Uint8Array): Buffer
    function free(secureBuf: Buffer): void
    /** count ids 0..count-1, or the given list of ids (each 0..255); returns one 32-byte buffer per id */
    function namespace(name: string | Uint8Array, count: number | readonly number[]): Buffer[]
  }

  export = crypto
}
