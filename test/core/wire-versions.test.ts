import test from 'brittle'
import b4a from 'b4a'
import c from 'compact-encoding'
import * as schema from '../../lib/wire/schemas'
import { decodeRecord, struct } from '../../lib/wire/struct'
import { isPeerlineError } from '../../lib/errors'
import { converged, groupOfThree, numberOf, transcript } from '../../harness/room-net'

// Versioned records: what a peer of another version sends must decode as lib/wire/version.ts says.
// The next minor version is simulated the way the mixed-version agents do it: the encoders write
// version 2.1 and append one field this version does not know.
const NEXT = { major: schema.PROTOCOL_MAJOR, minor: schema.PROTOCOL_MINOR + 1 }
const NEXT_MAJOR = { major: schema.PROTOCOL_MAJOR + 1, minor: 0 }
const UNKNOWN_FIELD = b4a.from('046e65787407', 'hex')
const MAX = 64 * 1024
const key = b4a.alloc(32, 7)

function asNext<T>(fn: () => T, version = NEXT): T {
  schema.simulateNextVersion(version, UNKNOWN_FIELD)
  try {
    return fn()
  } finally {
    schema.stopSimulating()
  }
}

/** The first release's room op: its tag, then its fields, no version. */
function firstReleaseMessage(id: string, text: string, time: number): Buffer {
  const body = c.encode(struct({ id: c.string, text: c.string, time: c.uint }), { id, text, time })
  return b4a.concat([b4a.from([schema.OP_MESSAGE]), body])
}

test('a hello of the first release reads as protocol 1.0, an older major', (t) => {
  const first = c.encode(struct({ number: c.string, name: c.string }), { number: '123456789', name: 'Ana' })
  const hello = decodeRecord(schema.hello, first, MAX)
  t.alike(hello, { number: '123456789', name: 'Ana', version: { major: 1, minor: 0 }, certificate: null })
  t.is(schema.compatibility(hello.version), 'older-major', 'we tell the user that peer must update')
  const ours = decodeRecord(schema.hello, c.encode(schema.hello, { number: '123456789', name: 'Ana', version: schema.PROTOCOL_VERSION }), MAX)
  t.alike(ours.version, schema.PROTOCOL_VERSION, 'ours carries our version')
})

test('records of the next minor version decode, the unknown field skipped', (t) => {
  const hello = asNext(() => c.encode(schema.hello, { number: '123456789', name: 'Ana', version: NEXT }))
  t.ok(b4a.equals(hello.subarray(hello.byteLength - UNKNOWN_FIELD.byteLength), UNKNOWN_FIELD), 'the hello ends in the unknown field')
  const got = decodeRecord(schema.hello, hello, MAX)
  t.alike(got, { number: '123456789', name: 'Ana', version: NEXT, certificate: null })
  t.is(schema.compatibility(got.version), 'newer-minor', 'a newer minor: we still talk')

  const request = { name: 'Bo', roomKey: key, roomEncryptionKey: key }
  t.alike(decodeRecord(schema.contactRequest, asNext(() => c.encode(schema.contactRequest, request)), MAX), request, 'contact request')
  const ring = { call: key, room: key, video: true, group: false }
  t.alike(decodeRecord(schema.callRing, asNext(() => c.encode(schema.callRing, ring)), MAX), ring, 'call ring')

  const op: schema.RoomOp = { type: schema.OP_MESSAGE, id: 'm1', text: 'from 2.1', time: 5 }
  const bytes = asNext(() => c.encode(schema.roomOp, op))
  t.alike(schema.opVersion(bytes), NEXT, 'the op says which version wrote it')
  t.alike(decodeRecord(schema.roomOp, bytes, MAX), op, 'room op')
})

test('a record cut short is refused whatever version wrote it', (t) => {
  const bytes = asNext(() => c.encode(schema.callRing, { call: key, room: key, video: true, group: false }))
  // Cut inside the known fields (the unknown field and the last known bytes gone).
  t.exception(() => decodeRecord(schema.callRing, bytes.subarray(0, 40), MAX))
  t.exception(() => decodeRecord(schema.callRing, bytes, 16), /limit/, 'oversized')
})

test('a room op of a newer major version is refused with UPGRADE_REQUIRED, naming the version', (t) => {
  const bytes = asNext(() => c.encode(schema.roomOp, { type: schema.OP_MESSAGE, id: 'm1', text: 'from 3.0', time: 5 }), NEXT_MAJOR)
  t.alike(schema.opVersion(bytes), NEXT_MAJOR)
  let err: unknown = null
  try {
    decodeRecord(schema.roomOp, bytes, MAX)
  } catch (e) {
    err = e
  }
  t.ok(isPeerlineError(err) && err.code === 'UPGRADE_REQUIRED', 'UPGRADE_REQUIRED')
  t.ok(isPeerlineError(err) && err.message.includes(`${NEXT_MAJOR.major}.0`) && /update Peerline/.test(err.message), (err as Error).message)
})

test('every op this version writes carries its version in front', (t) => {
  const bytes = c.encode(schema.roomOp, { type: schema.OP_RENAME, name: 'Shelter' })
  t.is(bytes[0], schema.VERSIONED_OP_TAG)
  t.alike(schema.opVersion(bytes), schema.PROTOCOL_VERSION)
})

test('the first release\'s room ops decode as they did, and as version 1.0', (t) => {
  const bytes = firstReleaseMessage('old', 'from 1.0', 9)
  t.alike(schema.opVersion(bytes), schema.UNVERSIONED)
  t.alike(decodeRecord(schema.roomOp, bytes, MAX), { type: schema.OP_MESSAGE, id: 'old', text: 'from 1.0', time: 9 })
})

test('compatibility: minors talk, majors say who must update', (t) => {
  const ours = { major: 2, minor: 3 }
  t.is(schema.compatibility({ major: 2, minor: 3 }, ours), 'same')
  t.is(schema.compatibility({ major: 2, minor: 9 }, ours), 'newer-minor')
  t.is(schema.compatibility({ major: 2, minor: 0 }, ours), 'older-minor')
  t.is(schema.compatibility({ major: 3, minor: 0 }, ours), 'newer-major')
  t.is(schema.compatibility({ major: 1, minor: 7 }, ours), 'older-major')
})

test('a room where members write ops of the first release, the next minor and the next major', async (t) => {
  const logs: string[] = []
  const { a, b, c: carol } = await groupOfThree(t, (m) => logs.push(m))
  const all = [a, b, carol]
  const time = Date.now()
  // B writes, in order: an op as the first release wrote it, one as 2.1 writes it, one of 3.0, and
  // one of today. Ops live forever in B's core, so every member applies all of them.
  await b.base.append(firstReleaseMessage('old-op', 'from 1.0', time))
  await b.base.append(asNext(() => c.encode(schema.roomOp, { type: schema.OP_MESSAGE, id: 'next-op', text: 'from 2.1', time })))
  await b.base.append(asNext(() => c.encode(schema.roomOp, { type: schema.OP_MESSAGE, id: 'major-op', text: 'from 3.0', time }), NEXT_MAJOR))
  await b.send('from 2.0')

  const bob = await numberOf(2)
  await converged(all, async (r) => (await transcript(r)).includes(bob + ': from 2.0'))
  for (const r of all) {
    t.alike(
      (await transcript(r)).filter((l) => l.startsWith(bob)),
      [bob + ': from 1.0', bob + ': from 2.1', bob + ': from 2.0'],
      'the 1.0 and 2.1 ops apply; the 3.0 op is skipped'
    )
    t.alike(r.newerVersion, NEXT_MAJOR, 'the room knows a newer major wrote to it')
  }
  // The old op applies to the same record as the same message sent today.
  const old = (await a.history()).find((m) => m.id === 'old-op')
  const next = (await a.history()).find((m) => m.id === 'next-op')
  t.ok(old && next, 'both messages are in the view')
  if (old && next) {
    t.alike({ from: old.from, text: old.text, time: old.time, file: old.file, call: old.call, sealed: old.sealed }, { from: bob, text: 'from 1.0', time, file: null, call: null, sealed: null })
    t.alike({ from: next.from, time: next.time, writerKey: next.writerKey }, { from: old.from, time: old.time, writerKey: old.writerKey })
  }
  t.ok(logs.some((l) => /protocol 3\.0: update Peerline/.test(l)), 'the skip is logged with the version')
  t.absent(a.broken, 'the room is not broken')
})

test('a reply\'s replyTo trails the message: a reader without it sees the plain message, and later fields never read as a reply', (t) => {
  const reply: schema.RoomOp = { type: schema.OP_MESSAGE, id: 'm2', text: 'yes', time: 5, replyTo: 'm1' }
  const bytes = c.encode(schema.roomOp, reply)
  t.alike(decodeRecord(schema.roomOp, bytes, MAX), reply, 'decodes with its replyTo')
  // A 2.0 peer from before replies: the envelope, the op tag, then the fields it knows; it leaves the rest.
  const state = { start: 0, end: bytes.byteLength, buffer: bytes }
  c.uint.decode(state)
  schema.protocolVersion.decode(state)
  t.is(c.uint.decode(state), schema.OP_MESSAGE)
  t.alike(struct({ id: c.string, text: c.string, time: c.uint }).decode(state), { id: 'm2', text: 'yes', time: 5 }, 'the old reader gets the message')
  t.ok(state.start < state.end, 'and leaves the reply field unread')
  // The next minor appends its own fields after replyTo: a message that is no reply stays no reply.
  const plain: schema.RoomOp = { type: schema.OP_MESSAGE, id: 'm3', text: 'not a reply', time: 5 }
  t.alike(decodeRecord(schema.roomOp, asNext(() => c.encode(schema.roomOp, plain)), MAX), plain, 'no replyTo key from the unknown field')
  t.alike(decodeRecord(schema.roomOp, asNext(() => c.encode(schema.roomOp, reply)), MAX), reply, 'a reply of the next minor keeps its replyTo')
  const live = { roomKey: key, id: 'm2', text: 'yes', time: 5, replyTo: 'm1' }
  t.alike(decodeRecord(schema.liveMessage, asNext(() => c.encode(schema.liveMessage, live)), MAX), live, 'the live copy carries it too')
  t.alike(decodeRecord(schema.liveMessage, c.encode(struct({ roomKey: c.fixed32, id: c.string, text: c.string, time: c.uint }), { roomKey: key, id: 'm2', text: 'yes', time: 5 }), MAX), { ...live, replyTo: '' }, 'a 2.0 live copy reads as no reply')
})
