import test from 'brittle'
import b4a from 'b4a'
import c from 'compact-encoding'
import crypto from 'hypercore-crypto'
import { deviceSignedBy, signedBy } from '../../lib/rooms/room'
import type { Room } from '../../lib/rooms/room'
import { Rooms } from '../../lib/rooms/rooms'
import { RoomList } from '../../lib/rooms/room-list'
import { currentEpoch } from '../../lib/rooms/room-view'
import * as schema from '../../lib/wire/schemas'
import { converged, linkedDevice, meshOfStores, memberOf, numberOf, scheme, self, transcript, until } from '../../harness/room-net'

type T = Parameters<Parameters<typeof test>[1]>[0]

/** What a malicious member writes straight into its own writer core, past every Api check. */
async function forge(r: Room, op: schema.RoomOp): Promise<void> {
  await r.base.append(c.encode(schema.roomOp, op))
}

/** A (#1, admin), B (#2), C (#3) in a group room, and A's second device A2 joined by key (not yet a writer). */
async function groupWithSecondDevice(t: T): Promise<{ a: Room; b: Room; c: Room; a2: Room }> {
  const stores = meshOfStores(t, await t.tmp(), 4)
  const rooms = await Promise.all(stores.slice(0, 3).map(async (s, i) => {
    const r = new Rooms({ store: s, list: new RoomList(s.get({ name: 'rooms' })), self: () => self(i + 1), scheme, log: () => {} })
    await r.ready()
    return r
  }))
  const r2 = new Rooms({ store: stores[3], list: new RoomList(stores[3].get({ name: 'rooms' })), self: () => linkedDevice(1, crypto.keyPair()), scheme, log: () => {} })
  await r2.ready()
  t.teardown(() => Promise.all([...rooms, r2].map((r) => r.close())), { order: 0 })
  const a = await rooms[0].create(schema.ROOM_GROUP, 'Shelter')
  const b = await rooms[1].join(a.key, a.encryptionKey, schema.ROOM_GROUP)
  const cr = await rooms[2].join(a.key, a.encryptionKey, schema.ROOM_GROUP)
  await a.addMember(await memberOf(2, b))
  await a.addMember(await memberOf(3, cr))
  const a2 = await r2.join(a.key, a.encryptionKey, schema.ROOM_GROUP)
  await until(async () => b.writable && cr.writable && cr.memberKeys.length === 3 && b.memberKeys.length === 3)
  return { a, b, c: cr, a2 }
}

test('a linked device writes as its person: the identity key signed it in, its messages are from that number', async (t) => {
  const { a, b, c: carol, a2 } = await groupWithSecondDevice(t)
  const device = crypto.keyPair().publicKey // A2's Noise key
  const signature = await deviceSignedBy(self(1), scheme, a.discoveryKey, a2.writerKey, device)
  await a.addDevice({ writerKey: a2.writerKey, publicKey: self(1).publicKey, device, name: 'laptop', signature })
  await until(async () => a2.writable, 30_000)
  await a2.send('from the laptop')
  const n1 = await numberOf(1)
  await converged([a, b, carol, a2], async (r) => (await transcript(r)).includes(n1 + ': from the laptop'))
  for (const r of [a, b, carol, a2]) {
    t.is((await r.members()).length, 3, 'still three people: a device is not a member')
    const devices = await r.devices()
    t.is(devices.length, 1)
    t.ok(b4a.equals(devices[0].device, device) && devices[0].state === schema.MEMBER_ACTIVE, 'the device is listed under its person')
    t.ok(r.deviceKeys.includes(b4a.toString(device, 'hex')), 'and its Noise key is known (firewall, dialing)')
  }
  const [m] = (await b.history()).filter((x) => x.text === 'from the laptop')
  t.alike(m.publicKey, self(1).publicKey, 'attributed to the person\'s identity key')

  // A removes the device: it can write nothing more, and later messages are sealed to a key it never gets.
  await a.removeDevice(a2.writerKey)
  await until(async () => (await b.devices())[0].state === schema.MEMBER_REMOVED)
  await a.send('after the laptop left')
  await until(async () => (await transcript(b)).includes(n1 + ': after the laptop left'))
  await until(async () => !a2.writable)
  t.ok(b.revoked(self(1).publicKey, device), 'members refuse the removed device from now on')
  const epoch = await currentEpoch(b.base.view)
  t.is(epoch, 1, 'the removal started a new epoch')
  const seen = await a2.history()
  t.absent(seen.some((x) => x.text === 'after the laptop left'), 'the removed device reads nothing sent afterwards')
})

test('forged device records from a plain member are skipped on every member', async (t) => {
  const { a, b, c: carol, a2 } = await groupWithSecondDevice(t)
  const aKey = self(1).publicKey
  const [n1, n2] = [await numberOf(1), await numberOf(2)]
  const sock = crypto.keyPair() // a writer B controls
  const device = crypto.keyPair().publicKey
  // 1. A device "of A", signed by B.
  await forge(b, { type: schema.OP_DEVICE, writerKey: sock.publicKey, publicKey: aKey, device, name: 'x', signature: await deviceSignedBy(self(2), scheme, b.discoveryKey, sock.publicKey, device) })
  // 2. A's member signature (another domain) passed off as a device signature.
  await forge(b, { type: schema.OP_DEVICE, writerKey: a.writerKey, publicKey: aKey, device, name: 'x', signature: await signedBy(self(1), scheme, b.discoveryKey, a.writerKey) })
  // 3. A's real device signature for another room.
  const elsewhere = await deviceSignedBy(self(1), scheme, b4a.alloc(32, 7), sock.publicKey, device)
  await forge(b, { type: schema.OP_DEVICE, writerKey: sock.publicKey, publicKey: aKey, device, name: 'x', signature: elsewhere })
  // 4. A's real signature for A2, with B's writer or another device key swapped in.
  const real = await deviceSignedBy(self(1), scheme, a.discoveryKey, a2.writerKey, device)
  await forge(b, { type: schema.OP_DEVICE, writerKey: sock.publicKey, publicKey: aKey, device, name: 'x', signature: real })
  await forge(b, { type: schema.OP_DEVICE, writerKey: a2.writerKey, publicKey: aKey, device: sock.publicKey, name: 'x', signature: real })
  // 5. A device for someone who is not a member (B's own key pair as "person").
  const stranger = crypto.keyPair()
  const strangerSelf = { ...self(9), publicKey: stranger.publicKey, sign: (m: Buffer) => crypto.sign(m, stranger.secretKey) }
  await forge(b, { type: schema.OP_DEVICE, writerKey: sock.publicKey, publicKey: stranger.publicKey, device, name: 'x', signature: await deviceSignedBy(strangerSelf, scheme, b.discoveryKey, sock.publicKey, device) })
  // 6. An existing member's writer re-added as a device (Carol's writer under B): B's own signature.
  await forge(b, { type: schema.OP_DEVICE, writerKey: carol.writerKey, publicKey: self(2).publicKey, device, name: 'x', signature: await deviceSignedBy(self(2), scheme, b.discoveryKey, carol.writerKey, device) })
  await b.send('marker')
  await converged([a, b, carol], async (r) => (await transcript(r)).includes(n2 + ': marker'))
  for (const r of [a, b, carol]) {
    t.alike(await r.devices(), [], 'no device was added anywhere')
    t.is((await r.members()).length, 3)
  }

  // Now A really adds A2; B, a plain member, cannot remove it, and a replay after A removes it adds nothing.
  await a.addDevice({ writerKey: a2.writerKey, publicKey: aKey, device, name: 'laptop', signature: real })
  await until(async () => a2.writable, 30_000)
  await forge(b, { type: schema.OP_REMOVE_DEVICE, writerKey: a2.writerKey })
  await b.send('marker 2')
  await converged([a, b, carol], async (r) => (await transcript(r)).includes(n2 + ': marker 2'))
  for (const r of [a, b, carol]) t.is((await r.devices())[0].state, schema.MEMBER_ACTIVE, 'a plain member cannot remove another\'s device')
  await a.removeDevice(a2.writerKey)
  await forge(b, { type: schema.OP_DEVICE, writerKey: a2.writerKey, publicKey: aKey, device, name: 'laptop', signature: real })
  const fresh = crypto.keyPair().publicKey
  await forge(b, { type: schema.OP_DEVICE, writerKey: fresh, publicKey: aKey, device, name: 'laptop', signature: await deviceSignedBy(self(1), scheme, b.discoveryKey, fresh, device) })
  await b.send('marker 3')
  await converged([a, b, carol], async (r) => (await transcript(r)).includes(n2 + ': marker 3'))
  for (const r of [a, b, carol]) {
    const devices = await r.devices()
    t.is(devices.length, 1, 'the replay and the removed device under a new writer are skipped')
    t.is(devices[0].state, schema.MEMBER_REMOVED)
  }
  t.alike(await transcript(a), await transcript(carol), 'honest members converge')
  t.ok(!(await transcript(a)).some((l) => l.startsWith(n1) && l.includes('marker')), 'nothing passes as A')
})
