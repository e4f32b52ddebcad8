/**
 * Connection soak: the five-host LAN scenario (namespaces on one bridge, no route out, nothing
 * configured) run N times from fresh profiles. Each round: discovery, add by number and a first
 * message, a room of five in sync, a full mesh (every member connected to every other), and a file
 * sent by the last member and fetched by the third. A round fails on any error or on a step that
 * does not finish within its bound. Prints the success rate and p50/p95 per step.
 *
 * Baseline in the same run: a raw Hyperswarm join -> connection between two fresh swarms on a local
 * testnet (the floor under our mesh time).
 *
 *   npm run bench:soak               (SOAK_RUNS=N rounds, default 20)
 */
import crypto from 'crypto'
import fs from 'fs'
import os from 'os'
import path from 'path'
import Hyperswarm from 'hyperswarm'
import HyperDHT from 'hyperdht'
import { LanNet } from '../harness/lan-net'
import { coldStart } from '../harness/lan-scenario'
import type { Timeline } from '../harness/lan-scenario'
import { netnsUnavailable } from '../harness/netns'
import { randomFile } from '../harness/test-files'
import { localTestnet } from '../harness/testnet'

const COUNT = 5
/** A round that has not finished in this long has hung. */
const ROUND_LIMIT = 180_000

interface Round {
  timeline: Timeline
  /** Spawn -> the file fetched intact. */
  file: number
}

async function round(): Promise<Round> {
  const net = new LanNet(COUNT)
  const t0 = Date.now()
  try {
    const { agents, room, timeline } = await coldStart(() => net.startAll(), { lan: true, t0 })
    const [, , c, , e] = agents
    const file = path.join(net.dir, 'map.bin')
    const sha = randomFile(file, 1024 * 1024)
    const sent = await e.call('sendFile', { to: room, path: file })
    await c.waitFor('message', (p) => (p.file as { id?: string } | null)?.id === sent.file.id, 30_000)
    const dl = await c.call('downloadFile', { file: sent.file.id, path: path.join(net.dir, 'downloads') })
    const got = crypto.createHash('sha256').update(fs.readFileSync(dl.path)).digest('hex')
    if (got !== sha) throw new Error('the file arrived changed')
    return { timeline, file: Date.now() - t0 }
  } finally {
    await net.close()
  }
}

async function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | null = null
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish in ${ms / 1000} s`)), ms)
  })
  try {
    return await Promise.race([p, late])
  } finally {
    if (timer) clearTimeout(timer)
  }
}

/** Two fresh swarms on a 3-node loopback testnet: join -> first connection, ms. */
async function rawSwarmConnect(): Promise<number> {
  const { testnet } = await localTestnet()
  const bootstrap = testnet.bootstrap
  const make = (): Hyperswarm => new Hyperswarm({ dht: new HyperDHT({ bootstrap, host: '127.0.0.1', firewalled: false }) })
  const a = make()
  const b = make()
  try {
    const topic = crypto.randomBytes(32)
    const t0 = Date.now()
    const connected = new Promise<void>((resolve) => b.once('connection', () => resolve()))
    a.on('connection', (conn: { on(e: string, f: () => void): void }) => conn.on('error', () => {}))
    b.on('connection', (conn: { on(e: string, f: () => void): void }) => conn.on('error', () => {}))
    await a.join(topic, { server: true, client: false }).flushed()
    b.join(topic, { server: false, client: true })
    await connected
    return Date.now() - t0
  } finally {
    await a.destroy()
    await b.destroy()
    await testnet.destroy()
  }
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((x, y) => x - y)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]
}

async function main(): Promise<void> {
  const why = netnsUnavailable()
  if (why) {
    console.error(`bench:soak needs network namespaces: ${why}. Run it as root on Linux.`)
    process.exit(2)
  }
  const runs = Number(process.env.SOAK_RUNS ?? 20)
  const ok: Round[] = []
  const failures: string[] = []
  const raw: number[] = []
  for (let i = 0; i < runs; i++) {
    raw.push(await rawSwarmConnect())
    const t0 = Date.now()
    try {
      const r = await bounded(round(), ROUND_LIMIT, 'the round')
      ok.push(r)
      console.error(`round ${i + 1}/${runs}: ok, mesh ${(r.timeline.mesh / 1000).toFixed(2)} s, file ${(r.file / 1000).toFixed(2)} s`)
    } catch (err) {
      failures.push((err as Error).message)
      console.error(`round ${i + 1}/${runs}: FAILED after ${((Date.now() - t0) / 1000).toFixed(1)} s: ${(err as Error).message}`)
    }
  }
  const cpu = `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}`
  console.log(`\nConnection soak: ${COUNT} hosts on a LAN, no internet, fresh profiles (${cpu}, load ${os.loadavg()[0].toFixed(1)})\n`)
  console.log(`success: ${ok.length}/${runs}`)
  if (failures.length) console.log('failures:\n' + failures.map((f) => '  - ' + f).join('\n'))
  const rows: Array<[string, (r: Round) => number | null]> = [
    ['spawn -> all 5 see each other on the LAN', (r) => r.timeline.discovered],
    ['spawn -> first message (add by number, accept, send)', (r) => r.timeline.firstMessage],
    ['spawn -> room of 5 synced', (r) => r.timeline.roomSynced],
    ['spawn -> full mesh (every member connected to every other)', (r) => r.timeline.mesh],
    ['spawn -> a 1 MB file fetched from another member', (r) => r.file]
  ]
  console.log('\n| step | p50 | p95 |')
  console.log('| --- | --- | --- |')
  for (const [name, pick] of rows) {
    const xs = ok.map(pick).filter((x): x is number => x !== null)
    if (!xs.length) continue
    console.log(`| ${name} | ${(pct(xs, 50) / 1000).toFixed(2)} s | ${(pct(xs, 95) / 1000).toFixed(2)} s |`)
  }
  console.log(`| baseline: raw Hyperswarm join -> connection, loopback testnet | ${pct(raw, 50)} ms | ${pct(raw, 95)} ms |`)
  console.log(`\nGoal: ${runs}/${runs} rounds: ${ok.length === runs ? 'met' : 'NOT met'}`)
  process.exit(ok.length === runs ? 0 : 1)
}

main().catch((err: Error) => {
  console.error(err.stack)
  process.exit(1)
})
