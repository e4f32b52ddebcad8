/**
 * Memory of an agent process (local 3-node testnet): RSS idle, then in 20 rooms (19 with 10
 * messages, one with 1000) just written, then once those rooms rested (idle, nobody connected:
 * their Autobases closed), then after a restart that reopens the 20 rooms, beside the idle figure
 * from the same run. The agent's rest time is shortened to REST_MS for the bench (default 5 min).
 *
 *   npm run bench:memory      (BENCH_NODE_ARGS="--optimize-for-size" to try more V8 flags)
 */
import fs from 'fs'
import os from 'os'
import path from 'path'
import { AgentProcess } from '../harness/agent'
import { localTestnet } from '../harness/testnet'

const ROOMS = 20
const BIG_ROOM = Number(process.env.BENCH_BIG_ROOM ?? 1000)
const SMALL_ROOM = 10
/** RSS settles after a burst (GC, RocksDB flushes): measured after this quiet time. */
const SETTLE_MS = 3000
const GOAL_MIB = 120
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)
/** Idle time after which the agent's rooms rest, here: longer than the settle after writing. */
const REST_MS = 8000
const CORESTORE_GC_MS = 10_000
const ENV = { PEERLINE_ROOM_REST_MS: String(REST_MS) }

function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, SETTLE_MS))

async function main(): Promise<void> {
  const { testnet, bootstrap } = await localTestnet()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peerline-bench-memory-'))
  const storage = path.join(dir, 'a')
  let a = await AgentProcess.start({ storage, bootstrap, nodeArgs: NODE_ARGS, env: ENV, keepLogs: true })
  try {
    await settle()
    const idle = rssMiB(a.proc.pid as number)
    for (let i = 0; i < ROOMS; i++) {
      const { room } = await a.call('createRoom', { name: 'room ' + i })
      const count = i === 0 ? BIG_ROOM : SMALL_ROOM
      for (let j = 0; j < count; j += 50) {
        await Promise.all(Array.from({ length: Math.min(50, count - j) }, (_, k) => a.call('send', { to: room, text: `message ${j + k}` })))
      }
    }
    await settle()
    const inRooms = rssMiB(a.proc.pid as number)
    const resting = (): number => a.logs.filter((l) => l.includes(': resting (idle')).length
    const end = Date.now() + REST_MS * 4
    while (resting() < ROOMS && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 250))
    if (resting() < ROOMS) throw new Error(`only ${resting()} of ${ROOMS} rooms rested`)
    // Corestore closes a core nobody holds a session on after four of its 2 s GC cycles.
    await new Promise((resolve) => setTimeout(resolve, CORESTORE_GC_MS))
    await settle()
    const rested = rssMiB(a.proc.pid as number)
    await a.stop()
    a = await AgentProcess.start({ storage, bootstrap, nodeArgs: NODE_ARGS, env: ENV })
    await settle()
    const reopened = rssMiB(a.proc.pid as number)
    const rooms = await a.call('listRooms')
    if (rooms.length !== ROOMS) throw new Error(`the restarted agent lists ${rooms.length} of ${ROOMS} rooms`)

    const met = (mib: number): string => (mib <= GOAL_MIB ? 'met' : 'NOT met')
    console.log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}${NODE_ARGS.length ? ' ' + NODE_ARGS.join(' ') : ''}`)
    console.log('')
    console.log('| measure | Peerline | baseline (same run) | ratio | goal | |')
    console.log('| --- | --- | --- | --- | --- | --- |')
    console.log(`| RSS of an agent in ${ROOMS} rooms (${ROOMS - 1} x ${SMALL_ROOM} messages, 1 x ${BIG_ROOM}), just written | ${inRooms.toFixed(0)} MiB | the same agent idle, no rooms: ${idle.toFixed(0)} MiB | ${(inRooms / idle).toFixed(2)}x | <= ${GOAL_MIB} MiB | ${met(inRooms)} |`)
    console.log(`| RSS of that agent once its ${ROOMS} rooms rested (idle ${REST_MS / 1000} s, nobody connected) | ${rested.toFixed(0)} MiB | idle ${idle.toFixed(0)} MiB | ${(rested / idle).toFixed(2)}x | <= ${GOAL_MIB} MiB | ${met(rested)} |`)
    console.log(`| RSS of that agent restarted (the ${ROOMS} rooms reopened) | ${reopened.toFixed(0)} MiB | idle ${idle.toFixed(0)} MiB | ${(reopened / idle).toFixed(2)}x | <= ${GOAL_MIB} MiB | ${met(reopened)} |`)
    console.log('')
    console.log(`load average: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`)
  } finally {
    await a.stop()
    await testnet.destroy()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
