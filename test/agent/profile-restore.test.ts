import test from 'brittle'
import type { AgentProcess } from '../../harness/agent'
import { setup } from '../../harness/agent-net'
import { aliceAndBob } from '../../harness/alice-and-bob'
import { eventually } from '../../harness/eventually'

interface Entry {
  id: string
  from: string
  text: string
}
interface Summary {
  room: string
  name: string
  kind: string
}
interface Status {
  length: number
  contacts: number
  rooms: number
  restoring: boolean
  copies: Array<{ number: string; length: number }>
}

const shape = (h: Entry[]): string[] => h.map((e) => [e.id, e.from, e.text].join('|'))
const roomSet = (l: Summary[]): string[] => l.map((x) => [x.room, x.name, x.kind].join('|')).sort()

test('a fresh device restored from the phrase gets contacts, rooms and history from an online contact, with no duplicate chat', { timeout: 180_000 }, async (t) => {
  const { start } = await setup(t)
  const a = await start('a')
  const b = await start('b')
  const { hi } = await aliceAndBob(a, b)
  const { room: group, invite } = await a.call('createRoom', { name: 'Weekend' })
  await b.call('joinRoom', { invite })
  const g1 = await b.call('send', { to: group, text: 'in the group' })
  await a.waitFor('message', (p) => p.id === g1.id)

  const direct = await eventually(() => a.call('history', { to: b.number }), (h) => h.length === 2, 20_000)
  const groupHistory = await eventually(() => a.call('history', { to: group }), (h) => h.some((e) => e.id === g1.id), 20_000)
  const rooms = await a.call('listRooms')
  const contacts = await a.call('listContacts')
  const { phrase } = await a.call('recoveryPhrase')

  // Bob holds a blind copy of Alice's profile with both rooms in it before Alice's device is lost.
  const complete = (s: Status): boolean => s.contacts === 1 && s.rooms === 2
  t.ok(complete(await eventually(() => a.call('profileStatus'), complete, 20_000)), 'Alice’s profile core has her contact and both rooms')
  const held = ([sa, sb]: readonly [Status, Status]): boolean => sb.copies.some((c) => c.number === a.number && c.length === sa.length)
  t.ok(held(await eventually(async () => [await a.call('profileStatus'), await b.call('profileStatus')] as const, held, 20_000)), 'Bob holds all of it')
  t.is(await a.stop(), 0)

  // A new device, nothing but the phrase; Bob is online.
  const r: AgentProcess = await start('r')
  const who = await r.call('restoreIdentity', { phrase })
  t.is(who.number, a.number, 'the same number at once')
  const done = await r.waitFor('restoreProgress', (p) => p.done === true, 90_000)
  t.alike(done, { contacts: contacts.length, rooms: 2, done: true }, 'restore reports the contacts and both rooms')
  t.alike((await r.call('listContacts')).map((x) => [x.number, x.state, x.room]), contacts.map((x) => [x.number, x.state, x.room]), 'the same contact, in the same direct room')
  // (names come with each room's view, which replicates from Bob after the restore)
  t.alike(roomSet(await eventually(() => r.call('listRooms'), (l) => roomSet(l).join() === roomSet(rooms).join(), 30_000)), roomSet(rooms), 'the same rooms')
  t.alike(shape(await eventually(() => r.call('history', { to: b.number }), (h) => h.length === direct.length, 30_000)), shape(direct), 'direct history')
  t.alike(shape(await eventually(() => r.call('history', { to: group }), (h) => h.length === groupHistory.length, 30_000)), shape(groupHistory), 'group history')
  t.is((await r.call('whoami')).name, 'Alice', 'the name came back too')

  // It writes as Alice's device did: Bob gets it from Alice's number in the chat he already has.
  const after = await r.call('send', { to: b.number, text: 'back on a new device' })
  t.is(after.room, hi.room, 'sent in the existing direct room')
  const got = await b.waitFor('message', (p) => p.id === after.id, 60_000)
  t.is(got.from, a.number, 'Bob sees it from Alice')
  const fromBob = await b.call('send', { to: group, text: 'welcome back' })
  await r.waitFor('message', (p) => p.id === fromBob.id, 60_000)
  t.pass('and the group reaches the new device')
  await eventually(() => b.call('history', { to: a.number }), (h) => h.some((e) => e.id === after.id), 30_000)
  t.is((await b.call('listRooms')).filter((x) => x.kind === 'direct').length, 1, 'Bob still has one chat with Alice')
  t.ok((await b.call('history', { to: a.number })).some((e) => e.id === after.id), 'in his history, not only as a live copy')
})
