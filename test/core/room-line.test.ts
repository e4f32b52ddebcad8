import test from 'brittle'
import Corestore from 'corestore'
import path from 'path'
import { connectRooms, memberOf, roomsOf, until } from '../../harness/room-net'
import type { Room } from '../../lib/rooms/room'
import { ROLE_MEMBER, ROOM_GROUP } from '../../lib/wire/schemas'

/** Polls until `count(room)` is `want` on every room or `ms` pass; answers the last counts. */
async function settle(rooms: Room[], count: (texts: string[]) => number, want: number, ms: number): Promise<number[]> {
  const end = Date.now() + ms
  let counts: number[] = []
  while (Date.now() < end) {
    counts = await Promise.all(rooms.map(async (r) => count((await r.history()).map((m) => m.text))))
    if (counts.every((n) => n === want)) break
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  return counts
}

// In a large room members do not all meet: past the mesh limit each meets a few dozen on the room
// topic. A writer's ops must reach those it never meets through the members in between, even when
// nothing they hold points at that writer yet (Autobase's wakeup protocol says who moved).
test('a room whose members form a line, A - B - C - D - E: every writer reaches everyone after a quiet spell', { timeout: 180_000 }, async (t) => {
  const dir = await t.tmp()
  const names = ['a', 'b', 'c', 'd', 'e']
  const stores = names.map((n) => new Corestore(path.join(dir, n)))
  const rs = await Promise.all(stores.map((s, i) => roomsOf(s, i + 1)))
  const cuts = rs.slice(1).map((r, i) => connectRooms(rs[i], i + 1, r, i + 2))
  t.teardown(async () => {
    for (const cut of cuts) cut()
    await Promise.all(rs.map((r) => r.close()))
    await Promise.all(stores.map((s) => s.close()))
  })
  const a = await rs[0].create(ROOM_GROUP, 'Line')
  const rooms = [a]
  for (let i = 1; i < names.length; i++) {
    const r = await rs[i].join(a.key, a.encryptionKey, ROOM_GROUP)
    await a.addMember(await memberOf(i + 1, r, ROLE_MEMBER))
    await until(async () => r.writable, 60_000)
    rooms.push(r)
  }
  const e = rooms[4]
  // Quiet: the writers go idle, and nobody's nodes point at E's next ones.
  await new Promise((resolve) => setTimeout(resolve, 5000))
  for (let k = 0; k < 20; k++) await e.send('e ' + k)
  const fromE = await settle(rooms, (x) => x.filter((y) => y.startsWith('e ')).length, 20, 60_000)
  t.alike(fromE, [20, 20, 20, 20, 20], 'every member has all of E\'s messages')
  await new Promise((resolve) => setTimeout(resolve, 5000))
  await Promise.all([rooms[1].send('b x'), rooms[3].send('d x'), e.send('e x')])
  const three = await settle(rooms, (x) => x.filter((y) => y.endsWith(' x')).length, 3, 60_000)
  t.alike(three, [3, 3, 3, 3, 3], 'three writers at once reach every member')
})
