import test from 'brittle'
import { spawn } from 'child_process'
import fs from 'fs'
import path from 'path'
import type { AgentProcess } from '../../harness/agent'
import { befriend, setup } from '../../harness/agent-net'

const MESSAGES = 100
const GAP = 50
/** New connections from fresh keys per second during the flood. */
const FLOOD_RATE = 40

function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  const m = /VmRSS:\s+(\d+) kB/.exec(status)
  return m ? Number(m[1]) / 1024 : 0
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]
}

/** The flooder runs in its own process (harness/flood-main.ts). */
function flood(bootstrap: string, victim: string): { stop: () => Promise<number> } {
  const child = spawn(process.execPath, [path.join(__dirname, '..', '..', 'harness', 'flood-main.js'), bootstrap, victim, String(FLOOD_RATE)], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return {
    stop: async () => {
      child.kill('SIGTERM')
      await exited
      return (JSON.parse(out || '{"opened":0}') as { opened: number }).opened
    }
  }
}

async function latencies(from: AgentProcess, to: AgentProcess): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < MESSAGES; i++) {
    const text = `ping ${i}`
    const t0 = Date.now()
    const arrived = to.waitFor('message', (p) => p.text === text, 20_000)
    await from.call('send', { to: to.number, text })
    await arrived
    out.push(Date.now() - t0)
    await new Promise((r) => setTimeout(r, GAP))
  }
  return out
}

test('a flood of fresh keys is turned away cheaply: a contact\'s messages keep their latency and memory stays bounded', async (t) => {
  const { start, bootstrap } = await setup(t)
  const victim = await start('victim')
  const friend = await start('friend')
  await befriend(friend, victim)
  // Warm up the path, then measure it quiet.
  await latencies(friend, victim)
  const quiet = await latencies(friend, victim)
  const rssBefore = rssMiB(victim.proc.pid as number)

  let peak = rssBefore
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMiB(victim.proc.pid as number))
  }, 100)
  const f = flood(bootstrap, victim.publicKey)
  t.teardown(() => f.stop().then(() => {}), { order: 0 })
  let loud: number[]
  let opened = 0
  try {
    await new Promise((r) => setTimeout(r, 1000))
    loud = await latencies(friend, victim)
  } finally {
    opened = await f.stop()
    clearInterval(sampler)
  }
  const status = await victim.call('networkStatus')
  t.comment(`quiet p50/p99 ${pct(quiet, 50)}/${pct(quiet, 99)} ms; flood p50/p99 ${pct(loud, 50)}/${pct(loud, 99)} ms; ${opened} flood connections opened; RSS ${rssBefore.toFixed(0)} -> peak ${peak.toFixed(0)} MiB`)
  t.ok(opened >= 100, `the flood opened ${opened} connections from fresh keys`)
  // Before the gate, a flood took a contact's messages from ~10 ms to seconds (p99 11.6 s): the
  // victim's event loop was busy deriving numbers for fresh keys. That is what is checked, with
  // statistics the machine's own noise cannot fake: the median against this run's quiet median,
  // and a ceiling on the slowest. (The p99 of 100 samples is their second slowest: three CI runs
  // on two cores put it at 589 ms once, quiet p99 115 ms, with the flood turned away as it should.)
  const median = Math.max(250, 10 * pct(quiet, 50))
  t.ok(pct(loud, 50) < median, `a contact's median message latency during the flood is ${pct(loud, 50)} ms (< ${median} ms; quiet ${pct(quiet, 50)} ms)`)
  t.ok(pct(loud, 99) < 5000, `no message waits for seconds: p99 ${pct(loud, 99)} ms (< 5000 ms)`)
  t.ok(peak - rssBefore < 160, `the victim's memory grew by ${(peak - rssBefore).toFixed(0)} MiB (< 160)`)
  t.ok(victim.logs.some((l) => /turned away|too many new keys/.test(l)), 'the victim turned flood connections away, and said so')
  t.ok(status.peers < 64, `connections held after the flood: ${status.peers}`)
  const sent = await friend.call('send', { to: victim.number, text: 'still here' })
  await victim.waitFor('message', (p) => p.id === sent.id)
  t.pass('the contact still gets through afterwards')
})
