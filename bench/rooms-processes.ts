/**
 * Rooms with every member a separate agent process on a local 3-node testnet (what in-process
 * numbers hide: stdio JSON-RPC, real replication over secret-stream, one event loop per member).
 * For 5 and 10 members: every member sends its share of the messages at once; timed until every
 * member's view holds them all, and until every member was shown them all (live copies count).
 * Each member's CPU time over that span is read from /proc.
 *
 *   npm run bench:rooms-processes     (BENCH_PROC_MESSAGES=200, BENCH_PROC_SIZES=5,10)
 */
import fs from 'fs'
import os from 'os'
import path from 'path'
import { AgentProcess } from '../harness/agent'
import { localTestnet } from '../harness/testnet'

const MESSAGES = Number(process.env.BENCH_PROC_MESSAGES ?? 200)
const SIZES = (process.env.BENCH_PROC_SIZES ?? '5,10').split(',').map(Number)
const POLL_MS = 100
const TIMEOUT_MS = 300_000
/** The machine's clock tick for /proc/<pid>/stat times (Linux uses 100 Hz). */
const TICK_MS = 10

interface Result {
  members: number
  messages: number
  /** Start of the sends until every member was shown every message. */
  shownMs: number
  /** Start of the sends until every member's view holds every message. */
  convergedMs: number
  /** CPU seconds per member over the run, in member order (member 0 created the room). */
  cpu: number[]
  joinMs: number
}

function cpuMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS
}

function progress(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`)
}

async function run(size: number, bootstrap: string, dir: string): Promise<Result> {
  const members: AgentProcess[] = []
  try {
    for (let i = 0; i < size; i++) members.push(await AgentProcess.start({ storage: path.join(dir, `${size}-${i}`), bootstrap }))
    const [admin] = members
    const { room, invite } = await admin.call('createRoom', { name: `${size} members` })
    const j0 = process.hrtime.bigint()
    // One at a time: nine pairings at once on a loaded machine left some unanswered.
    for (const m of members.slice(1)) await m.call('joinRoom', { invite })
    // Everyone sees everyone before the clock starts: joining is measured on its own.
    await until(async () => (await Promise.all(members.map((m) => memberCount(m, room)))).every((n) => n === size))
    const joinMs = Number(process.hrtime.bigint() - j0) / 1e6
    progress(`${size} members joined in ${joinMs.toFixed(0)} ms`)

    const shown = members.map(() => new Set<string>())
    const allShown = new Promise<void>((resolve) => {
      members.forEach((m, i) => {
        m.onnotification = (method, params) => {
          if (method !== 'message' || params.room !== room) return
          shown[i].add(params.text as string)
          if (shown.every((s) => s.size >= MESSAGES)) resolve()
        }
      })
    })
    const cpu0 = members.map((m) => cpuMs(m.proc.pid as number))
    const t0 = process.hrtime.bigint()
    const elapsed = (): number => Number(process.hrtime.bigint() - t0) / 1e6
    let shownMs = 0
    void allShown.then(() => (shownMs = elapsed()))
    const per = Math.ceil(MESSAGES / size)
    await Promise.all(
      members.map(async (m, i) => {
        const texts = Array.from({ length: Math.max(0, Math.min(per, MESSAGES - i * per)) }, (_, k) => `m${i}-${k}`)
        for (const text of texts) shown[i].add(text) // an agent shows its own sends in its window, not as a notification
        await Promise.all(texts.map((text) => m.call('send', { to: room, text })))
      })
    )
    await until(async () => (await Promise.all(members.map((m) => stored(m, room)))).every((n) => n >= MESSAGES))
    const convergedMs = elapsed()
    await Promise.race([allShown, new Promise((_resolve, reject) => setTimeout(() => reject(new Error('not every message was shown')), TIMEOUT_MS))])
    const cpu = members.map((m, i) => (cpuMs(m.proc.pid as number) - cpu0[i]) / 1000)
    return { members: size, messages: MESSAGES, shownMs: shownMs || elapsed(), convergedMs, cpu, joinMs }
  } finally {
    for (const m of members) await m.stop()
  }
}

async function memberCount(m: AgentProcess, room: string): Promise<number> {
  return (await m.call('members', { room })).length
}

/** Messages in the member's view (nobody marks the room read here, so unread is the length). */
async function stored(m: AgentProcess, room: string): Promise<number> {
  const rooms = await m.call('listRooms')
  return rooms.find((r) => r.room === room)?.unread ?? 0
}

async function until(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + TIMEOUT_MS
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
}

async function main(): Promise<void> {
  const { testnet, bootstrap } = await localTestnet()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peerline-bench-procs-'))
  const results: Result[] = []
  try {
    for (const size of SIZES) results.push(await run(size, bootstrap, dir))
  } finally {
    await testnet.destroy()
    fs.rmSync(dir, { recursive: true, force: true })
  }
  const s = (ms: number): string => (ms / 1000).toFixed(1) + ' s'
  console.log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`)
  console.log('')
  console.log('| members (processes) | messages, every member sending its share at once | all shown to all | all in every view | CPU s per member (creator first) | CPU s, all members | join (one after another) |')
  console.log('| --- | --- | --- | --- | --- | --- | --- |')
  for (const r of results) {
    const total = r.cpu.reduce((a, b) => a + b, 0)
    console.log(`| ${r.members} | ${r.messages} | ${s(r.shownMs)} | ${s(r.convergedMs)} | ${r.cpu.map((c) => c.toFixed(1)).join(' / ')} | ${total.toFixed(1)} | ${s(r.joinMs)} |`)
  }
  console.log('')
  console.log(`load average: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
