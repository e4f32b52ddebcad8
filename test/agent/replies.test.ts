import test from 'brittle'
import { befriend, setup } from '../../harness/agent-net'
import { errorCode } from '../../harness/agent'
import { eventually } from '../../harness/eventually'

// Replies (send {replyTo}) between two real agents on a testnet: the quote travels with the
// message (live copy and durable op) and reads the same in history on both sides.

test('a reply arrives with its quote, both ways, and history keeps it', async (t) => {
  const { start } = await setup(t)
  const a = await start('a')
  const b = await start('b')
  await a.call('setProfile', { name: 'Ana' })
  await befriend(a, b)

  const long = 'question '.repeat(20).trim() // 179 characters: the quote carries the first 100
  const q = await a.call('send', { to: b.number, text: long })
  await b.waitFor('message', (p) => p.id === q.id)
  // B must hold the durable op before it can name it (send checks the id is in this room).
  await eventually(() => b.call('history', { to: a.number }), (h) => h.some((m) => m.id === q.id))

  const answer = await b.call('send', { to: a.number, text: 'answer', replyTo: q.id })
  const got = await a.waitFor('message', (p) => p.id === answer.id)
  t.is(got.replyTo, q.id, 'the message notification names what it answers')
  t.alike(got.quote, { id: q.id, available: true, seq: 0, from: a.number, name: 'Ana', text: long.slice(0, 100), file: null, call: false }, 'with a quote of the original')

  await eventually(() => a.call('history', { to: b.number }), (h) => h.some((m) => m.id === answer.id))
  const back = await a.call('send', { to: b.number, text: 'thanks', replyTo: answer.id })
  const gotBack = await b.waitFor('message', (p) => p.id === back.id)
  t.is(gotBack.replyTo, answer.id)
  t.is((gotBack.quote as { text: string; from: string }).text, 'answer')
  t.is((gotBack.quote as { text: string; from: string }).from, b.number)

  for (const [who, peer] of [[a, b], [b, a]] as const) {
    const h = await eventually(() => who.call('history', { to: peer.number }), (x) => x.length === 3)
    t.alike(h.map((m) => m.replyTo), [null, q.id, answer.id], `${who === a ? 'A' : 'B'}: replyTo in history`)
    t.alike(h.map((m) => m.quote?.text ?? null), [null, long.slice(0, 100), 'answer'], 'quotes in history')
    t.ok(h.every((m) => m.quote === null || m.quote.available), 'all available')
  }
})

test('a reply naming an unknown id or another room\'s message is refused by send; the quote of a deleted one is not available', async (t) => {
  const { start } = await setup(t)
  const a = await start('a')
  const b = await start('b')
  await befriend(a, b)
  const { room: group } = await a.call('createRoom', { name: 'Elsewhere' })
  const other = await a.call('send', { to: group, text: 'in another room' })

  t.is(await errorCode(a.call('send', { to: b.number, text: 'x', replyTo: 'no-such-id' })), 'NO_SUCH_MESSAGE', 'unknown id')
  t.is(await errorCode(a.call('send', { to: b.number, text: 'x', replyTo: other.id })), 'NO_SUCH_MESSAGE', 'another room\'s message')
  t.is(await errorCode(a.call('send', { to: b.number, text: 'x', replyTo: 'z'.repeat(10_000) })), 'NO_SUCH_MESSAGE', 'junk')

  const first = await a.call('send', { to: b.number, text: 'soon deleted' })
  await eventually(() => a.call('history', { to: b.number }), (h) => h.some((m) => m.id === first.id))
  const reply = await a.call('send', { to: b.number, text: 'about that', replyTo: first.id })
  await a.call('delete', { room: first.room, id: first.id })
  const h = await eventually(() => b.call('history', { to: a.number }), (x) => x.some((m) => m.id === reply.id) && x.some((m) => m.id === first.id && m.deleted))
  const quoted = h.find((m) => m.id === reply.id)?.quote
  t.alike(quoted, { id: first.id, available: false, seq: null, from: '', name: '', text: '', file: null, call: false }, 'a deleted original reads as not available')
})

test('read receipts: the sender sees read once the other reads; after a restart too', async (t) => {
  const { start } = await setup(t)
  let a = await start('a')
  const b = await start('b')
  await befriend(a, b)
  t.is((await a.call('settings')).readReceipts, true, 'on by default')

  const m = await a.call('send', { to: b.number, text: 'read me' })
  await b.waitFor('message', (p) => p.id === m.id)
  const unread = await eventually(() => a.call('history', { to: b.number }), (h) => h.length === 1)
  t.is(unread[0].read, false, 'not read yet')
  // B opens the conversation: history marks it read, which sends B's read mark.
  await eventually(() => b.call('history', { to: a.number }), (h) => h.some((x) => x.id === m.id))
  const read = await eventually(() => a.call('history', { to: b.number }), (h) => h[0].read === true)
  t.is(read[0].delivered, true, 'read implies delivered')
  const summary = (await a.call('listRooms')).find((r) => r.room === m.room)
  t.is(summary?.read, 1, 'the room summary counts what they read')
  const info = await a.call('messageInfo', { room: m.room, id: m.id })
  t.alike(info, [{ number: b.number, name: '', delivered: true, read: true }])

  t.is(await a.stop(), 0)
  a = await start('a')
  t.is((await a.call('history', { to: b.number }))[0].read, true, 'the read mark is kept across a restart')
})

test('read receipts off: none is sent, and others\' read marks are not shown', async (t) => {
  const { start } = await setup(t)
  const a = await start('a')
  const b = await start('b')
  await befriend(a, b)
  await b.call('setReadReceipts', { enabled: false })
  t.is((await b.call('settings')).readReceipts, false)

  const m = await a.call('send', { to: b.number, text: 'you will not say you read this' })
  await eventually(() => b.call('history', { to: a.number }), (h) => h.some((x) => x.id === m.id))
  await b.call('markRead', { room: m.room })
  // B writes after reading: a read mark B appended would sit before this in B's core, and A
  // applies B's ops in order, so once A has this message it would have the mark too.
  const after = await b.call('send', { to: a.number, text: 'after reading' })
  const h = await eventually(() => a.call('history', { to: b.number }), (x) => x.some((y) => y.id === after.id))
  t.is(h.find((x) => x.id === m.id)?.read, false, 'no read mark reached the sender')
  t.is((await a.call('listRooms')).find((r) => r.room === m.room)?.read, 0)

  // And the other way: A turns receipts off; B (back on) reads A's message; A does not see it.
  await b.call('setReadReceipts', { enabled: true })
  await a.call('setReadReceipts', { enabled: false })
  const second = await a.call('send', { to: b.number, text: 'second' })
  await eventually(() => b.call('history', { to: a.number }), (x) => x.some((y) => y.id === second.id))
  const marked = await b.call('send', { to: a.number, text: 'read both' })
  const seen = await eventually(() => a.call('history', { to: b.number }), (x) => x.some((y) => y.id === marked.id))
  t.ok(seen.every((x) => x.read === null), 'with receipts off, A sees no read marks')
  await a.call('setReadReceipts', { enabled: true })
  const on = await a.call('history', { to: b.number })
  t.is(on.find((x) => x.id === second.id)?.read, true, 'B\'s mark was there: turning receipts on shows it')
})

test('groups: delivered only once every member\'s device holds the message; read once all read', async (t) => {
  const { start } = await setup(t)
  const a = await start('a')
  const b = await start('b')
  let c = await start('c')
  const { room, invite } = await a.call('createRoom', { name: 'Three' })
  await b.call('joinRoom', { invite })
  await c.call('joinRoom', { invite })
  await eventually(() => a.call('members', { room }), (m) => m.length === 3)
  const hello = await a.call('send', { to: room, text: 'hello all' })
  await eventually(() => a.call('history', { to: room }), (h) => h.some((x) => x.id === hello.id && x.delivered === true))

  t.is(await c.stop(), 0, 'C goes offline')
  const m = await a.call('send', { to: room, text: 'while C is away' })
  // A knows B holds it (B's marks say so) ...
  await eventually(() => a.call('messageInfo', { room, id: m.id }), (info) => info.some((x) => x.number === b.number && x.delivered))
  const info = await a.call('messageInfo', { room, id: m.id })
  t.alike(info.map((x) => [x.number, x.delivered]).sort(), [[b.number, true], [c.number, false]].sort(), 'per member: B holds it, C does not')
  // ... but the message is not delivered until C holds it too.
  t.is((await a.call('history', { to: room })).find((x) => x.id === m.id)?.delivered, false, 'not delivered while C is away')

  c = await start('c')
  await eventually(() => a.call('history', { to: room }), (h) => h.find((x) => x.id === m.id)?.delivered === true)
  t.pass('delivered once C holds it')

  await eventually(() => b.call('history', { to: room }), (h) => h.some((x) => x.id === m.id))
  const partly = await eventually(() => a.call('messageInfo', { room, id: m.id }), (i) => i.some((x) => x.number === b.number && x.read))
  t.is((await a.call('history', { to: room })).find((x) => x.id === m.id)?.read, false, 'B read it, C not yet')
  t.ok(partly.some((x) => x.number === c.number && !x.read))
  await eventually(() => c.call('history', { to: room }), (h) => h.some((x) => x.id === m.id))
  await eventually(() => a.call('history', { to: room }), (h) => h.find((x) => x.id === m.id)?.read === true)
  t.pass('read once every member read it')
})
