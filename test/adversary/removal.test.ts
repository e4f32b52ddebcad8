import test from 'brittle'
import b4a from 'b4a'
import c from 'compact-encoding'
import type { RoomMessage } from '../../lib/contract'
import type { Room } from '../../lib/rooms/room'
import * as schema from '../../lib/wire/schemas'
import { converged, meshOfStores, memberOf, numberOf, roomsOf, transcript, until } from '../../harness/room-net'

/** Admin #1 with members #2 and #3 in a group; #4 has the room open but is not added yet. */
async function groupOfFour(t: Parameters<Parameters<typeof test>[1]>[0]) {
  const stores = meshOfStores(t, await t.tmp(), 4)
  const rooms = await Promise.all(stores.map((s, i) => roomsOf(s, i + 1)))
  t.teardown(() => Promise.all(rooms.map((r) => r.close())), { order: 0 })
  const a = await rooms[0].create(schema.ROOM_GROUP, 'Shelter')
  const [b, carol, d] = await Promise.all(rooms.slice(1).map((r) => r.join(a.key, a.encryptionKey, schema.ROOM_GROUP)))
  await a.addMember(await memberOf(2, b))
  await a.addMember(await memberOf(3, carol))
  await until(async () => b.writable && carol.writable && b.memberKeys.length === 3 && carol.memberKeys.length === 3)
  return { rooms, a, b, carol, d }
}

/** True if any block of the room's message and edit views holds these bytes in the clear. */
async function holdsPlaintext(room: Room, text: string): Promise<boolean> {
  const needle = b4a.from(text)
  for (const core of [room.base.view.messages, room.base.view.edits]) {
    for (let i = 0; i < core.length; i++) {
      const block = await core.get(i, { wait: false })
      if (block !== null && b4a.indexOf(block, needle) !== -1) return true
    }
  }
  return false
}

test('removal removes: the removed member reads nothing written after, the rest and new joiners do', async (t) => {
  const { rooms, a, b, carol, d } = await groupOfFour(t)
  const [n1, n3] = [await numberOf(1), await numberOf(3)]
  const seenByB: RoomMessage[] = []
  rooms[1].on('message', (m: RoomMessage) => seenByB.push(m))
  await a.send('before the removal')
  await converged([a, b, carol], async (r) => (await transcript(r)).includes(n1 + ': before the removal'))

  await a.act({ type: schema.OP_REMOVE_MEMBER, publicKey: (await b.me())?.publicKey ?? b4a.alloc(32) })
  const after = await a.send('after the removal')
  await carol.send('carol after the removal')
  await a.act({ type: schema.OP_EDIT, id: after.id, text: 'after the removal, edited', time: 2 })
  await converged([a, carol], async (r) => {
    const lines = await transcript(r)
    return lines.includes(n1 + ': after the removal, edited') && lines.includes(n3 + ': carol after the removal')
  })
  t.alike(await transcript(a), await transcript(carol), 'the remaining members agree')
  // B still replicates the cores (it holds the room key), so wait until it has the ops.
  await until(async () => (await b.me())?.state === schema.MEMBER_REMOVED && b.length >= a.length)
  t.alike(await transcript(b), [n1 + ': before the removal'], 'B keeps what it had and reads nothing after')
  t.absent(seenByB.some((m) => m.text.includes('after the removal')), 'B was told of nothing after')
  for (const text of ['after the removal', 'carol after the removal', 'edited']) {
    t.absent(await holdsPlaintext(b, text), `"${text}" is nowhere in B's view`)
    t.absent(await holdsPlaintext(a, text), `nor in the view the admin indexes (it is sealed)`)
  }

  // A joiner after the removal gets the current epoch's key with its member record.
  await a.addMember(await memberOf(4, d))
  await until(async () => d.writable && (await transcript(d)).includes(n1 + ': after the removal, edited'))
  await d.send('hello from the new member')
  await converged([a, carol, d], async (r) => (await transcript(r)).includes((await numberOf(4)) + ': hello from the new member'))
  t.pass('the joiner reads the current epoch')
  t.absent((await transcript(b)).some((l) => l.includes('new member')), 'B does not')
})

test('invalid epochs are skipped everywhere: not an admin, skipped numbers, missing members, unknown epochs', async (t) => {
  const { a, b, carol } = await groupOfFour(t)
  const all = [a, b, carol]
  const [pb, pc] = [(await b.me())?.publicKey ?? b4a.alloc(32), (await carol.me())?.publicKey ?? b4a.alloc(32)]
  const pa = (await a.me())?.publicKey ?? b4a.alloc(32)
  const box = b4a.alloc(80, 1)
  const forge = async (op: schema.RoomOp): Promise<void> => {
    await b.base.append(c.encode(schema.roomOp, op))
  }
  // B is no admin: its epoch, however well formed, does not start.
  await forge({ type: schema.OP_EPOCH, epoch: 1, keys: [pa, pb, pc].map((publicKey) => ({ publicKey, box })) })
  // A sealed message in an epoch that has not begun, and one claiming epoch 0.
  await forge({ type: schema.OP_SEALED_MESSAGE, id: 'x1', text: { epoch: 5, nonce: b4a.alloc(24), box: b4a.alloc(40) }, time: 1 })
  await forge({ type: schema.OP_SEALED_MESSAGE, id: 'x2', text: { epoch: 0, nonce: b4a.alloc(24), box: b4a.alloc(40) }, time: 1 })
  // A grant for an epoch that does not exist.
  await forge({ type: schema.OP_EPOCH_GRANT, epoch: 3, publicKey: pb, box })
  // The admin's own malformed epochs: skipping a number, and leaving Carol out.
  await a.base.append(c.encode(schema.roomOp, { type: schema.OP_EPOCH, epoch: 2, keys: [pa, pb, pc].map((publicKey) => ({ publicKey, box })) }))
  await a.base.append(c.encode(schema.roomOp, { type: schema.OP_EPOCH, epoch: 1, keys: [pa, pb].map((publicKey) => ({ publicKey, box })) }))
  await b.send('plain, epoch 0 still')
  await converged(all, async (r) => (await transcript(r)).some((l) => l.endsWith('plain, epoch 0 still')))
  for (const r of all) {
    t.is((await r.base.view.meta.get('epoch')), null, 'still epoch 0 on every member')
    t.is(r.length, 1, 'no forged message in the view')
  }
})
