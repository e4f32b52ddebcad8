import test from 'brittle'
import b4a from 'b4a'
import c from 'compact-encoding'
import crypto from 'hypercore-crypto'
import { deviceSignedBy } from '../../lib/rooms/room'
import type { Room } from '../../lib/rooms/room'
import { Rooms } from '../../lib/rooms/rooms'
import { RoomList } from '../../lib/rooms/room-list'
import { deviceGrants, sealedEpochKey } from '../../lib/rooms/room-view'
import { newEpochKey, openSealedKey, sealedKeyRef, sealKeyTo, SEALED_KEY_BYTES } from '../../lib/rooms/epoch-keys'
import * as schema from '../../lib/wire/schemas'
import { converged, linkedDevice, meshOfStores, memberOf, numberOf, roomsOf, scheme, self, silent, transcript, until } from '../../harness/room-net'

type T = Parameters<Parameters<typeof test>[1]>[0]
type KeyPair = { publicKey: Buffer; secretKey: Buffer }
interface Device {
  room: Room
  key: KeyPair
  person: number
}

/**
 * A group made by #1 (admin) with `members` added at once, `late` people who have it open but are
 * not added yet, and a linked device of each person in `owners` (its own store and Noise key,
 * joined by key, not signed in yet).
 */
async function group(t: T, members: number[], late: number[], owners: number[]): Promise<{ a: Room; people: Map<number, Room>; devices: Device[] }> {
  const stores = meshOfStores(t, await t.tmp(), 1 + members.length + late.length + owners.length)
  const persons = [1, ...members, ...late]
  const profiles = await Promise.all(persons.map((n, i) => roomsOf(stores[i], n)))
  const keys = owners.map(() => crypto.keyPair())
  const deviceProfiles = await Promise.all(
    owners.map(async (n, i) => {
      const s = stores[persons.length + i]
      const r = new Rooms({ store: s, list: new RoomList(s.get({ name: 'rooms' })), self: () => linkedDevice(n, keys[i]), scheme, log: silent })
      await r.ready()
      return r
    })
  )
  t.teardown(() => Promise.all([...profiles, ...deviceProfiles].map((r) => r.close())), { order: 0 })
  const a = await profiles[0].create(schema.ROOM_GROUP, 'Shelter')
  const people = new Map<number, Room>([[1, a]])
  for (let i = 1; i < persons.length; i++) people.set(persons[i], await profiles[i].join(a.key, a.encryptionKey, schema.ROOM_GROUP))
  for (const n of members) await a.addMember(await memberOf(n, people.get(n) as Room))
  const devices = await Promise.all(deviceProfiles.map(async (r, i) => ({ room: await r.join(a.key, a.encryptionKey, schema.ROOM_GROUP), key: keys[i], person: owners[i] })))
  await until(async () => members.every((n) => (people.get(n) as Room).writable && (people.get(n) as Room).memberKeys.length === 1 + members.length))
  return { a, people, devices }
}

/** The person signs their device in from their own room (which grants it the epochs they hold, in the same batch). */
async function signIn(person: Room, d: Device): Promise<void> {
  const signature = await deviceSignedBy(self(d.person), scheme, person.discoveryKey, d.room.writerKey, d.key.publicKey)
  await person.addDevice({ writerKey: d.room.writerKey, publicKey: self(d.person).publicKey, device: d.key.publicKey, name: 'laptop', signature })
  await until(async () => d.room.writable, 30_000)
}

async function remove(admin: Room, n: number): Promise<void> {
  await admin.act({ type: schema.OP_REMOVE_MEMBER, publicKey: self(n).publicKey })
}

/** What a malicious member writes straight into its own writer core, past every Api check. */
async function forge(r: Room, op: schema.RoomOp | Buffer): Promise<void> {
  await r.base.append(b4a.isBuffer(op) ? op : c.encode(schema.roomOp, op))
}

/** Every key and value of a room's view bee, as hex: to see what an op wrote. */
async function dump(r: Room): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  for await (const { key, value } of r.base.view.meta.createReadStream()) out.set(key, b4a.toString(value, 'hex'))
  return out
}

/** Keys added, changed or gone between two dumps. */
function changed(before: Map<string, string>, after: Map<string, string>): string[] {
  const keys = new Set([...before.keys(), ...after.keys()])
  return [...keys].filter((k) => before.get(k) !== after.get(k)).sort()
}

/** Waits until `r` has applied everything `ahead` has (its view is at least as long). */
async function caughtUp(r: Room, ahead: Room): Promise<void> {
  await until(async () => r.base.view.messages.length >= ahead.base.view.messages.length && r.base.view.events.length >= ahead.base.view.events.length, 30_000)
}

test('grants follow every epoch: linked devices read and write in each, a removed one reads nothing after', async (t) => {
  const { a, people, devices } = await group(t, [2, 3], [], [1, 1])
  const b = people.get(2) as Room
  const [a2, a3] = devices
  await signIn(a, a2)
  await signIn(a, a3)
  const [n1, n2] = [await numberOf(1), await numberOf(2)]

  await remove(a, 3) // epoch 1: its key sealed to A and B, and in the same batch to A2 and A3
  await until(async () => b.base.view.keys.has(1), 30_000)
  await b.send('one')
  await converged([a, b, a2.room, a3.room], async (r) => (await transcript(r)).includes(n2 + ': one'))
  t.pass('both devices read the epoch that began after they were signed in')
  for (const d of [a2, a3]) t.is((await deviceGrants(b.base.view, 1, d.room.writerKey)).length, 1, 'one grant each, from A')

  await a.removeDevice(a3.room.writerKey) // epoch 2: A2 gets it, A3 does not
  await until(async () => b.base.view.keys.has(2), 30_000) // else B may still seal in epoch 1
  await b.send('two')
  await converged([a, b, a2.room], async (r) => (await transcript(r)).includes(n2 + ': two'))
  const mine = await a2.room.send('from A2')
  await converged([a, b], async (r) => (await r.history()).some((m) => m.id === mine.id && m.text === 'from A2'))
  t.ok((await transcript(b)).includes(n1 + ': from A2'), 'B reads what A2 sealed in epoch 2, from A\'s number')

  // The mesh still hands A3 the cores (members' replication would not): it applies everything and opens nothing new.
  await caughtUp(a3.room, a)
  const seen = await transcript(a3.room)
  t.ok(seen.includes(n2 + ': one'), 'A3 keeps what it had')
  t.absent(seen.some((l) => l.endsWith(': two') || l.endsWith(': from A2')), 'and reads nothing sent after its removal')
  t.absent(a3.room.base.view.keys.has(2), 'it holds no key of epoch 2')
  t.is((await deviceGrants(b.base.view, 2, a3.room.writerKey)).length, 0, 'nobody granted it one')
  for (const r of [a, b, a2.room, a3.room]) t.absent(r.broken)
})

test('an epoch another admin began without grants (it never saw the device) reaches the device through its person\'s own device', async (t) => {
  const { a, people, devices } = await group(t, [2, 3], [], [1])
  const b = people.get(2) as Room
  const [a2] = devices
  await a.act({ type: schema.OP_SET_ROLE, publicKey: self(2).publicKey, role: schema.ROLE_ADMIN })
  await until(async () => (await b.me())?.role === schema.ROLE_ADMIN)
  await signIn(a, a2)
  // B removes C as an admin who does not know of A2 would: the new key for A and B, no grant.
  const key = newEpochKey()
  const keys = [1, 2].map((n) => ({ publicKey: self(n).publicKey, box: sealKeyTo(self(n).publicKey, key) as Buffer }))
  await forge(b, { type: schema.OP_REMOVE_MEMBER, publicKey: self(3).publicKey })
  await forge(b, { type: schema.OP_EPOCH, epoch: 1, keys })
  await until(async () => b.base.view.keys.has(1), 30_000)
  const m = await b.send('sealed by B')
  await converged([a, b, a2.room], async (r) => (await r.history()).some((x) => x.id === m.id && x.text === 'sealed by B'))
  const grants = await deviceGrants(b.base.view, 1, a2.room.writerKey)
  t.is(grants.length, 1, 'A2 reads it: one grant')
  t.ok(b4a.equals(grants[0].by, self(1).publicKey), 'appended by A, its person')
  for (const r of [a, b, a2.room]) t.absent(r.broken)
})

test('a device removed by its person who is no admin: an admin starts the next epoch, which the device never opens', async (t) => {
  const { a, people, devices } = await group(t, [2, 3], [], [2])
  const b = people.get(2) as Room
  const [b2] = devices
  const n2 = await numberOf(2)
  await signIn(b, b2) // B, a plain member, signs its own device in
  await remove(a, 3) // epoch 1, granted to B2 with it
  await until(async () => b2.room.base.view.keys.has(1), 30_000)
  await b.removeDevice(b2.room.writerKey) // B is no admin: only the removal
  await until(async () => b.base.view.keys.has(2), 30_000)
  t.pass('A, an admin, started epoch 2 on applying it, and B got its key')
  t.is((await deviceGrants(a.base.view, 2, b2.room.writerKey)).length, 0, 'with no grant to the removed device')
  await b.send('after B2 left')
  await converged([a, b], async (r) => (await transcript(r)).includes(n2 + ': after B2 left'))
  await caughtUp(b2.room, a)
  t.absent(b2.room.base.view.keys.has(2), 'B2 holds no key of epoch 2')
  t.absent((await transcript(b2.room)).includes(n2 + ': after B2 left'), 'and reads nothing sent after its removal')
  t.is(a.base.view.keys.size, 2, 'one follow-up epoch, not more')
  for (const r of [a, b, b2.room]) t.absent(r.broken)
})

test('a device signed in later gets the epochs its person holds, and a grant of one its person never had is ignored', async (t) => {
  const { a, people, devices } = await group(t, [2, 4], [3], [3])
  const carol = people.get(3) as Room
  const [c2] = devices
  const n1 = await numberOf(1)
  await remove(a, 2) // epoch 1
  await a.send('in epoch one')
  await remove(a, 4) // epoch 2
  await a.addMember(await memberOf(3, carol)) // C gets epoch 2 (the current one) only
  await until(async () => carol.writable && carol.base.view.keys.has(2), 30_000)
  await a.send('in epoch two')
  await signIn(carol, c2)
  await converged([a, carol, c2.room], async (r) => (await transcript(r)).includes(n1 + ': in epoch two'))
  t.pass('C2, signed in during epoch 2, reads it')
  t.alike(await transcript(c2.room), await transcript(carol), 'and reads what C reads, no more')

  // A holds epoch 1's key and seals it to C2's own key: apply ignores it (C never had epoch 1).
  const key1 = a.base.view.keys.get(1)
  const box = key1 ? sealKeyTo(c2.key.publicKey, key1) : null
  if (box === null) return t.fail('A holds no key of epoch 1')
  const before = await dump(carol)
  const held = await sealedEpochKey(a.base.view, 1, self(1).publicKey) // naming A's own copy: C has none to name
  await forge(a, { type: schema.OP_DEVICE_EPOCH_GRANT, epoch: 1, writerKey: c2.room.writerKey, box, ref: sealedKeyRef(held ?? b4a.alloc(0)) })
  const marker = await a.send('marker')
  await converged([a, carol, c2.room], async (r) => (await r.history()).some((m) => m.id === marker.id))
  t.alike(changed(before, await dump(carol)), ['id/' + marker.id], 'the grant wrote nothing')
  t.absent(c2.room.base.view.keys.has(1), 'C2 holds no key of epoch 1')
  t.absent((await transcript(c2.room)).includes(n1 + ': in epoch one'), 'and reads nothing of it')
})

test('forged grants (to a member, a stranger, a removed device; bad epochs, boxes, refs, bytes; the key of a lost race) crash nothing and change no view', async (t) => {
  const { a, people, devices } = await group(t, [2, 3], [], [1])
  const b = people.get(2) as Room
  const carol = people.get(3) as Room
  const [a2] = devices
  const n2 = await numberOf(2)
  await signIn(a, a2)
  await remove(a, 3) // epoch 1, granted to A2 with it
  await until(async () => b.base.view.keys.has(1), 30_000)
  await b.send('sealed one')
  const honest = [a, b, a2.room]
  await converged(honest, async (r) => (await transcript(r)).includes(n2 + ': sealed one'))

  const key1 = b.base.view.keys.get(1)
  if (key1 === undefined) return t.fail('B holds no key of epoch 1')
  const good = sealKeyTo(a2.key.publicKey, key1) as Buffer
  // Each names A's copy of the epoch as the view holds it, as an honest grant to A2 does.
  const refOf = async (epoch: number): Promise<Buffer> => sealedKeyRef((await sealedEpochKey(b.base.view, epoch, self(1).publicKey)) ?? b4a.alloc(0))
  const ref1 = await refOf(1)
  const grant = (epoch: number, writerKey: Buffer, box: Buffer, ref = ref1): schema.DeviceEpochGrantOp => ({ type: schema.OP_DEVICE_EPOCH_GRANT, epoch, writerKey, box, ref })
  const before = await Promise.all(honest.map(dump))
  const events = honest.map((r) => r.base.view.events.length)
  // Not a device: a member's writer (Carol's, removed; B's own, active) and a key nobody has.
  await forge(b, grant(1, carol.writerKey, sealKeyTo(self(3).publicKey, key1) as Buffer))
  await forge(b, grant(1, b.writerKey, sealKeyTo(self(2).publicKey, key1) as Buffer))
  await forge(b, grant(1, crypto.keyPair().publicKey, good))
  // Epochs that are not: 0 (the room key's), one not begun, a huge one.
  for (const epoch of [0, 2, 2 ** 40]) await forge(b, grant(epoch, a2.room.writerKey, good))
  // Boxes of the wrong size.
  for (const size of [0, SEALED_KEY_BYTES - 1, SEALED_KEY_BYTES + 1, 4096]) await forge(b, grant(1, a2.room.writerKey, b4a.alloc(size, 7)))
  // A ref that names no copy; and a race lost: an epoch op that is skipped (B starts epoch 1 again
  // with a key of its own), then a grant of that key naming the skipped op's copy for A.
  await forge(b, grant(1, a2.room.writerKey, good, crypto.randomBytes(32)))
  const lost = newEpochKey()
  const lostCopy = sealKeyTo(self(1).publicKey, lost) as Buffer
  await forge(b, { type: schema.OP_EPOCH, epoch: 1, keys: [{ publicKey: self(1).publicKey, box: lostCopy }, { publicKey: self(2).publicKey, box: sealKeyTo(self(2).publicKey, lost) as Buffer }] })
  await forge(b, grant(1, a2.room.writerKey, sealKeyTo(a2.key.publicKey, lost) as Buffer, sealedKeyRef(lostCopy)))
  // Bytes that do not decode: cut short, or the op's tag followed by noise.
  const encoded = c.encode(schema.roomOp, grant(1, a2.room.writerKey, good))
  await forge(b, encoded.subarray(0, encoded.byteLength - 9))
  await forge(b, b4a.concat([encoded.subarray(0, 4), b4a.alloc(3, 0xff)]))
  const marker = await b.send('marker')
  await converged(honest, async (r) => (await r.history()).some((m) => m.id === marker.id))
  for (let i = 0; i < honest.length; i++) {
    t.alike(changed(before[i], await dump(honest[i])), ['id/' + marker.id], 'nothing but the marker was written')
    t.is(honest[i].base.view.events.length, events[i], 'and no room event')
  }

  // A well-formed grant with a box nobody can open is kept beside A's (apply cannot open it), and
  // never keeps A's out: the device tries each copy.
  await forge(b, grant(1, a2.room.writerKey, b4a.alloc(SEALED_KEY_BYTES, 7)))
  await until(async () => (await deviceGrants(a2.room.base.view, 1, a2.room.writerKey)).length === 2)
  const copies = await deviceGrants(a2.room.base.view, 1, a2.room.writerKey)
  t.is(copies.filter((g) => openSealedKey(a2.key.secretKey, g.box) !== null).length, 1, 'A\'s copy still opens')
  t.ok(a2.room.base.view.keys.has(1))

  // A removes A2 (epoch 2). B then seals epoch 2's real key to A2's own key: linearized after the removal, it is ignored.
  await a.removeDevice(a2.room.writerKey)
  await until(async () => b.base.view.keys.has(2), 30_000)
  const key2 = b.base.view.keys.get(2) as Buffer
  const removed = await Promise.all([a, b].map(dump))
  await forge(b, grant(2, a2.room.writerKey, sealKeyTo(a2.key.publicKey, key2) as Buffer, await refOf(2)))
  const late = await b.send('after A2 was removed')
  await converged([a, b], async (r) => (await r.history()).some((m) => m.id === late.id))
  for (const [i, r] of [a, b].entries()) t.alike(changed(removed[i], await dump(r)), ['id/' + late.id], 'the grant to the removed device wrote nothing')
  await caughtUp(a2.room, a)
  t.absent(a2.room.base.view.keys.has(2), 'A2 holds no key of epoch 2')
  t.absent((await transcript(a2.room)).includes(n2 + ': after A2 was removed'), 'and reads nothing after its removal')
  t.alike(await transcript(a), await transcript(b), 'honest members converge')
  for (const r of [a, b, a2.room]) t.absent(r.broken, 'no room broke')
})
