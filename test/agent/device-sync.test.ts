import test from 'brittle'
import { befriend, setup } from '../../harness/agent-net'
import type { AgentProcess } from '../../harness/agent'
import { aliceAndBob } from '../../harness/alice-and-bob'
import { eventually } from '../../harness/eventually'
import { calm, linkNewDevice } from '../../harness/linked-device'

// How long a read on one device may take to show on the other (they are connected): a bound for
// the test to end, not a speed check (the sync sends within a second).
const SYNC_BOUND = 20_000

// Read state and the rooms a person left follow them across their devices (docs/devices.md 3 i).
test('A reads on one device, A2 shows it read, and the reverse; a group A leaves and a contact A blocks leave A2 too', { timeout: 300_000 }, async (t) => {
  const { start } = await setup(t)
  const a = await start('a')
  const b = await start('b')
  const c = await start('c')
  const { hi } = await aliceAndBob(a, b)
  const a2 = await linkNewDevice(a, start)
  await a.call('markRead', { room: hi.room })

  // B writes to A: both devices store it unread.
  const m1 = 'read me on either'
  await b.call('send', { to: a.number, text: m1 })
  await eventually(() => unread(a, hi.room), (n) => n >= 1, 60_000)
  await eventually(() => stored(a2, hi.room, m1), (x) => x, 60_000)
  t.ok((await unread(a2, hi.room)) >= 1, 'A2 shows it unread')

  // A reads it: A2's count goes to 0, and A2's client hears it (roomUpdate), as for a local read.
  // Only an update that counts m1 (waitFor also looks at past notifications).
  const held = (await a2.call('listRooms')).find((r) => r.room === hi.room)?.length ?? Infinity
  const told = a2.waitFor('roomUpdate', (s) => s.room === hi.room && s.length >= held && s.unread === 0, SYNC_BOUND)
  let since = Date.now()
  await a.call('markRead', { room: hi.room })
  t.is(await unread(a, hi.room), 0, 'read on A')
  await told
  t.comment(`A's read reached A2 in ${Date.now() - since} ms`)
  t.is(await unread(a2, hi.room), 0, 'and on A2, with a roomUpdate saying so')

  // The reverse: A2 reads what B sends next, and A's count drops.
  const m2 = 'and now the other way'
  await b.call('send', { to: a.number, text: m2 })
  await eventually(() => stored(a, hi.room, m2), (x) => x, 60_000)
  await eventually(() => stored(a2, hi.room, m2), (x) => x, 60_000)
  t.ok((await unread(a, hi.room)) >= 1, 'A shows the next one unread')
  since = Date.now()
  await a2.call('markRead', { room: hi.room })
  t.is(await unread(a2, hi.room), 0, 'read on A2')
  t.is(await eventually(() => unread(a, hi.room), (n) => n === 0, SYNC_BOUND), 0, 'and on A')
  t.comment(`A2's read reached A in ${Date.now() - since} ms (listRooms polled)`)

  // A leaves a group room A2 is in: it is gone from A2's list too.
  const { room, invite } = await a.call('createRoom', { name: 'Leave me' })
  await b.call('joinRoom', { invite })
  await eventually(() => a.call('members', { room }), (m) => m.length === 2, 60_000)
  await eventually(() => calm(a2.call('listRooms')), (l) => l !== null && l.some((r) => r.room === room), 90_000)
  t.pass('A2 has the group')
  const gone = a2.waitFor('roomLeft', (p) => p.room === room, 60_000)
  since = Date.now()
  await a.call('leaveRoom', { room })
  t.absent((await a.call('listRooms')).some((r) => r.room === room), 'A left it')
  await gone
  t.comment(`A2 left it ${Date.now() - since} ms after A's leaveRoom was called`)
  t.pass('A2\'s client hears it (roomLeft)')
  const after = await calm(a2.call('listRooms'))
  t.ok(after !== null && !after.some((r) => r.room === room), 'A2 no longer lists it')
  t.ok(after?.some((r) => r.room === hi.room), 'and keeps the direct room')

  // A blocks a contact A2 has: A2 drops it too.
  await befriend(a, c)
  await eventually(() => calm(a2.call('listContacts')), (l) => l !== null && l.some((x) => x.number === c.number && x.state === 'accepted'), 90_000)
  t.pass('A2 has C as a contact')
  const removed = a2.waitFor('contactRemoved', (p) => p.number === c.number, 60_000)
  await a.call('blockContact', { number: c.number })
  await removed
  t.absent((await a2.call('listContacts')).some((x) => x.number === c.number), 'A blocks C: A2 no longer lists C (contactRemoved)')
  t.ok((await a2.call('listContacts')).some((x) => x.number === b.number), 'and keeps B')
})

/** The unread count of a room in the agent's list (-1 while it is not listed). */
async function unread(agent: AgentProcess, room: string): Promise<number> {
  return (await agent.call('listRooms')).find((r) => r.room === room)?.unread ?? -1
}

/**
 * True once the message with this text is the newest in the room's view here, read without
 * marking the room read (history would). The 'message' notification can come from the live copy,
 * before the op is stored and counted.
 */
async function stored(agent: AgentProcess, room: string, text: string): Promise<boolean> {
  return (await agent.call('listRooms')).find((r) => r.room === room)?.last?.text === text
}
