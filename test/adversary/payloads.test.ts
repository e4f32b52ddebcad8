import test from 'brittle'
import b4a from 'b4a'
import c from 'compact-encoding'
import * as schema from '../../lib/wire/schemas'
import { converged, groupOfThree, numberOf, transcript, until } from '../../harness/room-net'

test('replayed ops are skipped: a copied message, the creator\'s record, a record of someone who left', async (t) => {
  const { a, b, c: carol } = await groupOfThree(t)
  const all = [a, b, carol]
  const [n1, n2] = [await numberOf(1), await numberOf(2)]
  await a.send('said once')
  await converged(all, async (r) => (await transcript(r)).includes(n1 + ': said once'))
  // B copies blocks from other writers' cores into its own: A's first op (the creator's record),
  // A's message, and Carol's member record (as the admin appended it).
  const replay = async (key: Buffer, match: (op: schema.RoomOp) => boolean): Promise<void> => {
    const core = b.base.store.get({ key })
    await core.ready()
    for (let i = 0; i < core.length; i++) {
      const block = await core.get(i)
      if (block === null) continue
      let op: schema.RoomOp
      try {
        op = c.decode(schema.roomOp, block)
      } catch {
        continue // an ack
      }
      if (match(op)) await b.base.append(block)
    }
    await core.close()
  }
  await carol.act({ type: schema.OP_LEAVE })
  await converged(all, async (r) => (await r.members()).filter((m) => m.state === schema.MEMBER_ACTIVE).length === 2)
  await replay(a.writerKey, (op) => op.type === schema.OP_MEMBER || op.type === schema.OP_MESSAGE)
  await b.send('after the replays')
  await converged([a, b], async (r) => (await transcript(r)).includes(n2 + ': after the replays'))
  for (const r of [a, b]) {
    t.alike(await transcript(r), [n1 + ': said once', n2 + ': after the replays'], 'the copied message is not there twice, nor as B\'s')
    const members = await r.members()
    t.is(members.filter((m) => m.state === schema.MEMBER_ACTIVE).length, 2, 'Carol, who left, is not back')
    t.is(members.find((m) => m.role === schema.ROLE_ADMIN && m.state === schema.MEMBER_ACTIVE)?.number, n1, 'one admin, the creator')
  }
})

test('huge and deep payloads and a flood of junk: skipped, the victim lives and its other rooms work', async (t) => {
  const { a, b, c: carol, rooms } = await groupOfThree(t)
  const all = [a, b, carol]
  const other = await rooms[0].create(schema.ROOM_GROUP, 'Elsewhere')
  const n1 = await numberOf(1)
  const junk: Buffer[] = [
    b4a.alloc(schema.MAX_FRAME_BYTES + 1, 2), // over the frame limit
    c.encode(schema.roomOp, { type: schema.OP_MESSAGE, id: 'big', text: 'x'.repeat(schema.MAX_TEXT_LENGTH + 1), time: 1 }),
    c.encode(schema.roomOp, { type: schema.OP_RENAME, name: 'n'.repeat(10_000) }),
    c.encode(schema.roomOp, { type: schema.OP_MESSAGE, id: 'i'.repeat(1000), text: 'long id', time: 1 }),
    // Counts that claim more than the block holds, and a varint as long as the format allows.
    b4a.from([schema.OP_EPOCH, 1, 0xfe, 0xff, 0xff, 0xff, 0xff]),
    b4a.from([schema.OP_MESSAGE, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
    b4a.from([0xff, 0xff, 0xff, 0xff, 0xff])
  ]
  for (const block of junk) await b.base.append(block)
  // Deep: text that a JSON or HTML reader would nest 16,000 deep. The room stores it as text.
  const deep = '['.repeat(8000) + ']'.repeat(8000)
  await b.send(deep)
  // A flood: 3,000 junk ops, in batches, as fast as B can append.
  const flood = c.encode(schema.roomOp, { type: schema.OP_REACT, id: 'nothing', emoji: '!' })
  for (let i = 0; i < 30; i++) await b.base.append(Array.from({ length: 100 }, () => flood))
  await a.send('the admin after the flood')
  await converged(all, async (r) => (await transcript(r)).includes(n1 + ': the admin after the flood'))
  t.alike(await transcript(a), await transcript(carol), 'honest members converge')
  t.alike(await transcript(a), await transcript(b))
  const h = await a.history()
  t.is(h.length, 2, 'only the deep text and the admin\'s message')
  t.is(h.find((m) => m.text.startsWith('['))?.text, deep, 'the deep text is stored as it is')
  t.is((await a.info()).name, 'Shelter')
  t.ok(all.every((r) => r.broken === null), 'nobody is broken')
  await other.send('the other room works')
  t.alike((await other.history()).map((m) => m.text), ['the other room works'])
  await until(async () => a.base.view.messages.signedLength === a.length, 20_000)
  t.pass('the indexers signed past the flood')
})
