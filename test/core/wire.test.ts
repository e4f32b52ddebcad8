import test from 'brittle'
import b4a from 'b4a'
import c from 'compact-encoding'
import * as schema from '../../lib/wire/schemas'
import { decodeRecord } from '../../lib/wire/struct'

const key = b4a.alloc(32, 5)
const fileRef = { id: key, root: b4a.alloc(32, 8), name: 'a.jpg', size: 5, sha256: 'ab'.repeat(32), chunkSize: 1048576 }

test('every schema round-trips', (t) => {
  const cases: Array<[string, c.Encoding<any>, unknown]> = [
    ['hello', schema.hello, { number: '012345678', name: 'Ana', version: schema.PROTOCOL_VERSION, certificate: null }],
    ['contactRequest', schema.contactRequest, { name: 'Ana', roomKey: key, roomEncryptionKey: b4a.alloc(32, 6) }],
    ['contactAccept', schema.contactAccept, { roomKey: key, writerKey: b4a.alloc(32, 7), memberSignature: b4a.alloc(64, 2) }],
    ['contactDecline', schema.contactDecline, { reason: 'no' }],
    ['roomOp add', schema.roomOp, { type: schema.OP_ADD_MEMBER, writerKey: key, publicKey: key, number: '123456789', name: 'B', role: schema.ROLE_ADMIN }],
    ['roomOp member', schema.roomOp, { type: schema.OP_MEMBER, writerKey: key, publicKey: key, name: 'B', role: schema.ROLE_MEMBER, signature: b4a.alloc(64, 3) }],
    ['roomOp role', schema.roomOp, { type: schema.OP_SET_ROLE, publicKey: key, role: schema.ROLE_MEMBER }],
    ['roomOp remove', schema.roomOp, { type: schema.OP_REMOVE_MEMBER, publicKey: key }],
    ['roomOp rename', schema.roomOp, { type: schema.OP_RENAME, name: 'Shelter 4' }],
    ['roomOp edit', schema.roomOp, { type: schema.OP_EDIT, id: 'abc', text: 'fixed', time: 2 }],
    ['roomOp delete', schema.roomOp, { type: schema.OP_DELETE, id: 'abc' }],
    ['roomOp react', schema.roomOp, { type: schema.OP_REACT, id: 'abc', emoji: '👍' }],
    ['roomOp timer', schema.roomOp, { type: schema.OP_SET_TIMER, seconds: 3600 }],
    ['roomOp leave', schema.roomOp, { type: schema.OP_LEAVE }],
    ['roomOp invite', schema.roomOp, { type: schema.OP_ADD_INVITE, id: key, publicKey: key, expires: 1763700000000 }],
    ['roomEntry', schema.roomEntry, { key, encryptionKey: key, namespace: key, kind: schema.ROOM_GROUP, read: 3, left: false }],
    ['roomOp message', schema.roomOp, { type: schema.OP_MESSAGE, id: 'abc', text: 'héllo ✓', time: 1763700000000 }],
    ['messageRecord', schema.messageRecord, { id: 'abc', publicKey: key, from: '123456789', text: 'x', time: 1, expires: 5, writerKey: key, writerSeq: 3, file: null, call: null, sealed: null }],
    ['messageRecord with file', schema.messageRecord, { id: 'f', publicKey: key, from: '1', text: '', time: 1, expires: 0, writerKey: key, writerSeq: 0, file: fileRef, call: null, sealed: null }],
    ['messageRecord with call', schema.messageRecord, { id: 'c', publicKey: key, from: '1', text: '', time: 1, expires: 0, writerKey: key, writerSeq: 0, file: null, call: { call: 'ab'.repeat(32), outcome: 'missed' as const, video: true, group: false, duration: 0 }, sealed: null }],
    ['roomOp call', schema.roomOp, { type: schema.OP_CALL, id: 'c', call: { call: 'ab'.repeat(32), outcome: 'ended' as const, video: false, group: true, duration: 61000 }, time: 9 }],
    ['callRing', schema.callRing, { call: key, room: key, video: true, group: false }],
    ['callDecline', schema.callDecline, { call: key, reason: 'busy' as const }],
    ['callParticipants', schema.callParticipants, { call: key, peers: [key, key] }],
    ['callSignal', schema.callSignal, { call: key, kind: 'candidate' as const, text: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', mid: '0', mline: 1 }],
    ['callChat', schema.callChat, { call: key, text: 'hi', time: 5 }],
    ['callElsewhere', schema.callElsewhere, { call: key, answered: true }],
    ['callDatagram', schema.callDatagram, { call: key, data: b4a.from('rtp') }],
    ['roomOp file', schema.roomOp, { type: schema.OP_FILE, id: 'f', file: fileRef, time: 9 }],
    ['editRecord', schema.editRecord, { seq: 4, text: 'y', time: 2, writerKey: key, writerSeq: 9, sealed: null }],
    ['editRecord sealed', schema.editRecord, { seq: 4, text: '', time: 2, writerKey: key, writerSeq: 9, sealed: { epoch: 2, nonce: b4a.alloc(24, 1), box: b4a.alloc(20, 2) } }],
    ['roomOp epoch', schema.roomOp, { type: schema.OP_EPOCH, epoch: 1, keys: [{ publicKey: key, box: b4a.alloc(80, 4) }] }],
    ['roomOp epoch grant', schema.roomOp, { type: schema.OP_EPOCH_GRANT, epoch: 1, publicKey: key, box: b4a.alloc(80, 4) }],
    ['roomOp sealed message', schema.roomOp, { type: schema.OP_SEALED_MESSAGE, id: 'abc', text: { epoch: 1, nonce: b4a.alloc(24, 1), box: b4a.alloc(30, 2) }, time: 5 }],
    ['roomOp sealed edit', schema.roomOp, { type: schema.OP_SEALED_EDIT, id: 'abc', text: { epoch: 1, nonce: b4a.alloc(24, 1), box: b4a.alloc(30, 2) }, time: 5 }],
    [
      'contactRecord',
      schema.contactRecord,
      { publicKey: key, number: '1', name: '', state: 'incoming', roomKey: null, roomEncryptionKey: key, acceptPending: true, added: 5 }
    ],
    ['settingsRecord', schema.settingsRecord, { name: 'me', contactsOnly: true, alwaysOn: [key], readReceipts: false }],
    ['fileQuery', schema.fileQuery, { id: key, first: 16384 }],
    ['fileManifest', schema.fileManifest, { id: key, first: 0, hashes: b4a.alloc(64, 3) }],
    ['fileNone', schema.fileNone, { id: key }],
    ['fileRequest', schema.fileRequest, { id: key, index: 8, count: 4 }],
    ['fileData', schema.fileData, { id: key, index: 8, data: b4a.from('chunk') }],
    ['localFile', schema.localFile, { ref: fileRef, room: key, path: '/tmp/a.jpg', complete: true, hashes: b4a.alloc(32, 1) }]
  ]
  for (const [name, enc, value] of cases) {
    const buf = c.encode(enc, value)
    t.alike(decodeRecord(enc, buf, 1 << 20), value, name)
  }
})

test('truncated, oversized and unknown frames are refused', (t) => {
  const buf = c.encode(schema.hello, { number: '123456789', name: 'Ana', version: schema.PROTOCOL_VERSION })
  // The last byte is the (absent) device certificate's flag: without it, a hello from before it.
  t.exception(() => decodeRecord(schema.hello, buf.subarray(0, buf.byteLength - 2), 1024), 'truncated')
  t.exception(() => decodeRecord(schema.hello, buf, 4), /limit/)
  t.exception(() => decodeRecord(schema.roomOp, b4a.from([99, 1, 2]), 1024), /unknown op/)
  t.exception(() => decodeRecord(schema.roomOp, b4a.from([schema.OP_SET_ROLE, ...key, 7]), 1024), /bad role/)
  t.exception(() => decodeRecord(schema.contactRecord, b4a.alloc(40, 0xff), 1024))
  t.exception(() => decodeRecord(schema.callDecline, b4a.from([...key, 9]), 1024), /unknown value/)
})

test('message and edit records stored before sealed texts still decode', (t) => {
  const old = b4a.concat([c.encode(c.string, 'abc'), key, c.encode(c.string, '1'), c.encode(c.string, 'hi'), c.encode(c.uint, 1), c.encode(c.uint, 0), key, c.encode(c.uint, 3), c.encode(c.bool, false), c.encode(c.bool, false)])
  const m = c.decode(schema.messageRecord, old)
  t.is(m.text, 'hi')
  t.is(m.sealed, null)
  const oldEdit = b4a.concat([c.encode(c.uint, 4), c.encode(c.string, 'y'), c.encode(c.uint, 2), key, c.encode(c.uint, 9)])
  t.is(c.decode(schema.editRecord, oldEdit).sealed, null)
})
