import test from 'brittle'
import b4a from 'b4a'
import { aloneRooms, until } from '../../harness/room-net'
import { DeviceReads } from '../../lib/profile/device-reads'
import type { ReadMarkChannel } from '../../lib/profile/device-reads'
import type { DeviceReads as DeviceReadsMessage } from '../../lib/wire/messages'
import { ROOM_GROUP } from '../../lib/wire/schemas'

test('read marks from another device of ours: forward only, rooms of ours only, never past what is held; the rest applies as messages arrive', async (t) => {
  const rooms = await aloneRooms(t)
  const room = await rooms.create(ROOM_GROUP, 'Marks')
  for (const text of ['one', 'two', 'three']) await room.send(text)
  await until(async () => room.length === 3)
  const reads = new DeviceReads({ rooms, log: () => {} })
  t.teardown(() => reads.close())
  const readOf = (): number => rooms.list().find((e) => e.id === room.id)?.read ?? -1
  const updates: string[] = []
  rooms.on('room-update', (id) => updates.push(id))

  await reads.receive([{ discoveryKey: b4a.alloc(32, 7), read: 3 }, { discoveryKey: room.discoveryKey, read: 2 }])
  t.is(readOf(), 2, 'a room of ours moves to the mark; one not ours is ignored')
  t.ok(updates.includes(room.id), 'and says so as a room update (clients get roomUpdate)')
  await reads.receive([{ discoveryKey: room.discoveryKey, read: 1 }, { discoveryKey: room.discoveryKey, read: 0 }])
  t.is(readOf(), 2, 'an older mark does not un-read it')
  await reads.receive([{ discoveryKey: room.discoveryKey, read: 2 ** 60 }])
  t.is(readOf(), 2, 'a count past what a number holds exactly is ignored')

  await reads.receive([{ discoveryKey: room.discoveryKey, read: 5 }])
  t.is(readOf(), 3, 'a mark ahead of what this device holds stops at what it holds')
  await room.send('four')
  await until(async () => readOf() === 4)
  await room.send('five')
  await until(async () => readOf() === 5)
  await room.send('six')
  await until(async () => room.length === 6)
  t.is(readOf(), 5, 'and the rest applies as messages arrive, up to the mark and no further')
})

test('read marks to another device of ours: all of them when the channel opens, then each one that moves forward', async (t) => {
  const rooms = await aloneRooms(t)
  const read = await rooms.create(ROOM_GROUP, 'Read')
  const unread = await rooms.create(ROOM_GROUP, 'Unread')
  await read.send('one')
  await unread.send('one')
  await until(async () => read.length === 1 && unread.length === 1)
  await rooms.markRead(read.id)
  const reads = new DeviceReads({ rooms, log: () => {} })
  t.teardown(() => reads.close())
  const sent: DeviceReadsMessage[] = []
  const channel: ReadMarkChannel = { closed: false, send: (_name, m) => sent.push(m) > 0 }

  reads.attach(channel)
  await until(async () => sent.length === 1)
  t.alike(sent[0].rooms, [{ discoveryKey: read.discoveryKey, read: 1 }], 'every room read so far (an unread one has no mark)')
  await read.send('two')
  await until(async () => read.length === 2)
  await rooms.markRead(read.id)
  await until(async () => sent.length === 2)
  t.alike(sent[1].rooms, [{ discoveryKey: read.discoveryKey, read: 2 }], 'a read here goes out')
  await rooms.markRead(read.id) // moves nothing
  reads.detach(channel)
  const later: DeviceReadsMessage[] = []
  reads.attach({ closed: false, send: (_name, m) => later.push(m) > 0 })
  await until(async () => later.length === 1)
  await rooms.markRead(unread.id)
  await until(async () => later.length === 2)
  t.alike(later[1].rooms, [{ discoveryKey: unread.discoveryKey, read: 1 }], 'another channel gets the next one')
  t.is(sent.length, 2, 'the first got nothing when nothing moved, nor after it closed')
})

test('a mark from one device of ours goes on to the others (the first device relays), not back to it', async (t) => {
  const rooms = await aloneRooms(t)
  const room = await rooms.create(ROOM_GROUP, 'Relay')
  await room.send('one')
  await room.send('two')
  await until(async () => room.length === 2)
  const reads = new DeviceReads({ rooms, log: () => {} })
  t.teardown(() => reads.close())
  const toA2: DeviceReadsMessage[] = []
  const toA3: DeviceReadsMessage[] = []
  const a2: ReadMarkChannel = { closed: false, send: (_name, m) => toA2.push(m) > 0 }
  const a3: ReadMarkChannel = { closed: false, send: (_name, m) => toA3.push(m) > 0 }
  reads.attach(a2)
  reads.attach(a3)

  await reads.receive([{ discoveryKey: room.discoveryKey, read: 2 }], a2)
  await until(async () => toA3.length === 1)
  t.alike(toA3[0].rooms, [{ discoveryKey: room.discoveryKey, read: 2 }], 'A3 gets what A2 read')
  await room.send('three')
  await until(async () => room.length === 3)
  await rooms.markRead(room.id)
  await until(async () => toA3.length === 2 && toA2.length === 1)
  t.alike(toA2.map((m) => m.rooms), [[{ discoveryKey: room.discoveryKey, read: 3 }]], 'A2 got only the read it did not make itself')
})
