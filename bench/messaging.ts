/**
 * Message latency between two agents (separate processes, local 3-node testnet on loopback),
 * next to a raw secret-stream ping between two bare Hyperswarm peers (also separate processes)
 * measured in the same run,
 * and the time from addContact to the first delivered message.
 *
 *   npm run bench
 */
import fs from 'fs'
import os from 'os'
import path from 'path'
import { AgentProcess } from '../harness/agent'
import { rawPing } from './raw-ping'
import { localTestnet } from '../harness/testnet'
import { spawnSync } from 'child_process'

const ROOT = path.join(__dirname, '..', '..')

/** ms for `npm start`'s build step (scripts/build-if-changed.js) when the sources did not change. */
function buildCheck(): number {
  const t0 = process.hrtime.bigint()
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build-if-changed.js')], { stdio: 'ignore' })
  if (r.status !== 0) throw new Error('build-if-changed failed')
  return Number(process.hrtime.bigint() - t0) / 1e6
}

/** The full build as `npm start` ran it every time before, for the ratio (BENCH_BUILD_MS skips it). */
function timeFullBuild(): number {
  if (process.env.BENCH_BUILD_MS) return Number(process.env.BENCH_BUILD_MS)
  const t0 = process.hrtime.bigint()
  const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'ignore' })
  if (r.status !== 0) throw new Error('build failed')
  return Number(process.hrtime.bigint() - t0) / 1e6
}

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 300)
const PINGS = 500
const PAIRS = 3
/** The paced run: about a fast typist. */
const PACE = 50
/** BENCH_PROFILE=dir: agents write CPU profiles there (node --cpu-prof). */
const PROFILE = process.env.BENCH_PROFILE ?? ''

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

function summary(samples: number[]): { p50: number; p99: number } {
  const s = [...samples].sort((a, b) => a - b)
  return { p50: pct(s, 50), p99: pct(s, 99) }
}

const ms = (n: number): string => n.toFixed(2) + ' ms'

/** One message at a time, alternating direction; `gap` ms between messages (0: back to back). */
async function latency(a: AgentProcess, b: AgentProcess, count: number, gap: number): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < count + 20; i++) {
    const [from, to] = i % 2 === 0 ? [a, b] : [b, a]
    const text = `m${gap}-${i}`
    const t0 = process.hrtime.bigint()
    // Delivery is timed on its own: `send` resolves when the op is on disk, which may be later.
    const delivered = to.waitFor('message', (p) => p.text === text).then(() => process.hrtime.bigint())
    await from.call('send', { to: to.number, text })
    const t1 = await delivered
    if (i >= 20) out.push(Number(t1 - t0) / 1e6)
    if (gap) await new Promise((r) => setTimeout(r, gap))
  }
  return out
}

async function main(): Promise<void> {
  const fullBuild = timeFullBuild()
  buildCheck() // stamps the build just made
  const { testnet, bootstrap } = await localTestnet()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peerline-bench-'))
  const agents: AgentProcess[] = []
  /** Process spawn to the agent's `ready` notification, each start (fresh storage). */
  const startups: number[] = []
  const start = async (name: string): Promise<AgentProcess> => {
    const t0 = process.hrtime.bigint()
    const a = await AgentProcess.start({ storage: path.join(dir, name), bootstrap, nodeArgs: PROFILE ? ['--cpu-prof', '--cpu-prof-dir=' + PROFILE] : [] })
    startups.push(Number(process.hrtime.bigint() - t0) / 1e6)
    agents.push(a)
    return a
  }
  try {
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
      const sent = await a.call('send', { to: b.number, text: 'first' })
      await b.waitFor('message', (p) => p.id === sent.id)
      firstMessage.push(Number(process.hrtime.bigint() - t0) / 1e6)
      if (pair) for (const idle of pair) await idle.stop() // idle agents would only add noise
      pair = [a, b]
    }

    // Latency: A sends, B's `message` notification arrives (bench -> A stdin ... B stdout -> bench).
    const [a, b] = pair as [AgentProcess, AgentProcess]
    const ours = summary(await latency(a, b, MESSAGES, 0))
    const oursPaced = summary(await latency(a, b, Math.min(MESSAGES, 200), PACE))
    const ping = summary(await rawPing(bootstrap, PINGS, 0))
    const pingPaced = summary(await rawPing(bootstrap, PINGS, PACE))
    const add = summary(firstMessage)
    // Start-up of a profile that exists (the usual start): the pairs stopped above, started again.
    const restarts: number[] = []
    for (let i = 0; i < PAIRS - 1; i++) {
      for (const name of ['a' + i, 'b' + i]) {
        const t0 = process.hrtime.bigint()
        const again = await AgentProcess.start({ storage: path.join(dir, name), bootstrap })
        restarts.push(Number(process.hrtime.bigint() - t0) / 1e6)
        await again.stop()
      }
    }

    const cpu = os.cpus()[0]?.model ?? 'unknown cpu'
    console.log(`machine: ${os.cpus().length} x ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`)
    console.log('')
    console.log('| measure | Peerline (agent -> agent, one way) | raw secret-stream ping RTT, two processes | ratio | goal | |')
    console.log('| --- | --- | --- | --- | --- | --- |')
    const met = (o: number, goal: number): string => `<= ${goal} ms | ${o <= goal ? 'met' : 'NOT met'}`
    const row = (label: string, o: number, base: number, goal: number): void =>
      console.log(`| ${label} | ${ms(o)} | ${ms(base)} | ${(o / base).toFixed(1)}x | ${met(o, goal)} |`)
    row(`message latency p50, back to back (${MESSAGES} msgs)`, ours.p50, ping.p50, 2)
    row('message latency p99, back to back', ours.p99, ping.p99, 10)
    row(`message latency p50, one every ${PACE} ms`, oursPaced.p50, pingPaced.p50, 2)
    row(`message latency p99, one every ${PACE} ms`, oursPaced.p99, pingPaced.p99, 10)
    console.log(`| addContact -> first delivered message (median of ${PAIRS}) | ${ms(add.p50)} | - | - | ${met(add.p50, 1000)} |`)
    const startup = summary(startups)
    console.log(`| agent start-up, spawn -> ready (median of ${startups.length}, fresh storage) | ${ms(startup.p50)} | - | - | ${met(startup.p50, 1500)} |`)
    const restart = summary(restarts)
    console.log(`| agent start-up, spawn -> ready (median of ${restarts.length}, existing profile) | ${ms(restart.p50)} | - | - | ${met(restart.p50, 1500)} |`)
    const check = buildCheck()
    console.log(`| \`npm start\` second start: the build step when nothing changed | ${ms(check)} | a full build ${ms(fullBuild)} | ${(check / fullBuild).toFixed(3)}x | ${met(check, 3000)} |`)
    console.log('')
    console.log(`load average: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`)
    console.log(`goals: p50 <= 2 ms ${ours.p50 <= 2 ? 'met' : 'NOT met'}, p99 <= 10 ms ${ours.p99 <= 10 ? 'met' : 'NOT met'}, add-to-first-message <= 1 s ${add.p50 <= 1000 ? 'met' : 'NOT met'}, start-up <= 1.5 s ${startup.p50 <= 1500 ? 'met' : 'NOT met'} (fresh), ${restart.p50 <= 1500 ? 'met' : 'NOT met'} (existing profile)`)
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
