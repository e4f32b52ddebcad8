import type * as Bip39 from 'bip39-mnemonic'
import b4a from 'b4a'
import { PeerlineError } from '../errors'

const WORDS = 24

let bip39: typeof Bip39 | null = null
/** Loaded on first use: its word lookup table (600 KB of JSON) cost 80-200 ms at every start. */
function wordlists(): typeof Bip39 {
  return (bip39 ??= require('bip39-mnemonic') as typeof Bip39)
}

/** The 24 BIP39 English words that encode a 32-byte identity seed. */
export function seedToPhrase(seed: Buffer): string {
  return wordlists().entropyToMnemonic(seed, { language: 'english' })
}

/** Inverse of seedToPhrase; PHRASE_INVALID for a wrong word, count or checksum. */
export function phraseToSeed(phrase: string): Buffer {
  const words = String(phrase).trim().toLowerCase().split(/\s+/).join(' ')
  if (words.split(' ').length !== WORDS || !wordlists().validateMnemonic(words)) {
    throw PeerlineError.PHRASE_INVALID()
  }
  return b4a.from(wordlists().mnemonicToEntropy(words))
}
