import test from 'brittle'
import { setup } from '../../harness/agent-net'
import type { AgentProcess } from '../../harness/agent'
import { aliceAndBob } from '../../harness/alice-and-bob'
import { eventually } from '../../harness/eventually'

/** Links a fresh agent `name` as another device of `a`; resolves once its link is done. */
async function linkNew(a: AgentProcess, start: (name: string) => Promise<AgentProcess>, name: string): Promise<AgentProcess> {
  const { link } = await a.call('createDeviceLink', {})
  const device = await start(name)
  await device.call('linkDevice', { link })
  await device.waitFor('linkProgress', (p) => p.done === true, 90_000)
  return device
}

// A device removal starts a new epoch in the direct room, its key sealed to identity keys. A
// linked device holds no identity secret: it reads that epoch only through the grant sealed to its
// own device key (OP_DEVICE_GRANT), appended with the epoch, or when it is signed in later.
test('A links A2 and A3 and removes A3: A2 reads and writes in the new epoch, A3 reads nothing of it, A4 linked later reads it', { timeout: 360_000 }, async (t) => {
  const { start } = await setup(t)
  const a = await start('a')
  const b = await start('b')
  const { hi } = await aliceAndBob(a, b)
  const a2 = await linkNew(a, start, 'a2')
  const a3 = await linkNew(a, start, 'a3')
  const m1 = await b.call('send', { to: a.number, text: 'to all three of you' })
  for (const d of [a2, a3]) await eventually(() => d.call('history', { to: b.number }), (h) => h.some((e) => e.id === m1.id), 60_000)
  t.pass('A2 and A3 read the room before any removal (epoch 0: the room key)')

  const devices = await a.call('listDevices')
  const a3Key = (await a3.call('listDevices')).find((d) => d.current)?.device
  t.ok(a3Key && devices.some((d) => d.device === a3Key), 'A lists A3')
  await a.call('removeDevice', { device: a3Key ?? '' })
  // Once B has applied A's message after the removal, it applied the removal and the new epoch
  // (they come first in A's log), so what B sends next is sealed in that epoch.
  const m3 = await a.call('send', { to: b.number, text: 'A after removing A3' })
  await eventually(() => b.call('history', { to: a.number }), (h) => h.some((e) => e.id === m3.id), 60_000)
  const m2 = await b.call('send', { to: a.number, text: 'sealed in the new epoch' })
  await a.waitFor('message', (p) => p.id === m2.id, 60_000)

  const onA2 = await eventually(() => a2.call('history', { to: b.number }), (h) => h.some((e) => e.id === m2.id), 60_000)
  t.is(onA2.find((e) => e.id === m2.id)?.text, 'sealed in the new epoch', 'A2 reads what B sent in the new epoch')
  t.ok(onA2.some((e) => e.id === m3.id), 'and what A sent in it')
  const r = await a2.call('send', { to: b.number, text: 'A2 in the new epoch' })
  t.is(r.room, hi.room, 'A2 writes in the same direct room')
  t.is((await b.waitFor('message', (p) => p.id === r.id, 60_000)).from, a.number, 'B gets it from A\'s number')
  await eventually(() => b.call('history', { to: a.number }), (h) => h.find((e) => e.id === r.id)?.text === 'A2 in the new epoch', 30_000)
  t.pass('B reads it stored (sealed with the epoch key A2 was granted)')

  const onA3 = await a3.call('history', { to: b.number })
  t.absent(onA3.some((e) => e.id === m2.id || e.id === m3.id || e.id === r.id), 'A3 got nothing sent after its removal')
  t.ok(onA3.some((e) => e.id === m1.id), 'and keeps what it had')

  // A device signed in after the epoch began gets the epochs its person holds, with its record.
  const a4 = await linkNew(a, start, 'a4')
  const onA4 = await eventually(() => a4.call('history', { to: b.number }), (h) => h.some((e) => e.id === m2.id) && h.some((e) => e.id === r.id), 90_000)
  t.is(onA4.find((e) => e.id === m2.id)?.text, 'sealed in the new epoch', 'A4, linked later, reads the sealed history')
  t.ok(onA4.some((e) => e.id === m1.id), 'and what came before it')
})
