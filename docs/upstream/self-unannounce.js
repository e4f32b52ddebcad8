// Minimal reproduction: a persistent HyperDHT node that lists its own address among its
// bootstrap nodes (so queries ask it too) loses its own server's router entry when its announcer
// moves its relays away from itself: the announcer sends UNANNOUNCE to the old relay (itself), and
// Persistent.unannounce() deletes router[target] -- the retained entry of the local Server. From
// then on nobody can connect to that server.
const HyperDHT = require(process.env.HYPERDHT || 'hyperdht') // run from the repo root: node docs/upstream/self-unannounce.js
const N = 5
async function main () {
  const nodes = []
  for (let i = 0; i < N; i++) {
    const port = 40100 + i
    const dht = new HyperDHT({ bootstrap: [], ephemeral: false, firewalled: false, host: '127.0.0.1', port })
    dht.once('listening', () => { dht._nat.add('127.0.0.1', port); dht.bootstrapNodes.push({ host: '127.0.0.1', port }) })
    await dht.fullyBootstrapped()
    nodes.push(dht)
  }
  const servers = []
  for (const dht of nodes) {
    const s = dht.createServer((c) => c.on('error', () => {}))
    await s.listen()
    servers.push(s)
  }
  const state = () => servers.map((s) => { const st = s.dht._router.get(s.target); return st && st.onpeerhandshake ? 'server' : st ? 'relay' : 'GONE' }).join(' ')
  console.log('alone, listening:     ', state())
  // The others show up one by one (LAN beacons); each arrival makes everyone re-announce.
  for (let k = 1; k < N; k++) {
    const n = nodes[k]
    for (const o of nodes.slice(0, k)) {
      for (const [a, b] of [[n, o], [o, n]]) { a.addNode({ host: '127.0.0.1', port: b.address().port }); a.bootstrapNodes.push({ host: '127.0.0.1', port: b.address().port }) }
    }
    await Promise.all(servers.map((s) => s._announcer._runUpdate()))
    console.log(`${k + 1} nodes, re-announced:`, state())
  }
  let ok = 0; let fail = 0
  for (const a of nodes) for (const s of servers) {
    if (a === s.dht) continue
    await new Promise((resolve) => {
      const c = a.connect(s.publicKey)
      c.on('open', () => { ok++; c.destroy(); resolve() })
      c.on('error', () => { fail++; resolve() })
    })
  }
  console.log(`connections: ${ok} ok, ${fail} failed`)
  for (const s of servers) await s.close()
  for (const d of nodes) await d.destroy()
}
main()
