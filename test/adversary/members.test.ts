import test from 'brittle'
import b4a from 'b4a'
import c from 'compact-encoding'
import crypto from 'hypercore-crypto'
import { signedBy } from '../../lib/rooms/room'
import type { Room } from '../../lib/rooms/room'
import * as schema from '../../lib/wire/schemas'
import { converged, groupOfThree, numberOf, scheme, self, transcript } from '../../harness/room-net'

/** What a malicious member B writes straight into its own writer core, past every Api check. */
async function forge(b: Room, op: schema.RoomOp): Promise<void> {
  await b.base.append(c.encode(schema.roomOp, op))
}

test('impersonation: a member cannot claim Carol\'s key, number or signature; attribution stays right', async (t) => {
  const { a, b, c: carol } = await groupOfThree(t)
  const honest = [a, carol]
  const carolKey = self(3).publicKey
  const [n1, n2, n3] = [await numberOf(1), await numberOf(2), await numberOf(3)]
  const sock = crypto.keyPair() // a device B controls
  const bSig = await signedBy(self(2), scheme, b.discoveryKey, sock.publicKey)
  // 1. Carol's key on B's device, signed by B: the signature is not Carol's.
  await forge(b, { type: schema.OP_MEMBER, writerKey: sock.publicKey, publicKey: carolKey, name: 'P3', role: schema.ROLE_MEMBER, signature: bSig })
  // 2. The unsigned record of old, carrying Carol's number and name.
  await forge(b, { type: schema.OP_ADD_MEMBER, writerKey: sock.publicKey, publicKey: sock.publicKey, number: n3, name: 'P3', role: schema.ROLE_MEMBER })
  // 3. Carol's real signature (from her join), moved onto B's device: it covers her writer only.
  const carolSig = await carol.memberSignature()
  await forge(b, { type: schema.OP_MEMBER, writerKey: sock.publicKey, publicKey: carolKey, name: 'P3', role: schema.ROLE_MEMBER, signature: carolSig })
  // 4. Re-keying Carol: her own signature and writer, but a record that would replace her device.
  await forge(b, { type: schema.OP_MEMBER, writerKey: carol.writerKey, publicKey: carolKey, name: 'Carol (new phone)', role: schema.ROLE_ADMIN, signature: carolSig })
  // 5. A member record signed for another room.
  const elsewhere = await signedBy(self(3), scheme, b4a.alloc(32, 1), carol.writerKey)
  await forge(b, { type: schema.OP_MEMBER, writerKey: carol.writerKey, publicKey: carolKey, name: 'P3', role: schema.ROLE_MEMBER, signature: elsewhere })
  await b.send('marker')
  await carol.send('the real Carol')
  await converged([a, b, carol], async (r) => {
    const lines = await transcript(r)
    return lines.includes(n2 + ': marker') && lines.includes(n3 + ': the real Carol')
  })
  for (const r of [a, b, carol]) {
    const members = await r.members()
    t.is(members.length, 3, 'three members, nobody added')
    t.is(new Set(members.map((m) => m.number)).size, 3, 'no number twice')
    t.alike(members.map((m) => m.number).sort(), [n1, n2, n3].sort(), 'numbers are the derived ones')
    const c3 = members.find((m) => b4a.equals(m.publicKey, carolKey))
    t.ok(c3 && b4a.equals(c3.writerKey, carol.writerKey) && c3.name === 'P3' && c3.role === schema.ROLE_MEMBER, 'Carol keeps her device, name and role')
    t.ok((await r.history()).every((m) => (m.text === 'the real Carol') === (m.from === n3)), 'only Carol\'s own post is from Carol\'s number')
  }
  t.alike(await transcript(a), await transcript(carol), 'honest members converge')
  t.ok(honest.every((r) => r.broken === null), 'nobody is broken')
})
