/**
 * One bare Hyperswarm peer, as its own process, for the baseline: `echo BOOTSTRAP TOPIC` answers
 * every frame; `ping BOOTSTRAP TOPIC N GAP` sends N 32-byte frames one at a time and prints the
 * round-trip times (ms) as JSON.
 */
import Hyperswarm from 'hyperswarm'
import HyperDHT from 'hyperdht'
import b4a from 'b4a'
import type NoiseSecretStream from '@hyperswarm/secret-stream'

async function main(): Promise<void> {
  const [role, bootstrapText, topicHex, countText, gapText] = process.argv.slice(2)
  const bootstrap = bootstrapText.split(',').map((s) => ({ host: s.split(':')[0], port: Number(s.split(':')[1]) }))
  const swarm = new Hyperswarm({ dht: new HyperDHT({ bootstrap, host: '127.0.0.1', firewalled: false }) })
  const topic = b4a.from(topicHex, 'hex')
  process.once('SIGTERM', () => swarm.destroy().then(() => process.exit(0)))

  if (role === 'echo') {
    swarm.on('connection', (conn: NoiseSecretStream) => {
      conn.on('error', () => {})
      conn.on('data', (d: Buffer) => conn.write(d))
    })
    await swarm.join(topic, { server: true, client: false }).flushed()
    process.stdout.write('ready\n')
    return
  }

  const conn = await new Promise<NoiseSecretStream>((resolve) => {
    swarm.once('connection', (c: NoiseSecretStream) => resolve(c))
    swarm.join(topic, { server: false, client: true })
  })
  conn.on('error', () => {})
  const samples: number[] = []
  const frame = b4a.alloc(32, 1)
  const gap = Number(gapText ?? 0)
  for (let i = 0; i < Number(countText); i++) {
    const start = process.hrtime.bigint()
    conn.write(frame)
    await new Promise((resolve) => conn.once('data', resolve))
    samples.push(Number(process.hrtime.bigint() - start) / 1e6)
    if (gap) await new Promise((r) => setTimeout(r, gap))
  }
  process.stdout.write(JSON.stringify(samples) + '\n')
  await swarm.destroy()
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
