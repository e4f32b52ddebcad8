import test from 'brittle'
import { befriend, setup } from '../../harness/agent-net'
import { eventually } from '../../harness/eventually'

interface Entry { id: string; seq: number; from: string; name: string; text: string; delivered: boolean | null }

test('a room records joins, role changes, renames, timer changes and removals as notices in place; a removed member keeps their name', { timeout: 120_000 }, async (t) => {
  const { start } = await setup(t)
  const a = await start('a')
  const b = await start('b')
  await a.call('setProfile', { name: 'Ana' })
  await b.call('setProfile', { name: 'Ben' })
  const { room, invite } = await a.call('createRoom', { name: 'Street 14' })
  await a.call('send', { to: room, text: 'before Ben' })
  await b.call('joinRoom', { invite })
  await eventually(() => a.call('members', { room }), (m) => m.length === 2, 30_000)
  const sent = await b.call('send', { to: room, text: 'hello from Ben' })
  await eventually(() => a.call('history', { to: room }), (h) => h.some((e) => e.id === sent.id), 30_000)
  await a.call('setRole', { room, number: b.number, role: 'admin' })
  await a.call('setRole', { room, number: b.number, role: 'member' })
  await a.call('renameRoom', { room, name: 'Street 14 shelter' })
  await a.call('setTimer', { room, seconds: 3600 })
  await a.call('setTimer', { room, seconds: 0 })
  await a.call('removeMember', { room, number: b.number })
  await a.call('send', { to: room, text: 'after Ben' })

  const notices = await a.call('notices', { room })
  t.alike(
    notices.map((n) => n.kind),
    ['created', 'renamed', 'joined', 'role', 'role', 'renamed', 'timer', 'timer', 'removed'],
    'every change is a notice, in order (the room\'s first name is a rename)'
  )
  const [created, named, joined, promoted, demoted, renamed, timer, off, removed] = notices
  t.is(created.at, 0, 'the room was created before any message')
  t.alike([created.by, created.byName], [a.number, 'Ana'], 'created by Ana')
  t.alike([named.at, named.name], [0, 'Street 14'], 'and named')
  t.is(joined.at, 1, 'Ben joined after the first message and before his own')
  t.alike([joined.who, joined.whoName], [b.number, 'Ben'])
  t.alike([promoted.role, demoted.role, promoted.whoName], ['admin', 'member', 'Ben'], 'role changes name the role and the member')
  t.is(renamed.name, 'Street 14 shelter', 'a rename carries the new name')
  t.alike([timer.seconds, off.seconds], [3600, 0], 'timer changes carry the seconds')
  t.alike([removed.by, removed.who, removed.whoName, removed.at], [a.number, b.number, 'Ben', 2], 'Ana removed Ben, after his message')

  const history = await a.call('history', { to: room })
  const bens = history.find((e) => e.id === sent.id)
  t.is(bens?.name, 'Ben', 'the removed member\'s message still carries his name')
  t.alike(history.map((e) => e.seq), [0, 1, 2], 'entries carry their seq')
  t.alike((await a.call('notices', { room, from: 1, to: 2 })).map((n) => n.kind), ['joined'], 'notices page by seq: from <= at < to')
  t.alike((await a.call('notices', { room, from: 2 })).map((n) => n.kind), ['role', 'role', 'renamed', 'timer', 'timer', 'removed'])
  const page = await a.call('history', { to: room, limit: 2, before: 2 })
  t.alike(page.map((e) => e.text), ['before Ben', 'hello from Ben'], 'history pages back with before')
})

test('a direct chat marks which of my messages are on the other device: queued while they are offline (across a restart), delivered once they are back', { timeout: 180_000 }, async (t) => {
  const { start } = await setup(t)
  let a = await start('a')
  let b = await start('b')
  await befriend(a, b)
  const first = await a.call('send', { to: b.number, text: 'are you there?' })
  const entry = async (id: string): Promise<Entry> => (await a.call('history', { to: b.number })).find((e) => e.id === id) as Entry
  t.ok((await eventually(() => entry(first.id), (e) => e.delivered === true, 30_000)).delivered, 'delivered once Bob\'s device holds it')
  await a.waitFor('roomUpdate', (p) => p.room === first.room && (p.delivered as number) > 0)
  t.pass('a roomUpdate told the client')
  const reply = await b.call('send', { to: a.number, text: 'yes' })
  t.is((await eventually(() => entry(reply.id), (e) => e !== undefined, 30_000)).delivered, null, 'no mark on the other person\'s messages')

  t.is(await b.stop(), 0)
  await a.waitFor('presence', (p) => p.number === b.number && p.online === false)
  const queued = await a.call('send', { to: b.number, text: 'while you were out' })
  // Long enough for a mark to have come if anyone could give one (checked once a second).
  await new Promise((r) => setTimeout(r, 3000))
  t.is((await entry(queued.id)).delivered, false, 'not delivered while Bob is offline (queued)')

  t.is(await a.stop(), 0)
  a = await start('a')
  t.is((await entry(first.id)).delivered, true, 'after Alice restarts, the first message is still marked delivered')
  t.is((await entry(queued.id)).delivered, false, 'and the queued one still waits')

  b = await start('b')
  t.ok((await eventually(() => entry(queued.id), (e) => e.delivered === true, 60_000)).delivered, 'delivered once Bob is back')
})
