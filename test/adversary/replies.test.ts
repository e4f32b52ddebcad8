import test from 'brittle'
import c from 'compact-encoding'
import * as schema from '../../lib/wire/schemas'
import { converged, groupOfThree, numberOf, transcript, until } from '../../harness/room-net'
import type { RoomMessage } from '../../lib/contract'

// A member who bypasses the Api writes replies and read marks with anything in them. The room
// keeps the message, shows "not available" for a quote it cannot find, bounds what it stores,
// and moves read marks only forward, to messages of this room.

test('hostile replyTo: unknown id, another room\'s message, oversized junk: the message stays, the quote is not available', async (t) => {
  const { a, b, c: carol, rooms } = await groupOfThree(t)
  const all = [a, b, carol]
  const other = await rooms[1].create(schema.ROOM_GROUP, 'Elsewhere')
  const elsewhere = await other.send('in another room')
  const real = await a.send('the original')
  const bob = await numberOf(2)
  const live: RoomMessage[] = []
  a.on('message', (m: RoomMessage) => live.push(m))
  await converged(all, async (r) => (await r.message(real.id)) !== null)

  const time = Date.now()
  const replies: Array<[string, string]> = [
    ['r-unknown', 'no-such-message'],
    ['r-other-room', elsewhere.id],
    ['r-junk', '\u0000/../'.repeat(4000)],
    ['r-real', real.id]
  ]
  for (const [id, replyTo] of replies) await b.base.append(c.encode(schema.roomOp, { type: schema.OP_MESSAGE, id, text: 'reply ' + id, time, replyTo }))
  // Live copies from a hostile peer carry the same junk.
  const bobKey = (await b.me())?.publicKey
  if (!bobKey) return t.fail('B is a member')
  t.ok(a.acceptLive(bobKey, { id: 'live-junk', text: 'live reply', time, replyTo: 'x'.repeat(100_000) }))

  await converged(all, async (r) => (await transcript(r)).includes(bob + ': reply r-real'))
  for (const r of all) {
    const history = await r.history()
    const quote = (id: string) => history.find((m) => m.id === id)?.quote
    t.is(quote('r-unknown')?.available, false, 'unknown id: not available')
    t.is(quote('r-other-room')?.available, false, 'another room\'s id: not available')
    t.is(quote('r-junk')?.available, false, 'junk: not available')
    t.ok((history.find((m) => m.id === 'r-junk')?.replyTo.length ?? 0) <= 64, 'junk is cut to an id\'s length')
    t.is(quote('r-real')?.text, 'the original', 'a real reply quotes its original')
    t.absent(r.broken, 'the room is not broken')
  }
  const fromLive = live.find((m) => m.id === 'live-junk')
  t.ok(fromLive && fromLive.quote?.available === false && (fromLive.replyTo ?? '').length <= 64, 'a live copy\'s junk reply is bounded and not available')
})

test('hostile read marks: unknown ids and going backwards change nothing; another member\'s mark cannot be set', async (t) => {
  const { a, b, c: carol } = await groupOfThree(t)
  const all = [a, b, carol]
  const first = await a.send('one')
  const second = await a.send('two')
  await converged(all, async (r) => (await r.message(second.id)) !== null)
  await b.base.append(c.encode(schema.roomOp, { type: schema.OP_READ, id: second.id }))
  await b.base.append(c.encode(schema.roomOp, { type: schema.OP_READ, id: first.id })) // backwards: skipped
  await b.base.append(c.encode(schema.roomOp, { type: schema.OP_READ, id: 'no-such-message' }))
  await b.base.append(c.encode(schema.roomOp, { type: schema.OP_READ, id: 'z'.repeat(50_000) }))
  await carol.send('sync point')
  await b.send('after the marks')
  const n2 = await numberOf(2)
  await converged(all, async (r) => (await transcript(r)).includes(n2 + ': after the marks'))
  const mine = await a.message(second.id)
  t.ok(mine, 'A\'s message')
  if (!mine) return
  // B read both, Carol nothing: not read by all. Carol's mark was never written by anyone.
  t.is(a.isRead(mine), false, 'not read by everyone: Carol has not read it')
  const n3 = await numberOf(3)
  const marks = a.marksOn(mine).map((x) => [x.member.number, x.read])
  t.alike(marks.sort(), [[n2, true], [n3, false]].sort(), 'B\'s mark is at "two" (not moved back); Carol has none')
  t.is(a.readByAll(), 0, 'Carol read nothing')
  for (const r of all) t.absent(r.broken)
})

test('read marks and reply links leave the view as 2.0 builds it (indexers of both versions sign the same view)', async (t) => {
  const { a, b, c: carol } = await groupOfThree(t)
  const all = [a, b, carol]
  const first = await a.send('one')
  await converged(all, async (r) => (await r.message(first.id)) !== null)
  const view = a.base.view
  const before = { events: view.events.length, messages: view.messages.length, meta: view.meta.version }
  await b.base.append(c.encode(schema.roomOp, { type: schema.OP_READ, id: first.id }))
  const n2 = await numberOf(2)
  await until(async () => a.marksOn((await a.message(first.id))!).some((x) => x.member.number === n2 && x.read))
  t.alike({ events: view.events.length, messages: view.messages.length, meta: view.meta.version }, before, 'a read op writes nothing to the view')
  // A reply's view record is the one 2.0 writes for a plain message: its bytes hold no replyTo.
  const reply = await b.send('two', first.id)
  await until(async () => (await a.message(reply.id)) !== null)
  const seq = view.messages.length - 1
  const block = await view.messages.get(seq)
  t.absent(block?.includes(Buffer.from(first.id)), 'the reply\'s view block does not name what it answers')
  t.is((await a.history()).find((m) => m.id === reply.id)?.quote?.text, 'one', 'yet the quote shows, from the local links')
})
