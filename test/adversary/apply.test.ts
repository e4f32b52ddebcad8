import test from 'brittle'
import b4a from 'b4a'
import c from 'compact-encoding'
import Corestore from 'corestore'
import CoreStorage from 'hypercore-storage'
import { STORE_DIR } from '../../lib/identity/identity'
import { coreNet } from '../../harness/core-api'
import path from 'path'
import { RoomList } from '../../lib/rooms/room-list'
import * as schema from '../../lib/wire/schemas'
import { signedBy } from '../../lib/rooms/room'
import { converged, groupOfThree, numberOf, roomsOf, scheme, self, transcript, until } from '../../harness/room-net'

test('a member re-adding the admin\'s writer as someone else is skipped everywhere; the admin lives on', async (t) => {
  const logs: string[] = []
  const { a, b, c: carol } = await groupOfThree(t, (m) => logs.push(m))
  const all = [a, b, carol]
  // B forges a member record whose writer is the admin's (the sole indexer): apply must not demote it.
  // A validly signed record (person 7 is B's puppet) that names the admin's writer.
  const puppet = self(7)
  const signature = await signedBy(puppet, scheme, a.discoveryKey, a.writerKey)
  await b.base.append(c.encode(schema.roomOp, { type: schema.OP_MEMBER, writerKey: a.writerKey, publicKey: puppet.publicKey, name: 'P7', role: schema.ROLE_MEMBER, signature }))
  await b.send('after the forged op')
  await converged(all, async (r) => (await transcript(r)).includes((await numberOf(2)) + ': after the forged op'))
  await a.send('admin still writes')
  await converged(all, async (r) => (await transcript(r)).includes((await numberOf(1)) + ': admin still writes'))
  t.ok(a.base.isIndexer, 'the admin is still an indexer')
  t.absent(a.broken, 'the admin\'s room is not broken')
  for (const r of all) {
    const members = await r.members()
    t.is(members.length, 3, 'no member was added')
    t.absent(members.some((m) => b4a.equals(m.publicKey, self(7).publicKey)), 'the forged member is not there')
  }
  t.alike(await transcript(a), await transcript(carol), 'honest members converge')
})

/** Damages one room's stored key: its Autobase no longer matches its local cores, so it fails to open. */
async function damageRoomKey(store: Corestore, id: string): Promise<void> {
  const list = new RoomList(store.get({ name: 'rooms' }))
  await list.ready()
  const entry = list.get(id)
  if (entry === null) throw new Error('no entry')
  await list.put(id, { ...entry, key: b4a.alloc(32, 9) })
  await list.close()
}

test('a room that fails inside is marked broken; the profile and its other rooms open and work', async (t) => {
  const logs: string[] = []
  const dir = await t.tmp()
  const store = new Corestore(path.join(dir, 'p'))
  t.teardown(() => store.close(), { order: 100 })
  const first = await roomsOf(store, 1)
  const bad = await first.create(schema.ROOM_GROUP, 'Bad')
  await bad.send('before the damage')
  const good = await first.create(schema.ROOM_GROUP, 'Good')
  await good.send('still fine')
  await first.close()

  await damageRoomKey(store, bad.id)

  const again = await roomsOf(store, 1, (m) => logs.push(m))
  t.teardown(() => again.close(), { order: 0 })
  await until(async () => again.brokenReason(bad.id) !== null)
  const listed = again.list()
  t.is(listed.length, 2, 'both rooms are listed')
  t.ok(listed.find((e) => e.id === bad.id)?.broken, 'the damaged room says why it is broken')
  t.is(listed.find((e) => e.id === good.id)?.broken, null, 'the other room is not')
  t.ok(logs.some((l) => l.includes(bad.id) && l.includes('broken')), 'the failure is logged')
  const room = await again.open(good.id)
  await room.send('after the restart')
  t.alike((await room.history()).map((m) => m.text), ['still fine', 'after the restart'], 'the other room works')
})

test('through the Api: a profile with a broken room starts, lists it with the reason, and the rest works', async (t) => {
  const { dir, start } = await coreNet(t)
  const first = await start('p')
  const bad = (await first.api.request('createRoom', { name: 'Bad' })) as { room: string }
  const good = (await first.api.request('createRoom', { name: 'Good' })) as { room: string }
  await first.api.close()

  const store = new Corestore(new CoreStorage(path.join(dir, 'p', STORE_DIR)))
  await damageRoomKey(store, bad.room)
  await store.close()

  const again = await start('p')
  const rooms = (await again.api.request('listRooms', {})) as Array<{ room: string; broken: string | null; name: string }>
  t.ok(rooms.find((r) => r.room === bad.room)?.broken, 'listed as broken, with a reason')
  t.is(rooms.find((r) => r.room === good.room)?.broken, null)
  t.is(rooms.find((r) => r.room === good.room)?.name, 'Good')
  await again.api.request('send', { to: good.room, text: 'the good room works' })
  t.alike(((await again.api.request('history', { to: good.room })) as Array<{ text: string }>).map((m) => m.text), ['the good room works'])
})
