/**
 * Files, in one run on loopback: a FILES_MB (default 1024) MB file from one agent to another next
 * to a raw Hyperswarm secret-stream and raw TCP carrying the same bytes (each side its own
 * process), then the peak RSS of both agents during a FILES_RSS_MB (default 4096) MB transfer.
 *
 *   npm run bench:files
 */
import { spawn } from 'child_process'
import type { ChildProcessWithoutNullStreams } from 'child_process'
import crypto from 'crypto'
import fs from 'fs'
import os from 'os'
import path from 'path'
import readline from 'readline'
import { AgentProcess } from '../test/helpers/agent'
import { localTestnet } from '../test/helpers/testnet'

const MB = Number(process.env.FILES_MB ?? 1024)
const RSS_MB = Number(process.env.FILES_RSS_MB ?? 4096)
const PEER = path.join(__dirname, 'raw-stream-peer.js')
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'peerline-bench-files-'))

function makeFile(file: string, mb: number): void {
  const fd = fs.openSync(file, 'w')
  const chunk = crypto.randomBytes(4 << 20) // repeated: incompressible enough, and quick to make
  for (let i = 0; i < mb / 4; i++) fs.writeSync(fd, chunk)
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

async function rawSecretStream(bootstrap: string, file: string): Promise<number> {
  const topic = crypto.randomBytes(32).toString('hex')
  const out = path.join(tmp, 'raw-out')
  const recv = peer(['recv', bootstrap, topic, out])
  await recv.line() // ready
  const send = peer(['send', bootstrap, topic, file])
  const [, , ms] = (await recv.line()).split(' ')
  send.proc.kill()
  recv.proc.kill()
  fs.rmSync(out, { force: true })
  return Number(ms)
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

function rssMiB(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024
  } catch {
    return 0
  }
}

/** Our transfer: A shares, B downloads; returns ms and the peak RSS of each agent. */
async function peerline(bootstrap: string, file: string, tag: string): Promise<{ ms: number; rssA: number; rssB: number }> {
  const a = await AgentProcess.start({ storage: path.join(tmp, tag + '-a'), bootstrap })
  const b = await AgentProcess.start({ storage: path.join(tmp, tag + '-b'), bootstrap })
  let rssA = 0
  let rssB = 0
  const sampler = setInterval(() => {
    rssA = Math.max(rssA, rssMiB(a.proc.pid as number))
    rssB = Math.max(rssB, rssMiB(b.proc.pid as number))
  }, 100)
  try {
    const { room, invite } = await a.call<{ room: string; invite: string }>('createRoom', { name: 'bench' })
    await b.call('joinRoom', { invite })
    const sent = await a.call<{ id: string; file: { id: string } }>('sendFile', { to: room, path: file })
    await b.waitFor('message', (p) => p.id === sent.id, 60_000)
    const t0 = process.hrtime.bigint()
    await b.call('downloadFile', { file: sent.file.id, path: path.join(tmp, tag + '-downloads') })
    const ms = Number(process.hrtime.bigint() - t0) / 1e6
    return { ms, rssA, rssB }
  } finally {
    clearInterval(sampler)
    await a.stop()
    await b.stop()
    fs.rmSync(path.join(tmp, tag + '-downloads'), { recursive: true, force: true })
  }
}

async function main(): Promise<void> {
  const { testnet, bootstrap } = await localTestnet()
  try {
    const file = path.join(tmp, 'file.bin')
    makeFile(file, MB)
    const ours = await peerline(bootstrap, file, 'one')
    const secret = await rawSecretStream(bootstrap, file)
    const tcp = await rawTcp(file)
    fs.rmSync(file)
    const rate = (ms: number): string => `${(MB / (ms / 1000)).toFixed(0)} MB/s`
    let rssLine = ''
    if (RSS_MB > 0) {
      const big = path.join(tmp, 'big.bin')
      makeFile(big, RSS_MB)
      const r = await peerline(bootstrap, big, 'rss')
      fs.rmSync(big)
      rssLine = `| peak RSS during a ${RSS_MB} MB transfer (${rate(r.ms * (MB / RSS_MB))}) | sender ${r.rssA.toFixed(0)} MiB, receiver ${r.rssB.toFixed(0)} MiB | - | - |`
    }
    console.log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`)
    console.log('')
    console.log('| measure | Peerline | baseline (same run) | ratio |')
    console.log('| --- | --- | --- | --- |')
    console.log(`| ${MB} MB file, agent to agent (downloadFile, verified, on disk) | ${rate(ours.ms)} | raw secret-stream ${rate(secret)} | ${(secret / ours.ms).toFixed(2)}x |`)
    console.log(`| same file | ${rate(ours.ms)} | raw TCP ${rate(tcp)} | ${(tcp / ours.ms).toFixed(2)}x |`)
    if (rssLine) console.log(rssLine)
    console.log('')
    console.log(`goals: >= 0.8x raw secret-stream ${secret / ours.ms >= 0.8 ? 'met' : 'NOT met'}`)
  } finally {
    await testnet.destroy()
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
