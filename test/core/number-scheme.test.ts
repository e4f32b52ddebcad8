import test from 'brittle'
import b4a from 'b4a'
import { NumberScheme, INSECURE_TEST_PARAMS } from '../../lib/identity/number-scheme'
import { keyPairFromSeed } from '../../lib/identity/identity'

const scheme = new NumberScheme()

// Vectors: seed -> public key -> number. Any change to the derivation breaks every pinned contact.
const VECTORS = [
  { seed: '00'.repeat(32), number: '775794636' },
  { seed: '01'.repeat(32), number: '272853839' },
  { seed: '08'.repeat(32), number: '065702729' }, // a leading zero is kept
  { seed: 'ff'.repeat(32), number: '117139106' }
]

test('number vectors', async (t) => {
  for (const v of VECTORS) {
    const { publicKey } = keyPairFromSeed(b4a.from(v.seed, 'hex'))
    const number = await scheme.derive(publicKey)
    t.is(number, v.number, `seed ${v.seed.slice(0, 4)}.. derives to ${v.number}`)
    t.is(number.length, 9)
    t.ok(await scheme.verify(publicKey, number))
    t.absent(await scheme.verify(publicKey, '000000000'))
  }
})

test('number keeps leading zeros and formats in groups of three', (t) => {
  t.is(scheme.format('012345678'), '012 345 678')
  t.is(scheme.parse('012 345 678'), '012345678')
})

test('parse accepts the three written forms, nothing else', (t) => {
  for (const ok of ['123 456 789', '123-456-789', '123456789', '  123 456 789 ']) t.is(scheme.parse(ok), '123456789', ok)
  for (const bad of ['12345678', '1234567890', '123 456-789', '123.456.789', 'abc def ghi', '', '123  456 789', '１２３４５６７８９']) {
    t.exception(() => scheme.parse(bad), /NUMBER_INVALID|not a Peerline number/, JSON.stringify(bad))
    try {
      scheme.parse(bad)
    } catch (err) {
      t.is((err as { code: string }).code, 'NUMBER_INVALID')
    }
  }
  t.exception(() => scheme.parse(123456789 as unknown as string))
})

test('topic is 32 bytes, stable and domain-separated', (t) => {
  const a = scheme.topic('123456789')
  t.is(a.byteLength, 32)
  t.alike(scheme.topic('123456789'), a)
  t.unlike(scheme.topic('123456780'), a)
  t.is(b4a.toString(a, 'hex'), '7b9d054c603245fca17391c1d6424706c1e636568c0463a914d90e905156eb34')
})

test('derivation uses the documented Argon2id cost (3 passes, 64 MiB)', async (t) => {
  const { publicKey } = keyPairFromSeed(b4a.alloc(32, 7))
  const fresh = new NumberScheme()
  const start = Date.now()
  await fresh.derive(publicKey)
  const ms = Date.now() - start
  t.comment(`one derivation: ${ms} ms`)
  // Memory-hard parameters are the point; a behaviour check, loose enough for a loaded CI box.
  t.is(fresh.params.memlimit, 64 * 1024 * 1024)
  t.is(fresh.params.opslimit, 3)
})

test('insecure test scheme has three digits', async (t) => {
  const cheap = new NumberScheme(INSECURE_TEST_PARAMS)
  const n = await cheap.derive(keyPairFromSeed(b4a.alloc(32, 1)).publicKey)
  t.is(n.length, 3)
  t.is(cheap.parse(n), n)
  t.exception(() => cheap.parse('123 456 789'))
})
