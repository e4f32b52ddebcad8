import test from 'brittle'
import fs from 'fs'
import path from 'path'
import { AgentProcess } from '../../harness/agent'
import { setup } from '../../harness/agent-net'
import { eventually } from '../../harness/eventually'

const MIB = 1024 * 1024
const LINE_MIB = 100
const INSECURE = { PEERLINE_INSECURE_TEST_NUMBERS: '1' }

type T = Parameters<Parameters<typeof test>[1]>[0]

/** An agent with its RSS sampled from now on: `peak()` is the highest seen, `stop()` ends sampling. */
async function watched(t: T) {
  const { start } = await setup(t)
  const a = await start('a', INSECURE)
  const pid = a.proc.pid as number
  await a.call('whoami')
  const before = rss(pid)
  let high = before
  const sampler = setInterval(() => (high = Math.max(high, rss(pid))), 5)
  t.teardown(() => clearInterval(sampler))
  return { a, before, peak: () => Math.max(high, rss(pid)), stop: () => clearInterval(sampler) }
}

function rss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) * 1024 : 0
}

test('a 100 MiB line on the agent\'s stdin is refused without being buffered, and the next request is answered', { timeout: 120_000 }, async (t) => {
  const { a, before, peak: peakOf, stop } = await watched(t)

  // 100 MiB with no newline, written as the pipe takes it. Before the bounded framer a 20 MiB line
  // alone grew RSS by 62 MiB (the line held whole, then as a string); now what grows is only
  // the stream's own chunks awaiting garbage collection, whatever the line's length.
  const chunk = Buffer.alloc(MIB, 'x')
  for (let i = 0; i < LINE_MIB; i++) {
    if (!a.proc.stdin.write(chunk)) await new Promise((resolve) => a.proc.stdin.once('drain', resolve))
  }
  a.proc.stdin.write('\n')
  const me = await a.call('whoami')
  stop()
  const peak = peakOf()

  t.is(me.number, a.number, 'the next valid request is answered')
  const refused = a.raw.find((m) => (m.error as { message?: string } | undefined)?.message?.includes('too large'))
  t.ok(refused, 'the long line got an error reply')
  t.ok(a.logs.some((l) => /line over 1048576 bytes/.test(l)), 'and a logged reason')
  t.comment(`RSS before ${(before / MIB).toFixed(1)} MiB, peak ${(peak / MIB).toFixed(1)} MiB`)
  t.ok(peak - before < LINE_MIB * MIB, `RSS grew by ${((peak - before) / MIB).toFixed(1)} MiB, less than the line itself: never held whole`)
})

test('the agent stops reading requests while its answers go unread, and answers them all once read', { timeout: 120_000 }, async (t) => {
  const { a, before, peak: peakOf, stop } = await watched(t)

  // 3,000 answers of 10 KB each (an unknown method's error echoes its name): 30 MB unread.
  a.proc.stdout.pause()
  const name = 'x'.repeat(10_000)
  const n = 3000
  for (let i = 0; i < n; i++) a.writeLine(JSON.stringify({ jsonrpc: '2.0', id: 100_000 + i, method: name }))
  // Requests back up on our side: the agent stopped reading them (one that read on would drain them).
  const backedUp = await eventually(async () => a.proc.stdin.writableLength, (bytes) => bytes > MIB)
  t.ok(backedUp > MIB, `the agent stopped reading (${(backedUp / MIB).toFixed(1)} MiB of requests wait on our side)`)
  const stalled = peakOf()
  a.proc.stdout.resume()
  t.is((await a.call('whoami')).number, a.number, 'the agent answers again once read')
  stop()

  const answered = a.raw.filter((m) => typeof m.id === 'number' && m.id >= 100_000).length
  t.is(answered, n, 'every request was answered once the client read again')
  t.comment(`RSS before ${(before / MIB).toFixed(1)} MiB, while unread ${(stalled / MIB).toFixed(1)} MiB`)
  t.ok(stalled - before < 16 * MIB, `RSS grew by ${((stalled - before) / MIB).toFixed(1)} MiB while 30 MB of answers went unread`)
})

test('an agent whose client stopped reading still shuts down cleanly on SIGTERM', { timeout: 60_000 }, async (t) => {
  const { start } = await setup(t)
  const a = await start('a', INSECURE)
  // The agent exits with our requests still queued for it: their write fails, and that is fine.
  a.proc.stdin.on('error', () => {})
  a.proc.stdout.pause()
  const name = 'x'.repeat(10_000)
  for (let i = 0; i < 3000; i++) a.writeLine(JSON.stringify({ jsonrpc: '2.0', id: 200_000 + i, method: name }))
  await eventually(async () => a.proc.stdin.writableLength, (bytes) => bytes > MIB)
  a.proc.kill('SIGTERM')
  const logged = await eventually(async () => a.logs.join('\n'), (l) => l.includes('shutting down (SIGTERM)'), 15_000)
  t.ok(logged.includes('shutting down (SIGTERM)'), 'it heard the signal (not stuck in a write)')
  a.proc.stdout.resume()
  t.is(await a.exited, 0, 'and exited cleanly')
})

test('a library that writes to stdout cannot break the protocol: its line goes to the logs', { timeout: 120_000 }, async (t) => {
  const { dir, bootstrap } = await setup(t)
  // Loaded before the agent, it logs as hypercore does on a conflict ("[hypercore] conflict
  // detected in ..." through console.log), once the agent is up.
  const noisy = path.join(dir, 'noisy.js')
  fs.writeFileSync(noisy, "setTimeout(() => console.log('[hypercore] conflict detected in 00ff (writable=true,quorum=1)'), 1500).unref()\n")
  const a = await AgentProcess.start({ storage: path.join(dir, 'a'), bootstrap, nodeArgs: ['--require', noisy], env: INSECURE })
  t.teardown(() => a.stop())
  await eventually(async () => a.logs, (logs) => logs.some((l) => l.includes('conflict detected')), 20_000)
  t.ok(a.logs.some((l) => l.includes('[hypercore] conflict detected')), 'the line is in the logs (stderr)')
  t.absent(a.raw.some((m) => JSON.stringify(m).includes('conflict')), 'nothing but JSON-RPC on stdout')
  t.is((await a.call('whoami')).number, a.number, 'the agent still answers')
})
