import b4a from 'b4a'
import sodium from 'sodium-universal'

const DOMAIN = 'peerline/safety-code/v1'
const GROUPS = 4
const GROUP_DIGITS = 5

/**
 * A fingerprint of both keys that both people see the same way round (like Signal's safety
 * number): 20 digits in groups of five, read out loud or compared on screen.
 */
export function safetyCode(keyA: Buffer, keyB: Buffer): string {
  const [lo, hi] = b4a.compare(keyA, keyB) <= 0 ? [keyA, keyB] : [keyB, keyA]
  const out = b4a.alloc(32)
  sodium.crypto_generichash(out, b4a.concat([b4a.from(DOMAIN), lo, hi]))
  const groups: string[] = []
  for (let i = 0; i < GROUPS; i++) {
    // 5 bytes -> 40 bits, reduced to 5 digits (bias ~1e-7).
    let n = 0
    for (let j = 0; j < 5; j++) n = n * 256 + out[i * 5 + j]
    groups.push(String(n % 10 ** GROUP_DIGITS).padStart(GROUP_DIGITS, '0'))
  }
  return groups.join(' ')
}
