import test from 'brittle'
import UDX from 'udx-native'
import crypto from 'hypercore-crypto'
import c from 'compact-encoding'
import b4a from 'b4a'
import { LanDiscovery } from '../../lib/network/lan-discovery'
import type { LanPeer } from '../../lib/network/lan-discovery'
import { LAN_BEACON_DOMAIN, lanBeacon, lanBeaconBody } from '../../lib/wire/schemas'
import type { LanBeaconBody } from '../../lib/wire/schemas'

// Beacons are sent here as unicast to 127.0.0.1: the listener takes them like multicast ones,
// and nothing leaves this host.
function beacon(keyPair: { publicKey: Buffer; secretKey: Buffer }, body: Partial<LanBeaconBody> = {}, signer = keyPair): Buffer {
  const full: LanBeaconBody = { key: keyPair.publicKey, host: '127.0.0.1', port: 40000, time: Date.now(), ...body }
  const signature = crypto.sign(b4a.concat([b4a.from(LAN_BEACON_DOMAIN + '\n'), c.encode(lanBeaconBody, full)]), signer.secretKey)
  return c.encode(lanBeacon, { ...full, signature, extension: b4a.alloc(0) })
}

async function listener(t: { teardown: (fn: () => Promise<void>) => void }): Promise<{ lan: LanDiscovery; logs: string[]; send: (b: Buffer) => Promise<void>; peers: LanPeer[] }> {
  const udx = new UDX()
  const probe = udx.createSocket()
  probe.bind(0, '127.0.0.1')
  const port = probe.address()!.port
  await probe.close()
  const logs: string[] = []
  const peers: LanPeer[] = []
  const lan = new LanDiscovery({ dhtPort: () => 1, log: (m) => logs.push(m), port, send: false })
  lan.on('peer', (p: LanPeer) => peers.push(p))
  await lan.ready()
  const out = udx.createSocket()
  out.bind(0, '127.0.0.1')
  t.teardown(async () => {
    await out.close()
    await lan.close()
  })
  const send = async (b: Buffer): Promise<void> => {
    await out.send(b, port, '127.0.0.1')
    await new Promise((r) => setTimeout(r, 30))
  }
  return { lan, logs, send, peers }
}

test('a signed beacon adds its sender; forged, misdirected, stale, replayed and garbage ones are ignored', async (t) => {
  const { lan, logs, send, peers } = await listener(t)
  const a = crypto.keyPair()
  const mallory = crypto.keyPair()

  const first = beacon(a, { time: Date.now() })
  await send(first)
  t.is(lan.peers().length, 1, 'a valid beacon is taken')
  t.alike([peers[0].host, peers[0].port], ['127.0.0.1', 40000], 'with the DHT node it names')

  await send(beacon(a, { port: 40001 }, mallory))
  t.ok(logs.some((l) => /bad signature/.test(l)), 'a beacon signed by another key is ignored')
  await send(beacon(crypto.keyPair(), { host: '10.0.0.9' }))
  t.ok(logs.some((l) => /claims 10\.0\.0\.9/.test(l)), 'a beacon naming another host is ignored')
  await send(beacon(crypto.keyPair(), { time: Date.now() - 3600_000 }))
  t.ok(logs.some((l) => /clock/.test(l)), 'an hour-old beacon is ignored')
  await send(first)
  t.ok(logs.some((l) => /replayed/.test(l)), 'a replayed beacon is ignored')
  await send(b4a.from('not a beacon at all'))
  t.ok(logs.some((l) => /does not decode/.test(l)), 'garbage is ignored')
  t.is(lan.peers().length, 1, 'still one peer')
  t.is(peers.length, 1, 'and its address never changed')
})

test('a flood from one sender is rate-limited', async (t) => {
  const { send, peers } = await listener(t)
  const a = crypto.keyPair()
  const now = Date.now()
  // 50 valid beacons at once, each newer than the last: the bucket takes its burst and drops the rest.
  const udxSends: Promise<void>[] = []
  for (let i = 0; i < 50; i++) udxSends.push(send(beacon(a, { time: now + i, port: 41000 + i })))
  await Promise.all(udxSends)
  // Each one names a new port, so every beacon taken shows up as a 'peer' event.
  t.ok(peers.length >= 1 && peers.length <= 10, `only a burst of the 50 beacons was taken (${peers.length})`)
})
