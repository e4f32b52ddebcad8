import test from 'brittle'
import b4a from 'b4a'
import c from 'compact-encoding'
import crypto from 'hypercore-crypto'
import NoiseSecretStream from '@hyperswarm/secret-stream'
import { PeerSession } from '../../lib/contacts/peer-session'
import type { PeerSessionOptions } from '../../lib/contacts/peer-session'
import { certifyDevice, refuseCertificate } from '../../lib/identity/device-certificate'
import type { DeviceCertificate } from '../../lib/identity/device-certificate'
import { NumberScheme, INSECURE_TEST_PARAMS } from '../../lib/identity/number-scheme'
import { NumberVerifier } from '../../lib/identity/number-verifier'
import * as schema from '../../lib/wire/schemas'
import { decodeRecord } from '../../lib/wire/struct'

const scheme = new NumberScheme(INSECURE_TEST_PARAMS)
type T = Parameters<Parameters<typeof test>[1]>[0]

interface Side {
  keyPair: { publicKey: Buffer; secretKey: Buffer }
  number: string
  certificate?: DeviceCertificate | null
  deviceAllowed?: PeerSessionOptions['deviceAllowed']
}

/**
 * Two sessions over a real Noise stream: `b` sees `a` as what its hello proves. Resolves with
 * b's session once it is authenticated, or null when b dropped the connection.
 */
async function connect(t: T, a: Side, b: Side): Promise<{ seen: PeerSession | null; logs: string[] }> {
  const x = new NoiseSecretStream(true, null, { keyPair: a.keyPair })
  const y = new NoiseSecretStream(false, null, { keyPair: b.keyPair })
  x.rawStream.pipe(y.rawStream).pipe(x.rawStream)
  for (const s of [x, y]) s.on('error', () => {})
  t.teardown(() => {
    x.destroy()
    y.destroy()
  })
  await Promise.all([x.opened, y.opened])
  const logs: string[] = []
  const opts = (side: Side): PeerSessionOptions => ({
    verifier: new NumberVerifier(scheme),
    self: { number: side.number, name: '', certificate: side.certificate ?? null },
    log: (m) => logs.push(m),
    ...(side.deviceAllowed ? { deviceAllowed: side.deviceAllowed } : {})
  })
  // The answer is the one that counts here: the session b holds of a.
  void new PeerSession(x, opts(a))
  const seen = new PeerSession(y, opts(b))
  const outcome = await new Promise<PeerSession | null>((resolve) => {
    seen.once('authenticated', () => resolve(seen))
    seen.once('close', () => resolve(null))
  })
  return { seen: outcome, logs }
}

async function person(n: number): Promise<{ keyPair: { publicKey: Buffer; secretKey: Buffer }; number: string }> {
  const keyPair = crypto.keyPair(b4a.alloc(32, n))
  return { keyPair, number: await scheme.derive(keyPair.publicKey) }
}

test('a linked device is seen as its person: the identity key signed its own Noise key', async (t) => {
  const alice = await person(1)
  const bob = await person(2)
  const device = crypto.keyPair() // the second device's own key pair, not Alice's
  const certificate = certifyDevice(alice.keyPair, alice.number, device.publicKey)
  const { seen } = await connect(t, { keyPair: device, number: alice.number, certificate }, bob)
  t.ok(seen, 'the hello checks out')
  if (!seen) return
  t.alike(seen.publicKey, alice.keyPair.publicKey, 'the person is Alice: her identity key, so her pin and safety code')
  t.alike(seen.deviceKey, device.publicKey, 'the device is the connection key')
  t.is(seen.number, alice.number)
  t.not(seen.id, b4a.toString(alice.keyPair.publicKey, 'hex'), 'the session is the device\'s (her first device has its own)')
})

test('a device certificate is refused when forged, moved, expired, for another number, or removed', async (t) => {
  const alice = await person(1)
  const bob = await person(2)
  const mallory = await person(3)
  const device = crypto.keyPair()
  const other = crypto.keyPair()
  const cases: Array<[string, Side]> = [
    ['signed by someone else for Alice\'s key', { keyPair: device, number: alice.number, certificate: { ...certifyDevice(mallory.keyPair, alice.number, device.publicKey), identity: alice.keyPair.publicKey } }],
    ['Alice\'s real certificate, presented by another device', { keyPair: other, number: alice.number, certificate: certifyDevice(alice.keyPair, alice.number, device.publicKey) }],
    ['expired', { keyPair: device, number: alice.number, certificate: certifyDevice(alice.keyPair, alice.number, device.publicKey, Date.now() - 1000) }],
    ['signed for another number', { keyPair: device, number: mallory.number, certificate: certifyDevice(alice.keyPair, mallory.number, device.publicKey) }],
    ['Mallory certifying a device under Alice\'s number', { keyPair: device, number: alice.number, certificate: certifyDevice(mallory.keyPair, alice.number, device.publicKey) }]
  ]
  for (const [what, side] of cases) {
    const { seen } = await connect(t, side, bob)
    t.is(seen, null, what + ': dropped')
  }
  const removed = await connect(t, { keyPair: device, number: alice.number, certificate: certifyDevice(alice.keyPair, alice.number, device.publicKey) }, {
    ...bob,
    deviceAllowed: (identity, dev) => !(b4a.equals(identity, alice.keyPair.publicKey) && b4a.equals(dev, device.publicKey))
  })
  t.is(removed.seen, null, 'a removed device: dropped')
  t.ok(removed.logs.some((l) => l.includes('removed')), 'with the reason logged')
})

test('a device certificate checks its fields, and the hello carries it (old hellos read as none)', async (t) => {
  const alice = await person(1)
  const device = crypto.keyPair()
  const cert = certifyDevice(alice.keyPair, alice.number, device.publicKey, Date.now() + 60_000)
  t.is(refuseCertificate(cert, device.publicKey, alice.number), null)
  t.ok(refuseCertificate({ ...cert, expires: 0 }, device.publicKey, alice.number), 'the expiry is signed')
  t.ok(refuseCertificate(cert, device.publicKey, alice.number, cert.expires + 1), 'past its expiry')
  const MAX = 64 * 1024
  const withCert = decodeRecord(schema.hello, c.encode(schema.hello, { number: alice.number, name: 'A2', version: schema.PROTOCOL_VERSION, certificate: cert }), MAX)
  t.alike(withCert.certificate, cert, 'round trip')
  const plain = decodeRecord(schema.hello, c.encode(schema.hello, { number: alice.number, name: 'A', version: schema.PROTOCOL_VERSION }), MAX)
  t.is(plain.certificate, null, 'a hello without one')
})
