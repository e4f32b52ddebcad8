import test from 'brittle'
import c from 'compact-encoding'
import crypto from 'hypercore-crypto'
import * as schema from '../../lib/wire/schemas'
import type { NewMember } from '../../lib/rooms/room'
import { converged, groupOfThree, numberOf, scheme, transcript } from '../../harness/room-net'

/** Counts the Argon2 derivations the (shared, cached) test scheme really runs. */
function countDerivations(t: { teardown: (fn: () => void) => void }): () => number {
  const s = scheme as unknown as { _derive: (key: Buffer) => Promise<string> }
  const derive = s._derive
  let n = 0
  s._derive = (key: Buffer) => {
    n++
    return derive.call(scheme, key)
  }
  t.teardown(() => {
    s._derive = derive
  })
  return () => n
}

test('a member flooding forged member records costs every member a bounded number of derivations', async (t) => {
  const { a, b, c: carol } = await groupOfThree(t)
  const all = [a, b, carol]
  const derivations = countDerivations(t)
  // 300 member records, each naming a fresh key with a signature that is random bytes: cheap to
  // write, and each would cost every member an Argon2 derivation (0.1-0.3 s, 64 MiB) to refuse.
  const forged = Array.from({ length: 300 }, () =>
    c.encode(schema.roomOp, {
      type: schema.OP_MEMBER,
      writerKey: crypto.randomBytes(32),
      publicKey: crypto.keyPair().publicKey,
      name: 'nobody',
      role: schema.ROLE_MEMBER,
      signature: crypto.randomBytes(64)
    })
  )
  for (let i = 0; i < forged.length; i += 50) await b.base.append(forged.slice(i, i + 50))
  await b.send('B after its flood')
  await a.send('the admin after the flood')
  const [n1, n2] = [await numberOf(1), await numberOf(2)]
  await converged(all, async (r) => {
    const lines = await transcript(r)
    return lines.includes(n1 + ': the admin after the flood') && lines.includes(n2 + ': B after its flood')
  })
  t.ok(derivations() <= 20, `derivations run for the flood: ${derivations()} (of 300 forged records)`)
  for (const r of all) t.is((await r.members()).length, 3, 'no forged member got in')
  t.alike(await transcript(a), await transcript(carol), 'honest members converge')
  t.ok(all.every((r) => r.broken === null), 'nobody is broken')
})

test('a joiner\'s bad member signature is refused before it is written: the admin\'s budget is untouched', async (t) => {
  const { a, b, c: carol } = await groupOfThree(t)
  const before = a.base.local?.length ?? 0
  // Twenty join requests whose member signature is random bytes (what a stranger with the room key could send).
  for (let i = 0; i < 20; i++) {
    const forged: NewMember = { writerKey: crypto.randomBytes(32), publicKey: crypto.keyPair().publicKey, name: 'x', role: schema.ROLE_MEMBER, signature: crypto.randomBytes(64) }
    await t.exception(a.addMember(forged), /does not verify/)
  }
  t.is(a.base.local?.length ?? 0, before, 'nothing was written to the admin\'s core')
  const admin = (await a.me())?.publicKey ?? crypto.randomBytes(32)
  t.is(await a.base.view.meta.get('failedrec/' + admin.toString('hex')), null, 'no failure counted against the admin')
  await a.send('the admin goes on')
  await converged([a, b, carol], async (r) => (await r.history()).some((m) => m.text === 'the admin goes on'))
})
