import test from 'brittle'
import { setup } from '../../harness/agent-net'
import { aliceAndBob } from '../../harness/alice-and-bob'
import { eventually } from '../../harness/eventually'

test('A links A2; B sends to A\'s number, A and A2 both get it; A2 replies, B sees it from A\'s number; A2 removed gets nothing afterwards', { timeout: 240_000 }, async (t) => {
  const { start } = await setup(t)
  const a = await start('a')
  const b = await start('b')
  const { hi } = await aliceAndBob(a, b)

  const { link } = await a.call('createDeviceLink', {})
  const a2 = await start('a2')
  const ownNumber = a2.number
  const linked = await a2.call('linkDevice', { link })
  t.is(linked.number, a.number, 'the new device answers with A\'s number')
  t.not(ownNumber, a.number, 'it had a number of its own before (its own key: not the identity key)')
  await a2.waitFor('linkProgress', (p) => p.done === true, 90_000)
  t.is((await a2.call('whoami')).number, a.number, 'and is A from now on')
  const contacts = await a2.call('listContacts')
  t.alike(contacts.map((c) => [c.number, c.room]), (await a.call('listContacts')).map((c) => [c.number, c.room]), 'the same contact, in the same direct room')

  // B writes to A's number: both of A's devices get it.
  const m1 = await b.call('send', { to: a.number, text: 'to both of you' })
  await a.waitFor('message', (p) => p.id === m1.id, 60_000)
  await a2.waitFor('message', (p) => p.id === m1.id, 60_000)
  t.pass('A and A2 both get it')

  // A2 replies: B sees it from A's number, in the chat he already has.
  const r1 = await a2.call('send', { to: b.number, text: 'from my laptop' })
  t.is(r1.room, hi.room, 'sent in the existing direct room')
  const got = await b.waitFor('message', (p) => p.id === r1.id, 60_000)
  t.is(got.from, a.number, 'B sees it from A\'s number')
  await eventually(() => b.call('history', { to: a.number }), (h) => h.some((e) => e.id === r1.id), 30_000)
  t.is((await b.call('listRooms')).filter((x) => x.kind === 'direct').length, 1, 'B still has one chat with A')
  await eventually(() => a.call('history', { to: b.number }), (h) => h.some((e) => e.id === r1.id), 30_000)
  t.pass('A has it too, as its own')

  const onA = await a.call('listDevices')
  const onA2 = await eventually(() => a2.call('listDevices'), (l) => l.length === 2, 30_000)
  t.is(onA.length, 2, 'A lists two devices')
  t.alike(onA.map((d) => d.device).sort(), onA2.map((d) => d.device).sort(), 'the same two on both')
  t.is(onA.filter((d) => d.current).length, 1)
  t.is(onA2.filter((d) => d.current).length, 1)
  t.not(onA.find((d) => d.current)?.device, onA2.find((d) => d.current)?.device, 'each marks itself current')
  const second = onA.find((d) => !d.current)
  if (!second) return t.fail('no second device')

  // A removes A2: what B sends afterwards never reaches it.
  await a.call('removeDevice', { device: second.device })
  t.is((await a.call('listDevices')).length, 1, 'gone from A\'s list')
  // A writes after the removal; once B has that, B has applied the removal too (it comes first in
  // A's log) and dropped A2's session, and what B sends next is after the removal for B as well.
  const m3 = await a.call('send', { to: b.number, text: 'A still writes' })
  await b.waitFor('message', (p) => p.id === m3.id, 60_000)
  const m2 = await b.call('send', { to: a.number, text: 'after the laptop was removed' })
  await a.waitFor('message', (p) => p.id === m2.id, 60_000)
  t.is((await a.call('history', { to: b.number })).filter((e) => e.id === m2.id || e.id === m3.id).length, 2, 'A and B go on')
  const seen = await a2.call('history', { to: b.number })
  t.absent(seen.some((e) => e.id === m2.id || e.id === m3.id), 'A2 got nothing sent after its removal')
  t.ok(seen.some((e) => e.id === m1.id), 'and keeps what it had')
})
