/**
 * Files, in one run on loopback: a FILES_MB (default 1024) MB file from one agent to another next
 * to a raw Hyperswarm secret-stream and raw TCP carrying the same bytes (each side its own
 * process), PEERLINE_BENCH_RUNS times (default 3) in turn, medians compared; the peak RSS of both
 * agents. With PEERLINE_BENCH_GB=4, also a 4 GB transfer and its peak RSS (needs ~8 GB in the
 * temp folder; everything is deleted after).
 *
 *   npm run bench:files
 *   PEERLINE_BENCH_GB=4 npm run bench:files
 */
import { spawn } from 'child_process'
import type { ChildProcessWithoutNullStreams } from 'child_process'
import crypto from 'crypto'
import fs from 'fs'
import os from 'os'
import path from 'path'
import readline from 'readline'
import { AgentProcess } from '../harness/agent'
import { localTestnet } from '../harness/testnet'

const MB = Number(process.env.FILES_MB ?? 1024)
const BIG_MB = Number(process.env.PEERLINE_BENCH_GB ?? 0) * 1024
const RUNS = Number(process.env.PEERLINE_BENCH_RUNS ?? 3)
const PEER = path.join(__dirname, 'raw-stream-peer.js')
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'peerline-bench-files-'))

function makeFile(file: string, mb: number): void {
  const fd = fs.openSync(file, 'w')
  const chunk = crypto.randomBytes(4 << 20) // repeated: incompressible enough, and quick to make
  for (let i = 0; i < mb / 4; i++) fs.writeSync(fd, chunk)
  fs.fsyncSync(fd) // so the kernel's write-back of it does not land on the first run
  fs.closeSync(fd)
}

function peer(args: string[]): { proc: ChildProcessWithoutNullStreams; line: () => Promise<string> } {
  const proc = spawn(process.execPath, [PEER, ...args])
  const lines = readline.createInterface({ input: proc.stdout })
  const queue: string[] = []
  const waiters: Array<(l: string) => void> = []
  lines.on('line', (l) => (waiters.length ? (waiters.shift() as (l: string) => void)(l) : queue.push(l)))
  return { proc, line: () => new Promise((resolve) => (queue.length ? resolve(queue.shift() as string) : waiters.push(resolve))) }
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100 // utime, stime in clock ticks
}

interface Run {
  ms: number
  /** CPU seconds of sender + receiver for the transfer */
  cpu: number
}

async function rawSecretStream(bootstrap: string, file: string): Promise<Run> {
  const topic = crypto.randomBytes(32).toString('hex')
  const out = path.join(tmp, 'raw-out')
  const recv = peer(['recv', bootstrap, topic, out])
  await recv.line() // ready
  const cpu0 = cpuSeconds(recv.proc.pid as number)
  const send = peer(['send', bootstrap, topic, file])
  const [, , ms] = (await recv.line()).split(' ')
  // The sender's count includes its start (about 0.2 s): the baseline is charged a little extra.
  const cpu = cpuSeconds(recv.proc.pid as number) - cpu0 + cpuSeconds(send.proc.pid as number)
  send.proc.kill()
  recv.proc.kill()
  fs.rmSync(out, { force: true })
  return { ms: Number(ms), cpu }
}

async function rawTcp(file: string): Promise<number> {
  const out = path.join(tmp, 'tcp-out')
  const recv = peer(['tcp-recv', out])
  const port = (await recv.line()).split(' ')[1]
  const send = peer(['tcp-send', port, file])
  const [, , ms] = (await recv.line()).split(' ')
  send.proc.kill()
  recv.proc.kill()
  fs.rmSync(out, { force: true })
  return Number(ms)
}

/** The process's peak resident memory so far (the kernel's high-water mark), in MiB. */
function peakRssMiB(pid: number): number {
  return Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024
}

/** Our transfer: A shares, B downloads; returns ms, CPU and the peak RSS of each agent. */
async function peerline(bootstrap: string, file: string, tag: string): Promise<Run & { rssA: number; rssB: number }> {
  const a = await AgentProcess.start({ storage: path.join(tmp, tag + '-a'), bootstrap })
  const b = await AgentProcess.start({ storage: path.join(tmp, tag + '-b'), bootstrap })
  try {
    const { room, invite } = await a.call('createRoom', { name: 'bench' })
    await b.call('joinRoom', { invite })
    const sent = await a.call('sendFile', { to: room, path: file })
    await b.waitFor('message', (p) => p.id === sent.id, 60_000)
    const both = (): number => cpuSeconds(a.proc.pid as number) + cpuSeconds(b.proc.pid as number)
    const cpu0 = both()
    const t0 = process.hrtime.bigint()
    await b.call('downloadFile', { file: sent.file.id, path: path.join(tmp, tag + '-downloads') })
    const ms = Number(process.hrtime.bigint() - t0) / 1e6
    return { ms, cpu: both() - cpu0, rssA: peakRssMiB(a.proc.pid as number), rssB: peakRssMiB(b.proc.pid as number) }
  } finally {
    await a.stop()
    await b.stop()
    fs.rmSync(path.join(tmp, tag + '-downloads'), { recursive: true, force: true })
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y)
  return s[Math.floor(s.length / 2)]
}

async function main(): Promise<void> {
  const { testnet, bootstrap } = await localTestnet()
  try {
    const file = path.join(tmp, 'file.bin')
    makeFile(file, MB)
    const ours: Array<Run & { rssA: number; rssB: number }> = []
    const secret: Run[] = []
    const tcp: number[] = []
    // In turn, and the order flipped every run, so neither side always goes first on a busy machine.
    for (let i = 0; i < RUNS; i++) {
      if (i % 2 === 1) secret.push(await rawSecretStream(bootstrap, file))
      ours.push(await peerline(bootstrap, file, 'run' + i))
      if (i % 2 === 0) secret.push(await rawSecretStream(bootstrap, file))
      tcp.push(await rawTcp(file))
    }
    fs.rmSync(file)
    const rate = (ms: number, mb = MB): string => `${(mb / (ms / 1000)).toFixed(0)} MB/s`
    const rates = (xs: number[]): string => xs.map((ms) => (MB / (ms / 1000)).toFixed(0)).join(', ')
    const oursMs = median(ours.map((r) => r.ms))
    const secretMs = median(secret.map((r) => r.ms))
    const perGB = (rs: Run[]): string => (median(rs.map((r) => r.cpu)) / (MB / 1024)).toFixed(1)
    let big: (Run & { rssA: number; rssB: number }) | null = null
    if (BIG_MB > 0) {
      const bigFile = path.join(tmp, 'big.bin')
      makeFile(bigFile, BIG_MB)
      big = await peerline(bootstrap, bigFile, 'big')
      fs.rmSync(bigFile)
    }
    const peak = (rs: Array<{ rssA: number; rssB: number }>): string =>
      `sender ${Math.max(...rs.map((r) => r.rssA)).toFixed(0)} MiB, receiver ${Math.max(...rs.map((r) => r.rssB)).toFixed(0)} MiB`
    console.log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`)
    console.log(`runs (MB/s): ours ${rates(ours.map((r) => r.ms))}; raw secret-stream ${rates(secret.map((r) => r.ms))}; raw TCP ${rates(tcp)}`)
    console.log(`pairs (ours / raw secret-stream): ${ours.map((r, i) => (secret[i].ms / r.ms).toFixed(2) + 'x').join(', ')}`)
    console.log('')
    console.log('| measure | Peerline | baseline (same run) | ratio |')
    console.log('| --- | --- | --- | --- |')
    console.log(`| ${MB} MB file, agent to agent (downloadFile, verified, on disk), median of ${RUNS} | ${rate(oursMs)} | raw secret-stream ${rate(secretMs)} | ${(secretMs / oursMs).toFixed(2)}x |`)
    console.log(`| CPU seconds per GB, sender + receiver (load-independent) | ${perGB(ours)} s | raw secret-stream ${perGB(secret)} s | ${(median(ours.map((r) => r.cpu)) / median(secret.map((r) => r.cpu))).toFixed(2)}x the CPU |`)
    console.log(`| same file | ${rate(oursMs)} | raw TCP ${rate(median(tcp))} | ${(median(tcp) / oursMs).toFixed(2)}x |`)
    console.log(`| peak RSS during the ${MB} MB transfers | ${peak(ours)} | - | - |`)
    if (big) console.log(`| peak RSS during a ${BIG_MB} MB transfer (${rate(big.ms, BIG_MB)}) | ${peak([big])} | - | - |`)
    console.log('')
    const ratio = secretMs / oursMs
    const rssOk = big !== null && Math.max(big.rssA, big.rssB) < 200
    console.log(`goals: >= 0.8x raw secret-stream ${ratio >= 0.8 ? 'met' : 'NOT met'}; peak RSS < 200 MB at ${BIG_MB || '(not run)'} MB ${big ? (rssOk ? 'met' : 'NOT met') : '-'}`)
  } finally {
    await testnet.destroy()
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
