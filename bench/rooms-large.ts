/**
 * A large room (issue 15, "rooms as processes"): 100 members, mostly idle, in 5 processes of 20
 * in-process members each (each member a whole Peerline: identity, store, DHT node, swarm) on a
 * local 3-node testnet. 10 of them write (2 per process), each its share of the messages at once;
 * timed until every member's view holds every message, with each process's CPU over that span.
 * The baseline in the same run is the same room's convergence with 1 writer sending them all.
 *
 * Members are added the way an invite adds them (the joiner's writer key and member signature,
 * written by the admin), without the pairing handshake, which bench:rooms-processes times.
 *
 *   npm run bench:rooms-large   (BENCH_LARGE_MEMBERS=100 BENCH_LARGE_HOSTS=5 BENCH_LARGE_WRITERS=10
 *                                BENCH_LARGE_MESSAGES=200)
 */
import { fork } from 'child_process'
import type { ChildProcess } from 'child_process'
import fs from 'fs'
import os from 'os'
import path from 'path'
import { localTestnet } from '../harness/testnet'
import type { HostRequest, Wire } from './rooms-large-host'

const MEMBERS = Number(process.env.BENCH_LARGE_MEMBERS ?? 100)
const HOSTS = Number(process.env.BENCH_LARGE_HOSTS ?? 5)
const WRITERS = Number(process.env.BENCH_LARGE_WRITERS ?? 10)
const MESSAGES = Number(process.env.BENCH_LARGE_MESSAGES ?? 200)
const TIMEOUT_MS = Number(process.env.BENCH_LARGE_TIMEOUT ?? 600_000)
const WAVE = Number(process.env.BENCH_LARGE_WAVE ?? 10)
const POLL_MS = 250
const REPORT_MS = 15_000
/** /proc/<pid>/stat counts CPU in clock ticks (100 Hz on Linux). */
const TICK_MS = 10
/** Goal: every member's view holds every message within this (the 1000-message goal is 3 s for 10 members). */
const GOAL_MS = 30_000

interface Progress {
  members: number
  length: number
  connections: number
}

/** "min-max (median)" of a list of counts. */
function spread(xs: number[]): string {
  const sorted = [...xs].sort((a, b) => a - b)
  return `${sorted[0]}-${sorted[sorted.length - 1]} (median ${sorted[Math.floor(sorted.length / 2)]})`
}

class Host {
  readonly proc: ChildProcess
  private _next = 0
  private readonly _waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()

  constructor() {
    this.proc = fork(path.join(__dirname, 'rooms-large-host.js'), [], { execArgv: ['--max-semi-space-size=2'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    this.proc.on('message', (m: { id: number; result?: unknown; error?: string }) => {
      const w = this._waiting.get(m.id)
      if (w === undefined) return
      this._waiting.delete(m.id)
      if (m.error !== undefined) w.reject(new Error(m.error))
      else w.resolve(m.result)
    })
  }

  call<T>(req: HostRequest): Promise<T> {
    const id = this._next++
    return new Promise<T>((resolve, reject) => {
      this._waiting.set(id, { resolve: resolve as (v: unknown) => void, reject })
      this.proc.send({ id, req })
    })
  }

  cpuMs(): number {
    const fields = fs.readFileSync(`/proc/${this.proc.pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS
  }
}

function progress(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`)
}

async function until(check: () => Promise<boolean>, what: string, report: () => Promise<string> = async () => ''): Promise<void> {
  const deadline = Date.now() + TIMEOUT_MS
  let told = Date.now()
  while (!(await check())) {
    if (Date.now() - told > REPORT_MS) {
      told = Date.now()
      progress(`waiting until ${what}: ${await report()}`)
    }
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
}

async function all(hosts: Host[]): Promise<Progress[]> {
  return (await Promise.all(hosts.map((h) => h.call<Progress[]>({ cmd: 'progress' })))).flat()
}

/** Sends `total` messages from `writers` (member indexes per host) and times until every view holds `expected`. */
interface Round {
  ms: number
  cpu: number[]
  /** False when some view still lacked messages at the timeout; `held` says how many they had. */
  converged: boolean
  held: string
}

async function round(hosts: Host[], writers: number[][], total: number, expected: number, tag: string): Promise<Round> {
  const count = writers.flat().length
  const per = Math.ceil(total / count)
  const cpu0 = hosts.map((h) => h.cpuMs())
  const t0 = Date.now()
  await Promise.all(hosts.map((h, i) => (writers[i].length > 0 ? h.call({ cmd: 'send', writers: writers[i], texts: per, tag }) : null)))
  let converged = true
  await until(async () => (await all(hosts)).every((x) => x.length >= expected), `${tag}: every view holds ${expected} messages`, async () => {
    const p = await all(hosts)
    return `messages ${spread(p.map((x) => x.length))}, connections ${spread(p.map((x) => x.connections))}`
  }).catch((err: Error) => {
    progress(err.message)
    converged = false
  })
  const ms = Date.now() - t0
  const held = spread((await all(hosts)).map((x) => x.length))
  return { ms, cpu: hosts.map((h, i) => (h.cpuMs() - cpu0[i]) / 1000), converged, held }
}

async function main(): Promise<void> {
  const { testnet } = await localTestnet()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peerline-bench-large-'))
  const per = Math.ceil(MEMBERS / HOSTS)
  const hosts = Array.from({ length: HOSTS }, () => new Host())
  try {
    const s0 = Date.now()
    await Promise.all(hosts.map((h, i) => h.call({ cmd: 'start', dir, count: Math.min(per, MEMBERS - i * per), first: i * per, bootstrap: testnet.bootstrap })))
    progress(`${MEMBERS} members started in ${HOSTS} processes in ${((Date.now() - s0) / 1000).toFixed(1)} s`)
    const keys = await hosts[0].call<{ key: string; encryptionKey: string }>({ cmd: 'create' })
    // Host 0's first member is the admin; everyone else joins.
    const records = (await Promise.all(hosts.map((h) => h.call<Wire[]>({ cmd: 'prepare', ...keys })))).flatMap((r, i) => (i === 0 ? r.slice(1) : r))
    const j0 = Date.now()
    const seen = async (): Promise<string> => {
      const p = await all(hosts)
      return `members known ${spread(p.map((x) => x.members))}, connections ${spread(p.map((x) => x.connections))}`
    }
    await hosts[0].call({ cmd: 'add', records })
    // In waves of WAVE members (spread over the processes), as people join a room over time:
    // 99 fresh members at once on two cores mostly timed out in the hello (10 s) and never got in.
    const sizes = hosts.map((_, i) => Math.min(per, MEMBERS - i * per))
    for (let k = 0; k < per; k += Math.ceil(WAVE / HOSTS)) {
      const wave = sizes.map((n, i) => Array.from({ length: Math.ceil(WAVE / HOSTS) }, (_, j) => k + j).filter((m) => m < n && !(i === 0 && m === 0)))
      await Promise.all(hosts.map((h, i) => (wave[i].length > 0 ? h.call({ cmd: 'join', members: wave[i] }) : null)))
      const joined = sizes.reduce((sum, n) => sum + Math.min(n, k + Math.ceil(WAVE / HOSTS)), 0)
      await until(async () => (await all(hosts)).filter((p) => p.members === MEMBERS).length >= joined, `${joined} members know every member`, seen)
    }
    await until(async () => (await all(hosts)).every((p) => p.members === MEMBERS), 'every member knows every member', seen)
    const joinMs = Date.now() - j0
    progress(`every member sees ${MEMBERS} members after ${(joinMs / 1000).toFixed(1)} s`)

    // Baseline first: one writer (the admin) sends them all.
    const base = await round(hosts, hosts.map((_, i) => (i === 0 ? [0] : [])), MESSAGES, MESSAGES, 'one')
    progress(`1 writer: ${MESSAGES} messages, ${base.converged ? 'in every view' : 'not in every view'} after ${(base.ms / 1000).toFixed(1)} s`)
    const writers = hosts.map((_, i) => Array.from({ length: Math.ceil(WRITERS / HOSTS) }, (_, k) => (i === 0 ? k + 1 : k)).slice(0, Math.max(0, Math.min(Math.ceil(WRITERS / HOSTS), WRITERS - i * Math.ceil(WRITERS / HOSTS)))))
    const many = await round(hosts, writers, MESSAGES, 2 * MESSAGES, 'many')
    progress(`${WRITERS} writers: ${MESSAGES} more, ${many.converged ? 'in every view' : 'not in every view'} after ${(many.ms / 1000).toFixed(1)} s`)

    const s = (ms: number): string => (ms / 1000).toFixed(1) + ' s'
    const time = (r: Round): string => (r.converged ? s(r.ms) : `not all after ${s(r.ms)} (views held ${r.held})`)
    const met = many.converged && many.ms <= GOAL_MS ? 'met' : 'NOT met'
    console.log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`)
    console.log('')
    console.log('| measure | Peerline | baseline (same run) | ratio | goal | |')
    console.log('| --- | --- | --- | --- | --- | --- |')
    console.log(`| ${MEMBERS}-member room (${HOSTS} processes x ${per}), ${MESSAGES} messages from ${WRITERS} writers at once, until all ${MEMBERS} views have them | ${time(many)} | the same room, ${MESSAGES} messages from 1 writer: ${time(base)} | ${(many.ms / base.ms).toFixed(2)}x | <= ${s(GOAL_MS)} | ${met} |`)
    console.log(`| CPU s per process (${per} members each), ${WRITERS} writers | ${many.cpu.map((c) => c.toFixed(1)).join(' / ')} (total ${many.cpu.reduce((a, b) => a + b, 0).toFixed(1)}) | 1 writer: ${base.cpu.map((c) => c.toFixed(1)).join(' / ')} | - | - | |`)
    console.log(`| members added, joining in waves of ${WAVE}, until each sees all ${MEMBERS} members (no pairing) | ${s(joinMs)} | - | - | - | |`)
    console.log('')
    console.log(`load average: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`)
  } finally {
    await Promise.all(hosts.map((h) => h.call({ cmd: 'stop' }).catch(() => {})))
    for (const h of hosts) h.proc.kill()
    await testnet.destroy()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
