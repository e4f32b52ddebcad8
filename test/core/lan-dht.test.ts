import test from 'brittle'
import HyperDHT from 'hyperdht'
import { LanDHT, addBootstrap } from '../../lib/network/lan-dht'

// The LAN node lists its own address among its bootstrap nodes, so its announcer can pick itself
// as a relay of its own key and later send itself UNANNOUNCE. Upstream, that deletes the node's own
// server entry and nobody can connect any more (docs/upstream/self-unannounce.md).

const HOST = '127.0.0.1'

/** hyperdht's Announcer, reached for a deterministic test (internal). */
interface Announcer {
  _unannounce(to: HyperDHT.Address): Promise<void>
  _runUpdate(): Promise<void>
}

function announcerOf(server: HyperDHT.Server): Announcer {
  return (server as unknown as { _announcer: Announcer })._announcer
}

/** A LAN of `n` nodes that all know each other, plain HyperDHT or LanDHT. */
async function lan(t: { teardown: (fn: () => Promise<void>) => void }, n: number, guarded: boolean): Promise<HyperDHT[]> {
  const nodes: HyperDHT[] = []
  for (let i = 0; i < n; i++) {
    const keyPair = HyperDHT.keyPair()
    const dht = guarded ? new LanDHT({ keyPair, host: HOST, lanHost: HOST }) : plainLanNode(keyPair)
    await dht.fullyBootstrapped()
    nodes.push(dht)
  }
  for (const a of nodes) {
    for (const b of nodes) {
      if (a === b) continue
      const address = { host: HOST, port: b.address()!.port }
      a.addNode(address)
      addBootstrap(a, address)
    }
  }
  t.teardown(async () => {
    for (const d of nodes) await d.destroy()
  })
  return nodes
}

/** What LanDHT is, minus the guard: the upstream behaviour. */
function plainLanNode(keyPair: HyperDHT.KeyPair): HyperDHT {
  const dht = new HyperDHT({ keyPair, bootstrap: [], ephemeral: false, firewalled: false, host: HOST })
  dht.once('listening', () => {
    const port = dht.address()!.port
    ;(dht as unknown as { _nat: { add(h: string, p: number): void } })._nat.add(HOST, port)
    addBootstrap(dht, { host: HOST, port })
  })
  return dht
}

function tryConnect(from: HyperDHT, to: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const conn = from.connect(to)
    conn.on('open', () => {
      conn.destroy()
      resolve('open')
    })
    conn.on('error', (err: Error & { code?: string }) => resolve(err.code ?? err.message))
  })
}

async function unannounceSelf(dht: HyperDHT): Promise<HyperDHT.Server> {
  const server = dht.createServer((c) => c.on('error', () => {}))
  await server.listen()
  // What the announcer does when its relays move away from our own node.
  await announcerOf(server)._unannounce({ host: HOST, port: dht.address()!.port })
  return server
}

test('lan dht: a self-unannounce keeps our own server reachable', async (t) => {
  const [a, b, c] = await lan(t, 3, true)
  const server = await unannounceSelf(a)
  t.is(await tryConnect(b, server.publicKey!), 'open', 'B connects to A after A unannounced itself to itself')
  t.is(await tryConnect(c, server.publicKey!), 'open', 'C connects too')
  await server.close()
})

test('lan dht: upstream behaviour this guards against (plain HyperDHT loses its server entry)', async (t) => {
  const [a, b] = await lan(t, 3, false)
  const server = await unannounceSelf(a)
  const outcome = await tryConnect(b, server.publicKey!)
  t.not(outcome, 'open', `plain HyperDHT: the connection fails (${outcome}); if this starts passing, upstream fixed it and LanDHT's guard can go`)
  await server.close()
})

test('lan dht: five nodes meeting one by one all stay reachable', async (t) => {
  const nodes: LanDHT[] = []
  for (let i = 0; i < 5; i++) {
    const dht = new LanDHT({ keyPair: HyperDHT.keyPair(), host: HOST, lanHost: HOST })
    await dht.fullyBootstrapped()
    nodes.push(dht)
  }
  t.teardown(async () => {
    for (const d of nodes) await d.destroy()
  })
  const servers: HyperDHT.Server[] = []
  for (const dht of nodes) {
    const s = dht.createServer((c) => c.on('error', () => {}))
    await s.listen()
    servers.push(s)
  }
  // As LAN beacons do: each newcomer is heard by all, and everyone announces again.
  for (let k = 1; k < nodes.length; k++) {
    for (const o of nodes.slice(0, k)) {
      for (const [x, y] of [[nodes[k], o], [o, nodes[k]]]) {
        const address = { host: HOST, port: y.address()!.port }
        x.addNode(address)
        addBootstrap(x, address)
      }
    }
    // What server.refresh() makes the announcer do a few seconds later.
    await Promise.all(servers.map((s) => announcerOf(s)._runUpdate()))
  }
  const outcomes: string[] = []
  for (const from of nodes) {
    for (const s of servers) if (s.dht !== from) outcomes.push(await tryConnect(from, s.publicKey!))
  }
  t.is(outcomes.filter((o) => o === 'open').length, outcomes.length, 'every node connects to every other: ' + outcomes.join(','))
  for (const s of servers) await s.close()
})
