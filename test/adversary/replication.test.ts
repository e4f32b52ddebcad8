import test from 'brittle'
import b4a from 'b4a'
import type Hypercore from 'hypercore'
import type { PeerSession } from '../../lib/contacts/peer-session'
import type { Room } from '../../lib/rooms/room'
import { coreNet } from '../../harness/core-api'
import { befriend, sessionTo, type Started } from '../../harness/raw-session'
import { eventually } from '../../harness/eventually'

/** How long a raw pull may wait for one block before it counts as refused. */
const PULL_TIMEOUT = 3000

/** Every core key of a room as its admin holds it: its writer (the room key), system and views. */
function roomCoreKeys(room: Room): Buffer[] {
  const keys = [room.base.key, room.base.local?.key, room.base.core.key, ...room.base.views().map((v) => v.key)]
  const seen = new Map<string, Buffer>()
  for (const k of keys) if (k) seen.set(b4a.toString(k, 'hex'), k)
  return [...seen.values()]
}

/**
 * A raw hypercore session on `who`'s store for each key, replicated by hand onto the muxer of an
 * authenticated connection: what a modified client that knows the keys would do.
 */
async function rawPull(t: Parameters<Parameters<typeof test>[1]>[0], who: Started, session: PeerSession, keys: Buffer[]): Promise<Hypercore[]> {
  const cores = keys.map((key) => who.api.core.store.get({ key }))
  for (const core of cores) {
    await core.ready()
    core.replicate(session.mux)
  }
  t.teardown(() => Promise.all(cores.map((c) => c.close())), { order: -1 })
  return cores
}

/** True if asking for block `index` of the core gets it within PULL_TIMEOUT. */
async function gets(core: Hypercore, index: number): Promise<boolean> {
  try {
    return (await core.get(index, { timeout: PULL_TIMEOUT })) !== null
  } catch {
    return false
  }
}

test('a connected contact who is not in a room and knows its keys gets no block of its cores', async (t) => {
  const { start } = await coreNet(t)
  const admin = await start('admin')
  const member = await start('member')
  const outsider = await start('outsider')
  // The outsider is the admin's contact: the connection is admitted and authenticated.
  await befriend(outsider, admin)

  const { room, invite } = (await admin.api.call('createRoom', { name: 'Closed' })) as { room: string; invite: string }
  await member.api.call('joinRoom', { invite })
  for (const text of ['one', 'two', 'three']) await admin.api.call('send', { to: room, text })
  await eventually(
    async () => (await member.api.call('history', { to: room })) as unknown[],
    (h) => h.length === 3
  )

  // The outsider learns every key (as if leaked) and asks the admin for the blocks directly.
  const adminRoom = await admin.api.core.rooms.open(room)
  const keys = roomCoreKeys(adminRoom)
  const cores = await rawPull(t, outsider, await sessionTo(outsider, admin), keys)
  const got = await Promise.all(cores.map((core) => gets(core, 0)))
  for (const [i, core] of cores.entries()) {
    t.absent(got[i], `core ${i + 1} of ${cores.length}: block 0 never arrives`)
    t.is(core.contiguousLength, 0, 'nothing of it is stored')
  }
  t.ok(
    admin.logs.some((l) => l.includes('replication') && l.includes('not a member')),
    'the admin logged why it refused'
  )

  // The member still gets everything: the room goes on for the people in it.
  await member.api.call('send', { to: room, text: 'still here' })
  await admin.next('message', (p) => p.text === 'still here')
  await eventually(
    async () => (await admin.api.call('history', { to: room })) as unknown[],
    (h) => h.length === 4
  )
  t.pass('members converge')
})

test('a removed member gets no block appended after its removal, not even by raw core', async (t) => {
  const { start } = await coreNet(t)
  const admin = await start('admin')
  const removed = await start('removed')
  const stays = await start('stays')
  const { room, invite } = (await admin.api.call('createRoom', { name: 'Ops' })) as { room: string; invite: string }
  await removed.api.call('joinRoom', { invite })
  await stays.api.call('joinRoom', { invite })
  await admin.api.call('send', { to: room, text: 'before' })
  for (const who of [removed, stays]) {
    await eventually(async () => (await who.api.call('history', { to: room })) as unknown[], (h) => h.length === 1)
  }
  const toAdmin = await sessionTo(removed, admin)

  await admin.api.call('removeMember', { room, number: (await removed.api.request('whoami')).number })
  const adminRoom = await admin.api.core.rooms.open(room)
  const keys = roomCoreKeys(adminRoom)
  const cut = await Promise.all(keys.map(async (key) => {
    const core = admin.api.core.store.get({ key })
    await core.ready()
    const length = core.length
    await core.close()
    return length
  }))
  // Once every member has applied the removal (the one who stays, here), nobody serves it more.
  await eventually(
    async () => (await stays.api.call('members', { room })) as unknown[],
    (m) => m.length === 2
  )
  // They are told: the admin serves them up to the removal before it stops.
  const told = await eventually(
    async () => ((await removed.api.call('listRooms', {})) as Array<{ room: string; active: boolean }>).find((r) => r.room === room),
    (r) => r?.active === false
  )
  t.is(told?.active, false, 'the removed member\'s app knows it was removed')
  for (let i = 0; i < 5; i++) await admin.api.call('send', { to: room, text: 'after ' + i })
  await eventually(
    async () => (await stays.api.call('history', { to: room })) as Array<{ text: string }>,
    (h) => h.some((m) => m.text === 'after 4')
  )

  t.ok(toAdmin.conn.destroyed === false, 'the removed member is still connected to the admin')
  const cores = await rawPull(t, removed, toAdmin, keys)
  const grew = await Promise.all(keys.map(async (key, i) => {
    const core = admin.api.core.store.get({ key })
    await core.ready()
    const more = core.length > cut[i]
    await core.close()
    return more
  }))
  t.ok(grew[0], 'the admin\'s own core grew after the removal')
  const got = await Promise.all(cores.map((core, i) => (grew[i] ? gets(core, cut[i]) : false)))
  for (const [i, core] of cores.entries()) {
    if (!grew[i]) continue
    t.absent(got[i], `core ${i + 1}: block ${cut[i]} (after the removal) never arrives`)
    t.absent(await core.has(cut[i]), 'and is not stored')
  }
  const seen = (await removed.api.call('history', { to: room })) as Array<{ text: string }>
  t.absent(seen.some((m) => m.text.startsWith('after')), 'the removed member\'s history has nothing after')
  // The rest go on.
  await stays.api.call('send', { to: room, text: 'we continue' })
  await admin.next('message', (p) => p.text === 'we continue')
})
