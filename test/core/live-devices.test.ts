import test from 'brittle'
import Corestore from 'corestore'
import path from 'path'
import crypto from 'hypercore-crypto'
import type { RoomMessage } from '../../lib/contract'
import { Rooms } from '../../lib/rooms/rooms'
import { RoomList } from '../../lib/rooms/room-list'
import { connectRooms, linkedDevice, memberOf, roomsOf, scheme, until } from '../../harness/room-net'
import { ROLE_ADMIN, ROOM_DIRECT } from '../../lib/wire/schemas'

test('a live copy reaches every connected device of a person, not only the one that connected last', { timeout: 60_000 }, async (t) => {
  const dir = await t.tmp()
  const stores = ['a', 'b', 'b2'].map((n) => new Corestore(path.join(dir, n)))
  const ra = await roomsOf(stores[0], 1)
  const rb = await roomsOf(stores[1], 2)
  // B's second device: the same person (identity key), its own store, no identity secret.
  const rb2 = new Rooms({
    store: stores[2],
    list: new RoomList(stores[2].get({ name: 'rooms' })),
    self: () => linkedDevice(2, crypto.keyPair()),
    scheme,
    log: () => {}
  })
  await rb2.ready()
  const cuts: Array<() => void> = []
  t.teardown(async () => {
    for (const cut of cuts) cut()
    await Promise.all([ra.close(), rb.close(), rb2.close()])
    await Promise.all(stores.map((s) => s.close()))
  })

  const a = await ra.create(ROOM_DIRECT)
  const b = await rb.join(a.key, a.encryptionKey, ROOM_DIRECT)
  const b2 = await rb2.join(a.key, a.encryptionKey, ROOM_DIRECT)
  await a.addMember(await memberOf(2, b, ROLE_ADMIN))
  // Both of B's devices get the room's view first (who its members are), then only live channels.
  cuts.push(connectRooms(ra, 1, rb, 2), connectRooms(ra, 1, rb2, 2))
  await until(async () => b.memberKeys.length === 2 && b2.memberKeys.length === 2, 30_000)
  for (const cut of cuts.splice(0)) cut()
  cuts.push(connectRooms(ra, 1, rb, 2, { live: 'only' }), connectRooms(ra, 1, rb2, 2, { live: 'only' }))

  const got: { b: string[]; b2: string[] } = { b: [], b2: [] }
  rb.on('message', (m: RoomMessage) => got.b.push(m.text))
  rb2.on('message', (m: RoomMessage) => got.b2.push(m.text))
  await a.send('to both devices')
  await until(async () => got.b.includes('to both devices') && got.b2.includes('to both devices'), 10_000).catch(() => {})
  t.alike(got, { b: ['to both devices'], b2: ['to both devices'] }, 'each device got the live copy, once')
})
