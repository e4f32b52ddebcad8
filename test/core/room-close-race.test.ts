import test from 'brittle'
import Corestore from 'corestore'
import path from 'path'
import type { Rooms } from '../../lib/rooms/rooms'
import type { Room } from '../../lib/rooms/room'
import { connectedPair, roomsOf, self, until } from '../../harness/room-net'
import { ROOM_GROUP } from '../../lib/wire/schemas'
import { coreNet } from '../../harness/core-api'

/**
 * A room's reads and writes racing its close or its rest. Every one of them either finishes or
 * fails with CLOSED; none reads a view whose session is closing (hypercore's SESSION_CLOSED).
 */

/** Every call on the room that reads its view or writes to it, started at once and not awaited. */
function everyUse(room: Room): Array<Promise<unknown>> {
  return [
    room.members(),
    room.info(),
    room.me(),
    room.history(),
    room.notices(),
    room.message('none'),
    room.quote('none'),
    room.directProblem(self(2).publicKey),
    room.sendReadMark(),
    room.send('racing'),
    room.update(),
    room.keepLocal(),
    room.sweep()
  ]
}

/** Each outcome: 'ok', or the error's code (or message when it has none). */
async function outcomes(uses: Array<Promise<unknown>>): Promise<string[]> {
  const settled = await Promise.allSettled(uses)
  return settled.map((s) => (s.status === 'fulfilled' ? 'ok' : ((s.reason as { code?: string }).code ?? String(s.reason))))
}

const okOrClosed = (o: string): boolean => o === 'ok' || o === 'CLOSED'

async function aloneIn(t: Parameters<Parameters<typeof test>[1]>[0], logs: string[]): Promise<{ rooms: Rooms; room: Room }> {
  const store = new Corestore(path.join(await t.tmp(), 'a'))
  const rooms = await roomsOf(store, 1, (m) => logs.push(m))
  t.teardown(async () => {
    await rooms.close()
    await store.close()
  })
  const room = await rooms.create(ROOM_GROUP)
  await room.send('first')
  return { rooms, room }
}

test('uses in flight when a room closes finish or fail with CLOSED; none reads a closing view', async (t) => {
  const logs: string[] = []
  const { room } = await aloneIn(t, logs)
  const uses = everyUse(room)
  const closing = room.close()
  const results = await outcomes(uses)
  await closing
  t.ok(results.every(okOrClosed), 'each finished or was told CLOSED: ' + results.join(', '))
  t.absent(logs.find((l) => /closed session|closing core|SESSION_CLOSED/i.test(l)), 'nothing logged a read of a closed session')
  t.is(await outcomes([room.history(), room.send('after'), room.members()]).then((o) => o.join()), 'CLOSED,CLOSED,CLOSED', 'uses after the close fail with CLOSED')
})

test('uses that wake a resting room while it closes finish or fail with CLOSED', async (t) => {
  const logs: string[] = []
  const { rooms, room } = await aloneIn(t, logs)
  await until(async () => rooms.rest(room.id))
  t.ok(room.resting)
  const uses = everyUse(room) // each wakes it
  const closing = room.close()
  const results = await outcomes(uses)
  await closing
  t.ok(results.every(okOrClosed), 'each finished or was told CLOSED: ' + results.join(', '))
  t.absent(logs.find((l) => /closed session|closing core|SESSION_CLOSED/i.test(l)), 'nothing logged a read of a closed session')
})

test('a rest and a close at once: the close waits for the rest, nothing is left open', async (t) => {
  const logs: string[] = []
  const { room } = await aloneIn(t, logs)
  await until(async () => (await room.rest()) || room.resting)
  await room.history() // awake
  const resting = room.rest()
  const uses = everyUse(room)
  const closing = room.close()
  const results = await outcomes(uses)
  await Promise.all([resting, closing])
  t.ok(results.every(okOrClosed), 'each finished or was told CLOSED: ' + results.join(', '))
  t.ok(room.closed)
})

test('a scan in flight when its room closes ends before the view closes', async (t) => {
  const logs: string[] = []
  const { a, b } = await connectedPair(t, logs)
  // The room's own update listener starts a scan (registered first); the close comes right after it.
  let closing: Promise<void> | null = null
  a.base.once('update', () => {
    closing = a.close()
  })
  await b.send('two')
  await until(async () => closing !== null, 30_000)
  await closing
  t.ok(a.closed)
  t.absent(logs.find((l) => l.includes('scan failed')), 'the scan was not cut off: ' + logs.filter((l) => l.includes('failed')).join(' | '))
})

test('a resting room woken by a member reconnecting gets every core it asks for, and rests again only once nobody is connected', { timeout: 120_000 }, async (t) => {
  const logs: string[] = []
  const { ra, a, b, cut, connect } = await connectedPair(t, logs)
  logs.length = 0 // B asked for cores before it was a member: refused, as it should be

  for (let round = 0; round < 3; round++) {
    cut()
    await until(async () => ra.rest(a.id), 10_000)
    await b.send('split ' + round)
    // The partition heals while a use of the room wakes it from the other side.
    connect()
    const reading = a.history()
    t.is(await ra.rest(a.id), false, 'no rest while the member is connected')
    await reading
    await until(async () => (await a.history()).some((m) => m.text === 'split ' + round), 30_000)
  }
  t.alike((await a.history()).map((m) => m.text), ['before', 'split 0', 'split 1', 'split 2'], 'every side of every split')
  const bad = logs.filter((l) => /replication: (?!refused)|failed|closed session|closing core/i.test(l))
  t.alike(bad, [], 'no replication or scan errors: ' + logs.join(' / '))
})

test('listRooms while a room closes under it answers without that room (not CLOSED)', async (t) => {
  const { start } = await coreNet(t)
  const a = await start('a')
  const kept = (await a.api.request('createRoom', { name: 'Kept' })) as { room: string }
  const gone = (await a.api.request('createRoom', { name: 'Gone' })) as { room: string }
  const room = await a.api.core.rooms.open(gone.room)
  const listing = a.api.request('listRooms', {}) as Promise<Array<{ room: string }>>
  const closing = room.close() // as a room dropped as not direct, or left, closes
  const listed = await listing
  await closing
  t.ok(listed.some((r) => r.room === kept.room), 'the other room is listed')
  t.absent(listed.some((r) => r.room === gone.room), 'the closed room is not')
})
