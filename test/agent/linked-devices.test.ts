import test from 'brittle'
import { befriend, setup } from '../../harness/agent-net'
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
  // A writes after the removal; once B has applied that, B has applied the removal too (it comes
  // first in A's log) and dropped A2's session, and what B sends next is sealed in the new epoch.
  // (B's 'message' notification is not enough: it can come from the live copy, before apply.)
  const m3 = await a.call('send', { to: b.number, text: 'A still writes' })
  await eventually(() => b.call('history', { to: a.number }), (h) => h.some((e) => e.id === m3.id), 60_000)
  const m2 = await b.call('send', { to: a.number, text: 'after the laptop was removed' })
  // A's notification can come from B's live copy, before the durable op: wait for A's history.
  const afterRemoval = await eventually(() => a.call('history', { to: b.number }), (h) => h.some((e) => e.id === m2.id), 60_000)
  t.is(afterRemoval.filter((e) => e.id === m2.id || e.id === m3.id).length, 2, 'A and B go on')
  const seen = await a2.call('history', { to: b.number })
  if (seen.some((e) => e.id === m2.id || e.id === m3.id)) t.comment('A2 history and logs: ' + JSON.stringify(seen) + '\n' + a2.logs.slice(-60).join('\n'))
  t.absent(seen.some((e) => e.id === m2.id || e.id === m3.id), 'A2 got nothing sent after its removal')
  t.ok(seen.some((e) => e.id === m1.id), 'and keeps what it had')
})

// The link is spent once A2 is in: later rooms and contacts reach it through A's profile core
// (which A2 reads and follows), and A signs A2 into them over the device channel.
test('a group room and a contact A adds after linking reach A2, which reads and writes in both', { timeout: 300_000 }, async (t) => {
  const { start } = await setup(t)
  const a = await start('a')
  const b = await start('b')
  const c = await start('c')
  await befriend(a, b)
  const { link } = await a.call('createDeviceLink', {})
  const a2 = await start('a2')
  await a2.call('linkDevice', { link })
  await a2.waitFor('linkProgress', (p) => p.done === true, 90_000)

  const { room, invite } = await a.call('createRoom', { name: 'After the link' })
  await b.call('joinRoom', { invite })
  await eventually(() => a.call('members', { room }), (m) => m.length === 2, 60_000)
  const fromB = await b.call('send', { to: room, text: 'B in the group' })
  await befriend(a, c)
  const withC = (await a.call('listContacts')).find((x) => x.number === c.number)?.room
  t.ok(withC, 'A has a direct room with C')

  // A2 restarts its core to take them in: calls answer CLOSED for that moment.
  const onA2 = await eventually(() => calm(a2.call('listRooms')), (l) => l !== null && l.some((r) => r.room === room) && l.some((r) => r.room === withC), 90_000)
  t.ok(onA2 !== null && onA2.some((r) => r.room === room) && onA2.some((r) => r.room === withC), 'A2 has the group room and the direct room with C')
  const contacts = await eventually(() => calm(a2.call('listContacts')), (l) => l !== null && l.some((x) => x.number === c.number && x.state === 'accepted'), 60_000)
  t.is(contacts?.find((x) => x.number === c.number)?.room, withC, 'and C as a contact, in the same direct room')
  const read = await eventually(() => calm(a2.call('history', { to: room })), (h) => h !== null && h.some((m) => m.id === fromB.id), 60_000)
  t.ok(read?.some((m) => m.id === fromB.id), 'A2 reads what B wrote in the group')

  const inGroup = await a2.call('send', { to: room, text: 'A2 in the group' })
  t.is((await b.waitFor('message', (p) => p.id === inGroup.id, 90_000)).from, a.number, 'B gets A2\'s message from A\'s number')
  const toC = await a2.call('send', { to: c.number, text: 'A2 to C' })
  t.is(toC.room, withC, 'in the direct room A has with C')
  t.is((await c.waitFor('message', (p) => p.id === toC.id, 90_000)).from, a.number, 'C gets it from A\'s number')
})

/** The call's answer, or null while the core restarts (CLOSED). */
async function calm<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p
  } catch (err) {
    if ((err as { data?: { code?: string } }).data?.code === 'CLOSED') return null
    throw err
  }
}
