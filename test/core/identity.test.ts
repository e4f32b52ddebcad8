import test from 'brittle'
import b4a from 'b4a'
import fs from 'fs'
import path from 'path'
import { Identity, keyPairFromSeed } from '../../lib/identity/identity'
import { NumberScheme, INSECURE_TEST_PARAMS } from '../../lib/identity/number-scheme'
import { phraseToSeed, seedToPhrase } from '../../lib/identity/recovery-phrase'
import { safetyCode } from '../../lib/identity/safety-code'

const scheme = new NumberScheme(INSECURE_TEST_PARAMS)

test('recovery phrase round-trips a seed in 24 BIP39 words', (t) => {
  const seed = b4a.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex')
  const phrase = seedToPhrase(seed)
  t.is(phrase.split(' ').length, 24)
  // BIP39 test vector for this entropy (trezor/python-mnemonic vectors.json).
  t.ok(phrase.startsWith('abandon amount liar amount expire adjust cage candy arch gather drum bullet'))
  t.alike(phraseToSeed(phrase), seed)
  t.alike(phraseToSeed('  ' + phrase.toUpperCase().replace(/ /g, '   ') + '\n'), seed, 'case and spacing do not matter')
})

test('a wrong word, count or checksum is PHRASE_INVALID', (t) => {
  const phrase = seedToPhrase(b4a.alloc(32, 9)).split(' ')
  const wrongWord = [...phrase.slice(0, 23), 'notaword'].join(' ')
  const swapped = [phrase[1], phrase[0], ...phrase.slice(2)].join(' ')
  for (const bad of [wrongWord, phrase.slice(0, 12).join(' '), swapped, '']) {
    try {
      phraseToSeed(bad)
      if (bad === swapped && phrase[0] === phrase[1]) t.pass('identical words swapped')
      else t.fail('accepted ' + bad)
    } catch (err) {
      t.is((err as { code: string }).code, 'PHRASE_INVALID')
    }
  }
})

test('identity is made once, kept owner-only, and restored from its phrase', async (t) => {
  const dir = await t.tmp()
  const a = await Identity.open(path.join(dir, 'one'), scheme)
  const again = await Identity.open(path.join(dir, 'one'), scheme)
  t.alike(again.publicKey, a.publicKey, 'same identity on reopen')
  const file = path.join(dir, 'one', 'identity.seed')
  t.is(fs.statSync(file).mode & 0o777, 0o600, 'seed file is 0600')
  t.alike(a.keyPair, keyPairFromSeed(a.seed))

  const restored = await Identity.restore(path.join(dir, 'two'), a.phrase, scheme)
  t.alike(restored.publicKey, a.publicKey)
  t.is(restored.number, a.number)

  const other = await Identity.open(path.join(dir, 'three'), scheme)
  try {
    await Identity.restore(path.join(dir, 'three'), a.phrase, scheme)
    t.fail('overwrote an identity')
  } catch (err) {
    t.is((err as { code: string }).code, 'IDENTITY_EXISTS')
  }
  t.alike((await Identity.open(path.join(dir, 'three'), scheme)).publicKey, other.publicKey, 'untouched')
})

test('safety code is the same both ways round and differs per pair', (t) => {
  const a = keyPairFromSeed(b4a.alloc(32, 1)).publicKey
  const b = keyPairFromSeed(b4a.alloc(32, 2)).publicKey
  const c = keyPairFromSeed(b4a.alloc(32, 3)).publicKey
  t.is(safetyCode(a, b), safetyCode(b, a))
  t.not(safetyCode(a, b), safetyCode(a, c))
  t.ok(/^\d{5} \d{5} \d{5} \d{5}$/.test(safetyCode(a, b)), safetyCode(a, b))
})

test('replace keeps the old seed when the new one cannot be written', async (t) => {
  const dir = path.join(await t.tmp(), 'profile')
  const old = await Identity.open(dir, scheme)
  const file = path.join(dir, 'identity.seed')
  // Anything in the way of the temp file makes the write fail, as a full disk or a crash would.
  fs.mkdirSync(file + '.tmp')
  const phrase = seedToPhrase(b4a.alloc(32, 7))
  try {
    await Identity.replace(dir, phrase, scheme)
    t.fail('replaced without writing the new seed')
  } catch {
    t.pass('the write failed')
  }
  t.alike(b4a.from(fs.readFileSync(file)), old.seed, 'the old seed is still there')
  t.alike((await Identity.open(dir, scheme)).publicKey, old.publicKey, 'and opens')
  fs.rmdirSync(file + '.tmp')
  const replaced = await Identity.replace(dir, phrase, scheme)
  t.alike(replaced.seed, b4a.alloc(32, 7), 'replaced once the way is clear')
  t.alike(b4a.from(fs.readFileSync(file)), b4a.alloc(32, 7))
  t.absent(fs.existsSync(file + '.tmp'), 'no temp file left')
  t.is(fs.statSync(file).mode & 0o777, 0o600, 'still owner-only')
})

/** Counts derivations: a reopened profile should not need one. */
class CountingScheme extends NumberScheme {
  derivations = 0
  override derive(publicKey: Buffer): Promise<string> {
    this.derivations++
    return super.derive(publicKey)
  }
}

test('a reopened profile keeps its number without deriving it again; other parameters or a damaged note derive anew', async (t) => {
  const dir = path.join(await t.tmp(), 'p')
  const first = new CountingScheme(INSECURE_TEST_PARAMS)
  const a = await Identity.open(dir, first)
  t.is(first.derivations, 1)
  const second = new CountingScheme(INSECURE_TEST_PARAMS)
  const again = await Identity.open(dir, second)
  t.is(again.number, a.number)
  t.is(second.derivations, 0, 'the number was kept from the first start')

  const other = new CountingScheme({ ...INSECURE_TEST_PARAMS, digits: 4 })
  const wider = await Identity.open(dir, other)
  t.is(other.derivations, 1, 'other parameters derive again')
  t.is(wider.number.length, 4)

  for (const file of fs.readdirSync(dir).filter((f) => f.includes('number'))) fs.writeFileSync(path.join(dir, file), 'garbage')
  const damaged = new CountingScheme(INSECURE_TEST_PARAMS)
  t.is((await Identity.open(dir, damaged)).number, a.number)
  t.is(damaged.derivations, 1, 'a damaged note is derived again')
})
