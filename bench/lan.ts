/**
 * LAN-only cold start: five fresh agents, each in its own network namespace on one bridge with no
 * route out and nothing configured, timed from spawning them to the first delivered message
 * (after add-by-number) and to a synced room of five. Baseline in the same run: the same story
 * with five agents on a local 3-node testnet on loopback (LAN discovery off), where the DHT is
 * there before anyone starts. Needs root (namespaces).
 *
 *   npm run bench:lan            (BENCH_RUNS=N rounds of each, default 3)
 */
import { spawn } from 'child_process'
import fs from 'fs'
import os from 'os'
import path from 'path'
import { AgentProcess } from '../test/helpers/agent'
import { LanNet } from '../test/helpers/lan-net'
import { coldStart } from '../test/helpers/lan-scenario'
import type { Timeline } from '../test/helpers/lan-scenario'
import { netnsUnavailable } from '../test/helpers/netns'
import { localTestnet } from '../test/helpers/testnet'

const COUNT = 5

async function lanRound(): Promise<Timeline> {
  const net = new LanNet(COUNT)
  try {
    const t0 = Date.now()
    return (await coldStart(() => net.startAll(), { lan: true, t0 })).timeline
  } finally {
    await net.close()
  }
}

async function loopbackRound(): Promise<Timeline> {
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
    return (await coldStart(start, { lan: false, t0: Date.now() })).timeline
  } finally {
    await Promise.all(agents.map((a) => a.stop()))
    await testnet.destroy()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** Five `peerline --help` at once: what starting Node and loading the code alone cost right now. */
async function processStart(): Promise<number> {
  const main = path.join(__dirname, '..', 'app', 'cli', 'main.js')
  const t0 = Date.now()
  await Promise.all(
    Array.from({ length: COUNT }, () => new Promise((resolve) => spawn(process.execPath, [main, '--help'], { stdio: 'ignore' }).once('exit', resolve)))
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
    console.error(`bench:lan needs network namespaces: ${why}. Run it as root on Linux.`)
    process.exit(2)
  }
  const runs = Number(process.env.BENCH_RUNS ?? 3)
  const lan: Timeline[] = []
  const loop: Timeline[] = []
  const starts: number[] = []
  for (let i = 0; i < runs; i++) {
    // Alternate, so background load on the machine hits both alike.
    starts.push(await processStart())
    lan.push(await lanRound())
    loop.push(await loopbackRound())
    console.error(`round ${i + 1}/${runs}: lan ${JSON.stringify(lan[i])} loopback ${JSON.stringify(loop[i])}`)
  }
  const rows: Array<[string, (t: Timeline) => number | null]> = [
    ['spawn -> all 5 agents answer calls', (t) => t.ready],
    ['spawn -> all 5 see each other on the LAN (lan-only, 4 peers)', (t) => t.discovered],
    ['spawn -> first delivered message (add by number, accept, send)', (t) => t.firstMessage],
    ['agents up -> first delivered message', (t) => t.firstMessage - t.ready],
    ['spawn -> room of 5 synced (room key joins, 5 messages, equal views)', (t) => t.roomSynced]
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
  const first = median(lan.map((t) => t.firstMessage))
  console.log(`\nGoal: <= 3 s from spawn to the first message, LAN only: ${first <= 3000 ? 'met' : 'NOT met'} (${(first / 1000).toFixed(2)} s)`)
}

main().catch((err: Error) => {
  console.error(err.stack)
  process.exit(1)
})
