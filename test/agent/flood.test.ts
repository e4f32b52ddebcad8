import test from 'brittle'
import c from 'compact-encoding'
import fs from 'fs'
import HyperDHT from 'hyperdht'
import Protomux from 'protomux'
import type NoiseSecretStream from '@hyperswarm/secret-stream'
import * as schema from '../../lib/wire/schemas'
import type { AgentProcess } from '../helpers/agent'
import { befriend, setup } from '../helpers/agent-net'

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

/** Opens connections to `victim` from fresh keys, each sending a hello with a made-up number. */
function flood(dht: HyperDHT, victim: Buffer): { stop: () => void; opened: () => number } {
  let opened = 0
  const conns: NoiseSecretStream[] = []
  const timer = setInterval(() => {
    const conn = dht.connect(victim, { keyPair: HyperDHT.keyPair() })
    conns.push(conn)
    conn.on('error', () => {})
    conn.on('open', () => {
      opened++
      const number = String(Math.floor(Math.random() * 1e9)).padStart(9, '0')
      const ch = Protomux.from(conn).createChannel({ protocol: schema.HELLO_PROTOCOL, handshake: c.raw })
      ch?.open(c.encode(schema.hello, { number, name: 'flood' }))
    })
  }, 1000 / FLOOD_RATE)
  return {
    opened: () => opened,
    stop: () => {
      clearInterval(timer)
      for (const conn of conns) conn.destroy()
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

  const dht = new HyperDHT({ bootstrap: bootstrap.split(',').map((s) => ({ host: s.split(':')[0], port: Number(s.split(':')[1]) })), host: '127.0.0.1', firewalled: false })
  t.teardown(() => dht.destroy(), { order: 500 })
  let peak = rssBefore
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMiB(victim.proc.pid as number))
  }, 100)
  const f = flood(dht, Buffer.from(victim.publicKey, 'hex'))
  let loud: number[]
  try {
    await new Promise((r) => setTimeout(r, 1000))
    loud = await latencies(friend, victim)
  } finally {
    f.stop()
    clearInterval(sampler)
  }
  const status = await victim.call<{ peers: number }>('networkStatus')
  t.comment(`quiet p50/p99 ${pct(quiet, 50)}/${pct(quiet, 99)} ms; flood p50/p99 ${pct(loud, 50)}/${pct(loud, 99)} ms; ${f.opened()} flood connections opened; RSS ${rssBefore.toFixed(0)} -> peak ${peak.toFixed(0)} MiB`)
  t.ok(f.opened() >= 100, `the flood opened ${f.opened()} connections from fresh keys`)
  // The goal is a p99 under 100 ms. On a machine busy with other work the quiet run of this same
  // test is already slower than that; then the flood must not make it worse than quiet (before the
  // gate, a flood took the p99 from ~10 ms to 11.6 s).
  const bound = Math.max(100, 2 * pct(quiet, 99))
  t.ok(pct(loud, 99) < bound, `a contact's message p99 during the flood is ${pct(loud, 99)} ms (< ${bound} ms; quiet p99 ${pct(quiet, 99)} ms)`)
  t.ok(peak - rssBefore < 160, `the victim's memory grew by ${(peak - rssBefore).toFixed(0)} MiB (< 160)`)
  t.ok(victim.logs.some((l) => /turned away|too many new keys/.test(l)), 'the victim turned flood connections away, and said so')
  t.ok(status.peers < 64, `connections held after the flood: ${status.peers}`)
  const sent = await friend.call<{ id: string }>('send', { to: victim.number, text: 'still here' })
  await victim.waitFor('message', (p) => p.id === sent.id)
  t.pass('the contact still gets through afterwards')
})
