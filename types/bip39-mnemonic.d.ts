// describes bip39-mnemonic@2.x (test/core/types-pinned.test.ts checks the installed major)
declare module 'bip39-mnemonic' {
  type Language =
    | 'english'
    | 'chinese_simplified'
    | 'chinese_traditional'
    | 'czech'
    | 'french'
    | 'italian'
    | 'japanese'
    | 'korean'
    | 'portuguese'
    | 'russian'
    | 'spanish'
    | 'turkish'
  /** Words for `entropy` (16-32 bytes; 32 bytes give 24 words). */
  export function entropyToMnemonic(entropy: Uint8Array, opts?: { language?: Language }): string
  export function generateMnemonic(opts?: { entropy?: Uint8Array; language?: Language }): string
  /** Throws on an unknown language, bad word, length or checksum. */
  export function mnemonicToEntropy(mnemonic: string): Buffer
  export function mnemonicToSeed(mnemonic: string): Promise<Buffer>
  export function validateMnemonic(mnemonic: string): boolean
  export function generateEntropy(): Buffer
}
