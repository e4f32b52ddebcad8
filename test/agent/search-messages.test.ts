import test from 'brittle'
import { RpcError } from '../../harness/agent'
import { befriend, setup } from '../../harness/agent-net'
import { eventually } from '../../harness/eventually'


test('search finds messages by their current text, newest first, in one room or all, never deleted ones', { timeout: 120_000 }, async (t) => {
  const { start } = await setup(t)
  const a = await start('a')
  const b = await start('b')
  await b.call('setProfile', { name: 'Ben' })
  await befriend(a, b)
  const first = await a.call('send', { to: b.number, text: 'Water at the SCHOOL' })
  const edited = await a.call('send', { to: b.number, text: 'see you there' })
  const gone = await a.call('send', { to: b.number, text: 'school is closed' })
  const theirs = await b.call('send', { to: a.number, text: 'The school gym has cots' })
  await eventually(() => a.call('history', { to: b.number }), (h) => h.some((e) => e.id === theirs.id), 30_000)
  await a.call('edit', { room: first.room, id: edited.id, text: 'see you at the school' })
  await a.call('delete', { room: first.room, id: gone.id })
  const { room } = await a.call('createRoom', { name: 'Street 14' })
  const inRoom = await a.call('send', { to: room, text: 'school bus at 9' })
  await a.call('send', { to: room, text: 'nothing to find here' })

  const hits = await eventually(() => a.call('search', { room: b.number, text: 'school' }), (h) => h.length === 3, 20_000)
  t.alike(hits.map((h) => h.id), [theirs.id, edited.id, first.id], 'matches in that chat, newest first (by when sent): Ben\'s, the edited one, the first; not the deleted one')
  t.is(hits.find((h) => h.id === theirs.id)?.name, 'Ben', 'with the author\'s name')
  t.is(hits.find((h) => h.id === edited.id)?.text, 'see you at the school', 'and the current text')
  t.ok(hits.every((h) => h.room === first.room && Number.isInteger(h.seq)), 'each names its room and seq')
  const all = await a.call('search', { text: 'SCHOOL' })
  t.ok(all.some((h) => h.id === inRoom.id) && all.length === 4, 'without a room: every room, ignoring case')
  t.alike(await a.call('search', { room, text: 'no such words' }), [], 'nothing found is an empty list')
  try {
    await a.call('search', { text: '   ' })
    t.fail('an empty search should be refused')
  } catch (err) {
    t.is((err as RpcError).data?.code, 'BAD_REQUEST', 'an empty search is refused')
  }
})
