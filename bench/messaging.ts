/**
 * Message latency between two agents (separate processes, local 3-node testnet on loopback),
 * next to a raw secret-stream ping between two bare Hyperswarm peers measured in the same run,
 * and the time from addContact to the first delivered message.
 *
 *   npm run bench
 */
import Hyperswarm from 'hyperswarm'
import HyperDHT from 'hyperdht'
import crypto from 'hypercore-crypto'
import fs from 'fs'
import os from 'os'
import path from 'path'
import type NoiseSecretStream from '@hyperswarm/secret-stream'
import { AgentProcess } from '../test/helpers/agent'
import { localTestnet } from '../test/helpers/testnet'

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 300)
const PINGS = 1000
const PAIRS = 3

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

function summary(samples: number[]): { p50: number; p99: number } {
  const s = [...samples].sort((a, b) => a - b)
  return { p50: pct(s, 50), p99: pct(s, 99) }
}

const ms = (n: number): string => n.toFixed(2) + ' ms'

/** Baseline: ping-pong of 32-byte frames over one Hyperswarm (secret-stream over UDX) connection. */
async function rawPing(bootstrap: Array<{ host: string; port: number }>): Promise<number[]> {
  const mk = (): Hyperswarm => new Hyperswarm({ dht: new HyperDHT({ bootstrap, host: '127.0.0.1', firewalled: false }) })
  const a = mk()
  const b = mk()
  const topic = crypto.randomBytes(32)
  b.on('connection', (conn: NoiseSecretStream) => {
    conn.on('error', () => {})
    conn.on('data', (d: Buffer) => conn.write(d)) // echo
  })
  await b.join(topic, { server: true, client: false }).flushed()
  const conn = await new Promise<NoiseSecretStream>((resolve) => {
    a.once('connection', (c: NoiseSecretStream) => resolve(c))
    a.join(topic, { server: false, client: true })
  })
  conn.on('error', () => {})
  const samples: number[] = []
  const frame = Buffer.alloc(32, 1)
  for (let i = 0; i < PINGS + 50; i++) {
    const start = process.hrtime.bigint()
    conn.write(frame)
    await new Promise((resolve) => conn.once('data', resolve))
    if (i >= 50) samples.push(Number(process.hrtime.bigint() - start) / 1e6)
  }
  await a.destroy()
  await b.destroy()
  return samples
}

async function main(): Promise<void> {
  const { testnet, bootstrap } = await localTestnet()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peerline-bench-'))
  const agents: AgentProcess[] = []
  const start = async (name: string): Promise<AgentProcess> => {
    const a = await AgentProcess.start({ storage: path.join(dir, name), bootstrap })
    agents.push(a)
    return a
  }
  try {
    const ping = summary(await rawPing(testnet.bootstrap))

    // addContact -> first delivered message, fresh pairs.
    const firstMessage: number[] = []
    let pair: [AgentProcess, AgentProcess] | null = null
    for (let i = 0; i < PAIRS; i++) {
      const a = await start('a' + i)
      const b = await start('b' + i)
      const t0 = process.hrtime.bigint()
      await a.call('addContact', { number: b.number })
      await b.waitFor('contactRequest', (p) => p.number === a.number)
      await b.call('acceptContact', { number: a.number })
      await a.waitFor('contactAccepted', (p) => p.number === b.number)
      const sent = await a.call<{ id: string }>('send', { to: b.number, text: 'first' })
      await b.waitFor('message', (p) => p.id === sent.id)
      firstMessage.push(Number(process.hrtime.bigint() - t0) / 1e6)
      pair = [a, b]
    }

    // Latency: A sends, B's `message` notification arrives; one at a time, both directions.
    const [a, b] = pair as [AgentProcess, AgentProcess]
    const latency: number[] = []
    for (let i = 0; i < MESSAGES + 20; i++) {
      const [from, to] = i % 2 === 0 ? [a, b] : [b, a]
      const text = 'm' + i
      const t0 = process.hrtime.bigint()
      // Delivery is timed on its own: `send` resolves when the op is on disk, which may be later.
      const delivered = to.waitFor('message', (p) => p.text === text).then(() => process.hrtime.bigint())
      await from.call('send', { to: to.number, text })
      const t1 = await delivered
      if (i >= 20) latency.push(Number(t1 - t0) / 1e6)
      if (process.env.BENCH_GAP) await new Promise((r) => setTimeout(r, Number(process.env.BENCH_GAP)))
    }
    const ours = summary(latency)
    const add = summary(firstMessage)

    const cpu = os.cpus()[0]?.model ?? 'unknown cpu'
    console.log(`machine: ${os.cpus().length} x ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`)
    console.log('')
    console.log('| measure | Peerline | baseline (same run) | ratio |')
    console.log('| --- | --- | --- | --- |')
    console.log(`| message latency p50 (send -> delivered, ${MESSAGES} msgs) | ${ms(ours.p50)} | raw secret-stream ping RTT ${ms(ping.p50)} | ${(ours.p50 / ping.p50).toFixed(1)}x |`)
    console.log(`| message latency p99 | ${ms(ours.p99)} | raw secret-stream ping RTT ${ms(ping.p99)} | ${(ours.p99 / ping.p99).toFixed(1)}x |`)
    console.log(`| addContact -> first delivered message (median of ${PAIRS}) | ${ms(add.p50)} | - | - |`)
    console.log('')
    console.log(`goals: p50 <= 2 ms ${ours.p50 <= 2 ? 'met' : 'NOT met'}, p99 <= 10 ms ${ours.p99 <= 10 ? 'met' : 'NOT met'}, add-to-first-message <= 1 s ${add.p50 <= 1000 ? 'met' : 'NOT met'}`)
  } finally {
    for (const a of agents) await a.stop()
    await testnet.destroy()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
