import test from 'brittle'
import b4a from 'b4a'
import type { PeerSession } from '../../lib/contacts/peer-session'
import { coreNet, errorCode } from '../../harness/core-api'
import { eventually } from '../../harness/eventually'
import { meshOfStores, roomsOf, self, until } from '../../harness/room-net'
import { OP_RENAME, ROOM_DIRECT } from '../../lib/wire/schemas'

type Started = Awaited<ReturnType<Awaited<ReturnType<typeof coreNet>>['start']>>
interface Summary { room: string; kind: string; broken: string | null }

/** The attacker's verified session to `victim` (they meet as members of a group). */
async function sessionTo(attacker: Started, victim: Started): Promise<PeerSession> {
  const sessions = (attacker.api.core.contacts as unknown as { _sessions: Map<string, PeerSession> })._sessions
  const id = b4a.toString(victim.api.core.identity.publicKey, 'hex')
  const s = await eventually(async () => sessions.get(id), (v) => v !== undefined, 20_000)
  if (s === undefined) throw new Error('never connected')
  return s
}

test('a contact request naming a group is refused: one we are in at accept, one of others once it shows', async (t) => {
  const { start } = await coreNet(t)
  const a = await start('attacker')
  const v = await start('victim')
  const c = await start('friend')
  const w = await start('second victim')
  const aNumber = (await a.api.request('whoami')).number

  // A and the victim share a group, so they are connected; C is in a second group of A's.
  const shared = (await a.api.request('createRoom', { name: 'Shared' })) as { room: string; invite: string }
  await v.api.request('joinRoom', { invite: shared.invite })
  await w.api.request('joinRoom', { invite: shared.invite })
  const other = (await a.api.request('createRoom', { name: 'Others' })) as { room: string; invite: string }
  await c.api.request('joinRoom', { invite: other.invite })
  const session = await sessionTo(a, v)

  // 1. A request that names the shared group: accepting it would pour the "direct" chat into it.
  const sharedRoom = await a.api.core.rooms.open(shared.room)
  session.sendRequest({ name: 'A', roomKey: sharedRoom.key, roomEncryptionKey: sharedRoom.encryptionKey })
  await v.next('contactRequest', (p) => p.number === aNumber)
  t.is(await errorCode(v.api.request('acceptContact', { number: aNumber })), 'NOT_ALLOWED', 'refused')
  t.ok(v.logs.some((l) => l.includes('refused') && l.includes('already has')), 'with a logged reason')
  const mine = (await v.api.request('listRooms', {})) as Summary[]
  t.is(mine.length, 1, 'no new room')
  t.alike([mine[0].room, mine[0].kind, mine[0].broken], [shared.room, 'group', null], 'the group is untouched')

  // 2. A request to W naming A's other group, which W is not in: new to W, so accepted, but it
  // has a third member; once its members replicate, W drops it as not a direct room.
  const otherRoom = await a.api.core.rooms.open(other.room)
  const toW = await sessionTo(a, w)
  toW.sendRequest({ name: 'A', roomKey: otherRoom.key, roomEncryptionKey: otherRoom.encryptionKey })
  // An honest client replicates a room only to its members; a modified one hands W the cores.
  for (const core of otherRoom.cores.open()) core.replicate(toW.mux)
  await w.next('contactRequest', (p) => p.number === aNumber)
  await w.api.request('acceptContact', { number: aNumber })
  const listed = await eventually(
    async () => ((await w.api.request('listRooms', {})) as Summary[]).find((r) => r.room === other.room),
    (r) => r !== undefined && r.broken !== null,
    20_000
  )
  t.ok(listed?.broken?.includes('not a direct room'), 'listed as broken: ' + listed?.broken)
  t.ok(w.logs.some((l) => l.includes(other.room) && l.includes('not a direct room')), 'with a logged reason')
  t.is(await errorCode(w.api.request('send', { to: aNumber, text: 'meant for A alone' })), 'NO_SUCH_ROOM', 'nothing is sent into it')
  t.absent((await a.api.core.rooms.open(other.room).then((r) => r.history())).some((m) => m.text === 'meant for A alone'))
  // The victim's other rooms go on.
  await w.api.request('send', { to: shared.room, text: 'still here' })
  await a.next('message', (p) => p.text === 'still here')
})

/** A "direct" room made by #3 and handed to the victim (#1) as if it came from #2. */
async function roomFromAThirdPerson(t: Parameters<Parameters<typeof test>[1]>[0], logs: string[] = []) {
  const [s1, s3] = meshOfStores(t, await t.tmp(), 2)
  const victim = await roomsOf(s1, 1, (m) => logs.push(m))
  const third = await roomsOf(s3, 3)
  t.teardown(() => Promise.all([victim.close(), third.close()]), { order: 0 })
  const made = await third.create(ROOM_DIRECT)
  return { victim, room: await victim.join(made.key, made.encryptionKey, ROOM_DIRECT) }
}

test('a direct room created by someone other than the requester is refused', async (t) => {
  const logs: string[] = []
  const { victim, room } = await roomFromAThirdPerson(t, logs)
  victim.guardDirect(room, self(2).publicKey)
  await until(async () => victim.brokenReason(room.id) !== null)
  t.ok(victim.brokenReason(room.id)?.includes('created by someone other than the requester'))
  t.ok(logs.some((l) => l.includes(room.id) && l.includes('not a direct room')), 'logged')
  t.ok(room.closed, 'closed: nothing more is written to it')
})

test('a direct room refuses every write while its view shows it is not one', async (t) => {
  const { room } = await roomFromAThirdPerson(t)
  room.holdDirect(self(2).publicKey) // what guardDirect does first, before its check closes the room
  await until(async () => (await room.members()).length > 0)
  await t.exception(room.send('meant for #2 alone'), /not a direct conversation/)
  await t.exception(room.act({ type: OP_RENAME, name: 'x' }), /not a direct conversation/)
})
