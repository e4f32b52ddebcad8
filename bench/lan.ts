/**
 * LAN-only cold start: five fresh agents, each in its own network namespace on one bridge with no
 * route out and nothing configured, timed from spawning them to the first delivered message
 * (after add-by-number) and to a synced room of five. Baseline in the same run: the same story
 * with five agents on a local 3-node testnet on loopback (LAN discovery off), where the DHT is
 * there before anyone starts. Needs root (namespaces).
 *
 *   npm run bench:lan            (BENCH_RUNS=N rounds of each, default 3)
 *   npm run bench runs it with --if-possible: without namespaces it says so and exits 0.
 */
import { spawn } from 'child_process'
import fs from 'fs'
import os from 'os'
import path from 'path'
import { AgentProcess, MAIN } from '../harness/agent'
import { LanNet } from '../harness/lan-net'
import { coldStart, warmStart } from '../harness/lan-scenario'
import type { RestartTimeline, Timeline } from '../harness/lan-scenario'
import { netnsUnavailable } from '../harness/netns'
import { localTestnet } from '../harness/testnet'

const COUNT = 5

interface Round {
  cold: Timeline
  warm: RestartTimeline
}

async function lanRound(): Promise<Round> {
  const net = new LanNet(COUNT)
  try {
    const { agents, timeline } = await coldStart(() => net.startAll(), { lan: true })
    await Promise.all(agents.map((a) => a.stop()))
    const warm = await warmStart(() => net.startAll(), { a: agents[0].number, b: agents[1].number })
    return { cold: timeline, warm }
  } finally {
    await net.close()
  }
}

async function loopbackRound(): Promise<Round> {
  const { testnet, bootstrap } = await localTestnet()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peerline-bench-lan-'))
  const agents: AgentProcess[] = []
  try {
    const start = async (): Promise<AgentProcess[]> => {
      const started = await Promise.all(
        Array.from({ length: COUNT }, (_, i) => AgentProcess.start({ storage: path.join(dir, `a${i}`), bootstrap, env: { PEERLINE_LOOKUP_TIMEOUT: '20000' } }))
      )
      agents.push(...started)
      return started
    }
    const { agents: first, timeline } = await coldStart(start, { lan: false })
    await Promise.all(first.map((a) => a.stop()))
    const warm = await warmStart(start, { a: first[0].number, b: first[1].number })
    return { cold: timeline, warm }
  } finally {
    await Promise.all(agents.map((a) => a.stop()))
    await testnet.destroy()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** Five `peerline --help` at once: what starting Node and loading the code alone cost right now. */
async function processStart(): Promise<number> {
  const t0 = Date.now()
  await Promise.all(
    Array.from({ length: COUNT }, () => new Promise((resolve) => spawn(process.execPath, [MAIN, '--help'], { stdio: 'ignore' }).once('exit', resolve)))
  )
  return Date.now() - t0
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

async function main(): Promise<void> {
  const why = netnsUnavailable()
  if (why) {
    // `npm run bench` runs this with --if-possible: its other rows still print without root.
    const optional = process.argv.includes('--if-possible')
    console.error(`bench:lan needs network namespaces: ${why}. Run it as root on Linux.${optional ? ' LAN rows skipped.' : ''}`)
    process.exit(optional ? 0 : 2)
  }
  const runs = Number(process.env.BENCH_RUNS ?? 3)
  const lan: Round[] = []
  const loop: Round[] = []
  const starts: number[] = []
  for (let i = 0; i < runs; i++) {
    // Alternate, so background load on the machine hits both alike.
    starts.push(await processStart())
    lan.push(await lanRound())
    loop.push(await loopbackRound())
    console.error(`round ${i + 1}/${runs}: lan ${JSON.stringify(lan[i])} loopback ${JSON.stringify(loop[i])}`)
  }
  const rows: Array<[string, (r: Round) => number | null]> = [
    ['fresh profiles: spawn -> all 5 agents answer calls', (r) => r.cold.ready],
    ['fresh: spawn -> all 5 see each other on the LAN (lan-only, 4 peers)', (r) => r.cold.discovered],
    ['fresh: spawn -> first delivered message (add by number, accept, send)', (r) => r.cold.firstMessage],
    ['fresh: agents up -> first delivered message', (r) => r.cold.firstMessage - r.cold.ready],
    ['fresh: spawn -> room of 5 synced (room key joins, 5 messages, equal views)', (r) => r.cold.roomSynced],
    ['restart of the 5: spawn -> all answer calls', (r) => r.warm.ready],
    ['restart: spawn -> A sees contact B online', (r) => r.warm.contactOnline],
    ['restart: spawn -> first delivered message', (r) => r.warm.firstMessage],
    ['restart: agents up -> first delivered message', (r) => r.warm.firstMessage - r.warm.ready]
  ]
  console.log(`\nLAN cold start, ${COUNT} agents, median of ${runs} (${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, load ${os.loadavg()[0].toFixed(1)})\n`)
  console.log('| measure | LAN only (namespaces, no bootstrap) | loopback testnet (baseline) | ratio |')
  console.log('| --- | --- | --- | --- |')
  for (const [name, pick] of rows) {
    const a = lan.map(pick).filter((x): x is number => x !== null)
    const b = loop.map(pick).filter((x): x is number => x !== null)
    const ma = a.length ? median(a) : null
    const mb = b.length ? median(b) : null
    const cell = (m: number | null, xs: number[]): string => (m === null ? '-' : `${(m / 1000).toFixed(2)} s (${(Math.min(...xs) / 1000).toFixed(2)}-${(Math.max(...xs) / 1000).toFixed(2)})`)
    console.log(`| ${name} | ${cell(ma, a)} | ${cell(mb, b)} | ${ma !== null && mb ? (ma / mb).toFixed(2) + 'x' : '-'} |`)
  }
  console.log(`| ${COUNT} x \`peerline --help\` at once (Node start + loading the code, no network) | - | ${(median(starts) / 1000).toFixed(2)} s (${(Math.min(...starts) / 1000).toFixed(2)}-${(Math.max(...starts) / 1000).toFixed(2)}) | - |`)
  console.log('')
  for (const [what, pick] of [
    ['fresh profiles', (r: Round) => r.cold.firstMessage],
    ['restart', (r: Round) => r.warm.firstMessage]
  ] as const) {
    const first = median(lan.map(pick))
    console.log(`Goal: <= 3 s from spawn to the first message, LAN only, ${what}: ${first <= 3000 ? 'met' : 'NOT met'} (${(first / 1000).toFixed(2)} s)`)
  }
}

main().catch((err: Error) => {
  console.error(err.stack)
  process.exit(1)
})
