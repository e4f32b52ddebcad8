import type test from 'brittle'
import NoiseSecretStream from '@hyperswarm/secret-stream'
import b4a from 'b4a'
import Corestore from 'corestore'
import Protomux from 'protomux'
import crypto from 'hypercore-crypto'
import path from 'path'
import { signedBy } from '../lib/rooms/room'
import { seqOfId } from '../lib/rooms/room-view'
import { SignedView } from '../lib/rooms/signed-view'
import type { NewMember, Room, Self } from '../lib/rooms/room'
import { signWith } from '../lib/rooms/member-signature'
import { openSealedKey } from '../lib/rooms/epoch-keys'
import { NumberScheme } from '../lib/identity/number-scheme'
import { Rooms } from '../lib/rooms/rooms'
import { RoomList } from '../lib/rooms/room-list'
import { ROLE_ADMIN, ROLE_MEMBER, ROOM_DIRECT, ROOM_GROUP } from '../lib/wire/schemas'
import type { Role } from '../lib/wire/schemas'

type T = Parameters<Parameters<typeof test>[1]>[0]

/** Nine-digit numbers at a test cost (the real parameters take 0.1-0.3 s per key). */
export const scheme = new NumberScheme({ opslimit: 1, memlimit: 8192, digits: 9 })

/** Test person n: a real Ed25519 key pair from a fixed seed, signing as Self does. */
export function self(n: number) {
  const keyPair = crypto.keyPair(b4a.alloc(32, n))
  return { publicKey: keyPair.publicKey, secretKey: keyPair.secretKey, name: 'P' + n, sign: (m: Buffer) => signWith(keyPair.secretKey, m), openSealed: (box: Buffer) => openSealedKey(keyPair.secretKey, box) }
}

/**
 * Person n on a linked device: the same person (identity key) but no identity secret (it cannot
 * sign as them, nor open what is sealed to their identity), and its own Noise key pair `device`,
 * which opens what is sealed to the device (epoch grants), as on a real linked device.
 */
export function linkedDevice(n: number, device: { publicKey: Buffer; secretKey: Buffer }): Self {
  const p = self(n)
  return {
    publicKey: p.publicKey,
    name: p.name + ' (laptop)',
    sign: () => {
      throw new Error('a linked device holds no identity secret')
    },
    openSealed: (box) => openSealedKey(device.secretKey, box)
  }
}

/** Person n's number, as apply derives it. */
export function numberOf(n: number): Promise<string> {
  return scheme.derive(self(n).publicKey)
}

/** Person n's member record for a room: their own signature over (room, writer, number). */
export async function memberOf(n: number, room: Room, role: Role = ROLE_MEMBER): Promise<NewMember> {
  const p = self(n)
  const signature = await signedBy(p, scheme, room.discoveryKey, room.writerKey)
  return { writerKey: room.writerKey, publicKey: p.publicKey, name: p.name, role, signature }
}

export const silent = (): void => {}

export async function roomsOf(store: Corestore, n: number, log: (msg: string) => void = silent): Promise<Rooms> {
  const rooms = new Rooms({ store, list: new RoomList(store.get({ name: 'rooms' })), self: () => self(n), scheme, log })
  await rooms.ready()
  return rooms
}

export async function until(fn: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await fn())) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** n Corestores in `dir`, replicating all ways; closed at teardown (after the rooms). */
export function meshOfStores(t: T, dir: string, n: number): Corestore[] {
  const stores = Array.from({ length: n }, (_, i) => new Corestore(path.join(dir, 's' + (i + 1))))
  const streams: Array<{ destroy: () => void }> = []
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const x = stores[i].replicate(true)
      const y = stores[j].replicate(false)
      x.pipe(y).pipe(x)
      streams.push(x, y)
    }
  }
  t.teardown(async () => {
    for (const s of streams) s.destroy()
    for (const s of stores) await s.close()
  }, { order: 100 })
  return stores
}

/**
 * Two stores in `dir` that replicate only while linked (a contact going offline and back):
 * link() connects them and returns what disconnects them again.
 */
export function linkableStores(dir: string): { sa: Corestore; sb: Corestore; link: () => () => void } {
  const [sa, sb] = [new Corestore(path.join(dir, 'a')), new Corestore(path.join(dir, 'b'))]
  const link = (): (() => void) => {
    const x = sa.replicate(true)
    const y = sb.replicate(false)
    x.pipe(y).pipe(x)
    return () => {
      x.destroy()
      y.destroy()
    }
  }
  return { sa, sb, link }
}

export interface LinkedAdmins {
  sa: Corestore
  sb: Corestore
  ra: Rooms
  /** Reassign after reopening B's profile: teardown closes whatever is here then. */
  rb: Rooms
  a: Room
  b: Room
  /** Connect the two stores (again). */
  link: () => void
  /** Disconnect them (a contact going offline). */
  unlink: () => void
}

/**
 * Two profiles whose stores replicate only while linked, in a direct room made by #1 where both
 * are admins (so both index: nothing is signed while they are apart). Linked at the start.
 */
export async function linkedAdmins(t: T): Promise<LinkedAdmins> {
  const { sa, sb, link } = linkableStores(await t.tmp())
  let cut = link()
  const ra = await roomsOf(sa, 1)
  const rb = await roomsOf(sb, 2)
  const a = await ra.create(ROOM_DIRECT)
  const b = await rb.join(a.key, a.encryptionKey, ROOM_DIRECT)
  const pair: LinkedAdmins = {
    sa,
    sb,
    ra,
    rb,
    a,
    b,
    link: () => void (cut = link()),
    unlink: () => cut()
  }
  t.teardown(async () => {
    await Promise.all([pair.ra.close(), pair.rb.close()])
    cut()
    await sa.close()
    await sb.close()
  })
  await a.addMember(await memberOf(2, b, ROLE_ADMIN))
  await until(async () => b.writable && b.memberKeys.length === 2, 30_000)
  return pair
}

/** One profile alone (nobody to fetch from), closed at teardown. */
export async function aloneRooms(t: T): Promise<Rooms> {
  const store = new Corestore(await t.tmp())
  const rooms = await roomsOf(store, 1)
  t.teardown(async () => {
    await rooms.close()
    await store.close()
  })
  return rooms
}

/** Three profiles (1 admin, 2 and 3 members), replicating all ways, in one group room made by #1. */
export async function groupOfThree(t: T, log: (msg: string) => void = silent): Promise<{ a: Room; b: Room; c: Room; rooms: Rooms[] }> {
  const stores = meshOfStores(t, await t.tmp(), 3)
  const rooms = await Promise.all(stores.map((s, i) => roomsOf(s, i + 1, log)))
  t.teardown(() => Promise.all(rooms.map((r) => r.close())), { order: 0 })
  const [ra, rb, rc] = rooms
  const a = await ra.create(ROOM_GROUP, 'Shelter')
  const b = await rb.join(a.key, a.encryptionKey, ROOM_GROUP)
  const c = await rc.join(a.key, a.encryptionKey, ROOM_GROUP)
  await a.addMember(await memberOf(2, b))
  await a.addMember(await memberOf(3, c))
  await until(async () => b.writable && c.writable && c.memberKeys.length === 3 && b.memberKeys.length === 3)
  return { a, b, c, rooms }
}

export async function converged(rooms: Room[], check: (r: Room) => Promise<boolean>): Promise<void> {
  await until(async () => (await Promise.all(rooms.map(check))).every(Boolean))
}

/** Two profiles with a direct room: A (#1) created it, B (#2) joined by key (not yet a writer). */
export async function roomPair(t: T): Promise<{ ra: Rooms; rb: Rooms; a: Room; b: Room }> {
  const [sa, sb] = meshOfStores(t, await t.tmp(), 2)
  const ra = await roomsOf(sa, 1)
  const rb = await roomsOf(sb, 2)
  t.teardown(() => Promise.all([ra.close(), rb.close()]), { order: 0 })
  const a = await ra.create(ROOM_DIRECT)
  const b = await rb.join(a.key, a.encryptionKey, ROOM_DIRECT)
  return { ra, rb, a, b }
}

/**
 * True when the message with this id has its text cleared from this device: the signed view core
 * no longer holds its block (and so neither does the view). A view block can read null for a
 * moment while Autobase reorders, so the view alone proves nothing.
 */
export async function clearedOnDisk(room: Room, id: string): Promise<boolean> {
  const seq = await seqOfId(room.base.view, id)
  if (seq === null) return false
  const signed = await SignedView.open(room.base.store, room.base.view)
  try {
    const gone = async (core: { get: (seq: number, o: { wait: boolean }) => Promise<Buffer | null> }) => (await core.get(seq, { wait: false })) === null
    return seq < signed.messages.length && (await gone(signed.messages)) && (await gone(room.base.view.messages))
  } finally {
    await signed.close()
  }
}

/** The room's history as "number: text" lines, for comparing members' views. */
export async function transcript(room: Room): Promise<string[]> {
  return (await room.history()).map((m) => m.from + ': ' + m.text)
}

/**
 * Connects two profiles' Rooms the way an authenticated connection does (replication of the rooms
 * each peer is in, and the live channel), over an in-process encrypted stream. Returns the cut.
 * `live: 'only'`: the live channel alone, so what arrives came as a live copy.
 */
export function connectRooms(ra: Rooms, na: number, rb: Rooms, nb: number, { live = 'too' }: { live?: 'too' | 'only' } = {}): () => void {
  const x = new NoiseSecretStream(true)
  const y = new NoiseSecretStream(false)
  x.rawStream.pipe(y.rawStream).pipe(x.rawStream)
  const [mx, my] = [Protomux.from(x), Protomux.from(y)]
  if (live === 'too') ra.replicate(self(nb).publicKey, mx)
  ra.attachLive(self(nb).publicKey, mx)
  if (live === 'too') rb.replicate(self(na).publicKey, my)
  rb.attachLive(self(na).publicKey, my)
  return () => {
    x.destroy()
    y.destroy()
  }
}

/**
 * Profiles #1 and #2 connected as by a real connection, in a direct room #1 made, both admins,
 * with one message from B that A has. `cut()` ends the current connection, `connect()` makes a
 * new one. A's log lines go to `logs`.
 */
export async function connectedPair(t: T, logs: string[] = []): Promise<{ ra: Rooms; rb: Rooms; a: Room; b: Room; cut: () => void; connect: () => void }> {
  const dir = await t.tmp()
  const [sa, sb] = [new Corestore(path.join(dir, 'a')), new Corestore(path.join(dir, 'b'))]
  const ra = await roomsOf(sa, 1, (m) => logs.push(m))
  const rb = await roomsOf(sb, 2)
  let cut = connectRooms(ra, 1, rb, 2)
  t.teardown(async () => {
    cut()
    await Promise.all([ra.close(), rb.close()])
    await Promise.all([sa.close(), sb.close()])
  })
  const a = await ra.create(ROOM_DIRECT)
  const b = await rb.join(a.key, a.encryptionKey, ROOM_DIRECT)
  await a.addMember(await memberOf(2, b, ROLE_ADMIN))
  await until(async () => b.writable, 30_000)
  await b.send('before')
  await until(async () => (await a.history()).length === 1, 30_000)
  return {
    ra,
    rb,
    a,
    b,
    cut: () => cut(),
    connect: () => {
      cut = connectRooms(ra, 1, rb, 2)
    }
  }
}
