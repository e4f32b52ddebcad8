import test from 'brittle'
import type { Test } from 'brittle'
import Corestore from 'corestore'
import path from 'path'
import type { Rooms } from '../../lib/rooms/rooms'
import type { RoomMessage } from '../../lib/contract'
import { connectedPair, roomsOf, until } from '../../harness/room-net'
import { OP_SET_TIMER, ROOM_DIRECT, ROOM_GROUP } from '../../lib/wire/schemas'

/** One profile's store and rooms, closed at the end (whatever `rooms` then is: a test may restart it). */
async function soloProfile(t: Test): Promise<{ store: Corestore; rooms: Rooms }> {
  const store = new Corestore(path.join(await t.tmp(), 'a'))
  const p = { store, rooms: await roomsOf(store, 1) }
  t.teardown(async () => {
    await p.rooms.close()
    await store.close()
  })
  return p
}

const unread = (rooms: Rooms, id: string, length: number): number => length - (rooms.list().find((e) => e.id === id)?.read ?? 0)

test('a resting room wakes when its member connects, shows what was sent while it rested, and counts it unread', { timeout: 120_000 }, async (t) => {
  const { ra, a, b, cut, connect } = await connectedPair(t)
  await ra.markRead(a.id)
  t.is(unread(ra, a.id, a.length), 0, 'A read everything')
  t.is(await ra.rest(a.id), false, 'a room does not rest while a member is connected')

  cut()
  await until(async () => ra.rest(a.id), 10_000)
  t.ok(a.resting, "A's room rests once B is gone")

  await b.send('while A rested 1')
  await b.send('while A rested 2')
  t.ok(a.resting, 'still resting while B writes elsewhere')
  const shown: string[] = []
  ra.on('message', (m: RoomMessage) => shown.push(m.text))

  connect()
  await until(async () => shown.length === 2, 30_000)
  t.absent(a.resting, 'B connecting woke the room')
  t.alike(shown.sort(), ['while A rested 1', 'while A rested 2'], "A's app was told of both messages")
  t.is(unread(ra, a.id, a.length), 2, 'and counts them unread')
  t.alike((await a.history()).map((m) => m.text), ['before', 'while A rested 1', 'while A rested 2'], 'history has them in order')
})

test('a room never rests with a send in progress, and a send to a resting room wakes it and lands', { timeout: 60_000 }, async (t) => {
  const p = await soloProfile(t)
  const { store } = p
  let { rooms } = p
  const room = await rooms.create(ROOM_DIRECT)
  const sending = room.send('queued')
  t.is(await rooms.rest(room.id), false, 'refused while the send is in progress')
  await sending
  // Its scan of the new message may still run: that holds it awake too.
  await until(async () => rooms.rest(room.id))
  t.ok(room.resting, 'rests once it is done')
  const length = room.length
  t.is(length, 1, 'a resting room still tells its length (unread counts)')

  // Both at once: the rest closing and a send arriving in the middle of it.
  await room.send('after resting')
  t.absent(room.resting, 'the send woke it')
  await until(async () => rooms.rest(room.id))
  await room.info() // awake again, and idle at once: a read starts no scan
  const resting = rooms.rest(room.id)
  const late = room.send('during the rest')
  t.ok(await resting, 'the rest went ahead')
  await late
  t.absent(room.resting, 'the send that came while it closed woke it again')
  t.alike((await room.history()).map((m) => m.text), ['queued', 'after resting', 'during the rest'], 'every send landed')

  // And they are on disk: a restarted profile reads them.
  await rooms.close()
  rooms = p.rooms = await roomsOf(store, 1)
  const again = await rooms.open(room.id)
  t.alike((await again.history()).map((m) => m.text), ['queued', 'after resting', 'during the rest'], 'after a restart too')
})

test('a resting room answers a room list from what it kept, without waking, until its newest message disappears', { timeout: 60_000 }, async (t) => {
  const { rooms } = await soloProfile(t)
  const room = await rooms.create(ROOM_GROUP, 'kept')
  await room.send('first')
  await room.send('second')
  const awake = await room.glance()
  t.is(awake.newest?.text, 'second', 'awake: the newest message')

  await until(async () => rooms.rest(room.id))
  const kept = await room.glance()
  t.ok(room.resting, 'asking did not wake it')
  t.alike(
    { name: kept.info.name, members: kept.members.map((m) => m.number), newest: kept.newest?.text },
    { name: 'kept', members: awake.members.map((m) => m.number), newest: 'second' },
    'what it kept is what it showed awake'
  )

  // A send wakes it; what it keeps at the next rest is the new state.
  await room.act({ type: OP_SET_TIMER, seconds: 1 })
  const gone = await room.send('disappears in a second')
  t.is((await room.glance()).newest?.text, 'disappears in a second', 'awake again: the new message')
  await until(async () => rooms.rest(room.id))
  const before = await room.glance(gone.time)
  t.ok(room.resting, 'resting again')
  t.is(before.newest?.text, 'disappears in a second', 'kept while its time has not passed')

  const after = await room.glance(gone.time + 1500)
  t.absent(room.resting, 'its newest message past its time: the room woke to look again')
  t.is(after.newest?.text, 'second', 'and shows the one before it')
})

test('looking a file up wakes no resting room when an awake one announced it', { timeout: 60_000 }, async (t) => {
  const { rooms } = await soloProfile(t)
  const quiet = await rooms.create(ROOM_GROUP, 'quiet')
  await quiet.send('nothing to fetch here')
  const open = await rooms.create(ROOM_GROUP, 'on screen')
  const ref = { id: Buffer.alloc(32, 7), root: Buffer.alloc(32, 8), name: 'map.png', size: 2048, sha256: 'ab'.repeat(32), chunkSize: 1024 }
  await open.sendFile(ref)
  await until(async () => rooms.rest(quiet.id))

  const found = await rooms.findFile(ref.id)
  t.ok(found !== null && found.room.equals(open.key), 'found in the awake room')
  t.ok(quiet.resting, 'the resting room stayed at rest')
  t.is(await rooms.findFile(Buffer.alloc(32, 9)), null, 'a file nobody announced: not found')
  t.absent(quiet.resting, 'which looked in the resting room too')
})
