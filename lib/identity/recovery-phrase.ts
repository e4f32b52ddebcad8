import { entropyToMnemonic, mnemonicToEntropy, validateMnemonic } from 'bip39-mnemonic'
import b4a from 'b4a'
import { PeerlineError } from '../errors'

const WORDS = 24

/** The 24 BIP39 English words that encode a 32-byte identity seed. */
export function seedToPhrase(seed: Buffer): string {
  return entropyToMnemonic(seed, { language: 'english' })
}

/** Inverse of seedToPhrase; PHRASE_INVALID for a wrong word, count or checksum. */
export function phraseToSeed(phrase: string): Buffer {
  const words = String(phrase).trim().toLowerCase().split(/\s+/).join(' ')
  if (words.split(' ').length !== WORDS || !validateMnemonic(words)) {
    throw PeerlineError.PHRASE_INVALID()
  }
  return b4a.from(mnemonicToEntropy(words))
}
