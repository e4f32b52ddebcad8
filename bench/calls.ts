/**
 * Calls in Chromium between two Peerlines (in-process workers, local 3-node testnet, loopback):
 * time from answering to the first decoded video frame, and round-trip time and loss, over the
 * host route and over the tunnel route (host candidates withheld), next to a raw Hyperswarm
 * ping between two bare peers measured in the same run.
 *
 *   npm run build && node dist/bench/calls.js
 */
import fs from 'fs'
import os from 'os'
import path from 'path'
import { BrowserPeer, launchBrowser } from '../test/calls/browser-peer'
import { AgentProcess } from '../harness/agent'
import { localTestnet } from '../harness/testnet'
import b4a from 'b4a'
import UDX from 'udx-native'
import { rawPing } from './raw-ping'

const RUNS = Number(process.env.BENCH_CALL_RUNS ?? 3)
/** How long media flows before RTT and loss are read. */
const SAMPLE_MS = 8000

type Route = 'host' | 'tunnel'
interface Run {
  firstFrameCaller: number
  firstFrameCallee: number
  route: string | null
  stunRtt: number | null
  rtcpRtt: number | null
  loss: number
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const ms = (s: number | null): string => (s === null ? 'n/a' : (s * 1000).toFixed(2) + ' ms')

/** In the page: polls getStats every 5 ms until a video frame is decoded; the wall clock then. */
function firstFrame(p: BrowserPeer, call: string, peer: string): Promise<number> {
  return p.run(async (e, a: { call: string; peer: string }) => {
    for (;;) {
      const s = await e.stats(a.call, a.peer).catch(() => null)
      if (s && s.framesDecoded > 0) return Date.now()
      await new Promise((r) => setTimeout(r, 5))
    }
  }, { call, peer })
}

async function oneCall(a: BrowserPeer, b: BrowserPeer, route: Route): Promise<Run> {
  const options = route === 'host' ? { tunnel: false, tunnelOnly: false } : { tunnel: true, tunnelOnly: true }
  for (const p of [a, b]) await p.run((e, o: Record<string, unknown>) => void Object.assign(e.options, o), options)
  const call = await a.run((e, to: string) => e.start(to, true), b.number)
  await b.event({ event: 'incoming', call })
  const atCaller = firstFrame(a, call, b.number)
  const answeredAt = Date.now()
  await b.run((e, id: string) => e.answer(id), call)
  const atCallee = firstFrame(b, call, a.number)
  const [fa, fb] = await Promise.all([atCaller, atCallee])
  await new Promise((r) => setTimeout(r, SAMPLE_MS))
  const s = await a.run((e, x: { call: string; peer: string }) => e.stats(x.call, x.peer), { call, peer: b.number })
  await a.run((e, id: string) => e.hangUp(id), call)
  await b.event({ event: 'state', call, state: 'ended' })
  await a.page.evaluate(() => ((globalThis as any).events.length = 0))
  await b.page.evaluate(() => ((globalThis as any).events.length = 0))
  const lost = Number(s.packetsLost)
  return {
    firstFrameCaller: fa - answeredAt,
    firstFrameCallee: fb - answeredAt,
    route: s.route,
    stunRtt: s.stunRtt,
    rtcpRtt: s.rtcpRtt,
    loss: lost / Math.max(1, lost + Number(s.packetsReceived))
  }
}

/**
 * The tunnel alone, no WebRTC: 1200-byte datagrams from a local socket through worker a's tunnel,
 * the Hyperswarm connection and worker b's tunnel to a socket that echoes them back the same way.
 */
async function tunnelEcho(aa: AgentProcess, ab: AgentProcess, bNumber: string, count: number): Promise<number[]> {
  const { call } = await aa.call('startCall', { to: bNumber, video: false })
  await ab.waitFor('callIncoming', (p) => p.call === call)
  await ab.call('answerCall', { call })
  await aa.waitFor('callPeer', (p) => p.call === call)
  const ta = await aa.call('callTunnel', { call })
  const tb = await ab.call('callTunnel', { call })
  const udx = new UDX()
  const sa = udx.createSocket()
  const sb = udx.createSocket()
  sa.bind(0, '127.0.0.1')
  sb.bind(0, '127.0.0.1')
  sb.on('message', (buf) => sb.trySend(buf, tb.port, '127.0.0.1'))
  sb.trySend(b4a.from('hello'), tb.port, '127.0.0.1') // b's tunnel learns where b's side listens
  let got: () => void = () => {}
  sa.on('message', () => got())
  const frame = b4a.alloc(1200, 1)
  const samples: number[] = []
  for (let i = 0; i < count + 50; i++) {
    const start = process.hrtime.bigint()
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 500)
      got = () => {
        clearTimeout(timer)
        resolve()
      }
      sa.trySend(frame, ta.port, '127.0.0.1')
    })
    samples.push(Number(process.hrtime.bigint() - start) / 1e6)
  }
  await sa.close()
  await sb.close()
  await aa.call('hangUp', { call })
  await ab.waitFor('callState', (p) => p.call === call && p.state === 'ended')
  return samples.slice(50)
}

async function main(): Promise<void> {
  const { testnet, bootstrap } = await localTestnet()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peerline-calls-bench-'))
  const browser = await launchBrowser()
  // Each worker its own process, as in the app (a worker sharing a busy process adds its delays).
  const agents = [await AgentProcess.start({ storage: path.join(dir, 'a'), bootstrap }), await AgentProcess.start({ storage: path.join(dir, 'b'), bootstrap })]
  const peers = agents.map((agent) => new BrowserPeer(agent))
  try {
    for (const p of peers) await p.open(browser)
    const [a, b] = peers
    const [aa, ab] = agents
    await aa.call('addContact', { number: b.number })
    await ab.waitFor('contactRequest')
    await ab.call('acceptContact', { number: a.number })
    await aa.waitFor('contactAccepted')
    while (!(await aa.call('listContacts')).some((c) => c.online)) await new Promise((r) => setTimeout(r, 50))

    const results: Record<Route, Run[]> = { host: [], tunnel: [] }
    for (let i = 0; i < RUNS; i++) {
      for (const route of ['host', 'tunnel'] as Route[]) {
        const r = await oneCall(a, b, route)
        results[route].push(r)
        console.log(`${route} run ${i + 1}: first frame ${r.firstFrameCaller} / ${r.firstFrameCallee} ms (caller / callee), selected ${r.route}, STUN RTT ${ms(r.stunRtt)}, RTCP RTT ${ms(r.rtcpRtt)}, loss ${(r.loss * 100).toFixed(2)} %`)
      }
    }
    const ping = await rawPing(bootstrap, 300, 0)
    const pingP50 = median(ping) / 1000
    const echoP50 = median(await tunnelEcho(aa, ab, b.number, 300)) / 1000

    const row = (route: Route) => {
      const rs = results[route]
      const rtt = median(rs.map((r) => r.rtcpRtt ?? r.stunRtt ?? 0))
      return {
        route,
        firstFrame: median(rs.map((r) => Math.max(r.firstFrameCaller, r.firstFrameCallee))),
        rtt,
        stun: median(rs.map((r) => r.stunRtt ?? 0)),
        loss: Math.max(...rs.map((r) => r.loss)),
        selected: rs.map((r) => r.route).join(',')
      }
    }
    const host = row('host')
    const tunnel = row('tunnel')
    console.log(`\ncalls on loopback, ${os.cpus().length} cores, ${RUNS} calls per route (medians; loss: worst)`)
    console.log(`  raw Hyperswarm ping (bare peers, 32-byte frames) p50   ${ms(pingP50)}`)
    console.log(`  tunnel echo, no WebRTC (1200-byte datagrams) p50      ${ms(echoP50)}  (${(echoP50 / pingP50).toFixed(2)}x the raw ping)`)
    for (const r of [host, tunnel]) {
      console.log(`  ${r.route.padEnd(6)} answer -> first frame ${String(r.firstFrame).padStart(5)} ms   RTT (RTCP) ${ms(r.rtt)}  STUN ${ms(r.stun)}  loss ${(r.loss * 100).toFixed(2)} %  selected: ${r.selected}`)
    }
    console.log(`  tunnel adds ${ms(tunnel.rtt - host.rtt)} RTT over host (goal <= 20 ms); tunnel RTT / raw ping = ${(tunnel.rtt / pingP50).toFixed(1)}x`)
    console.log(`  first frame goal <= 1000 ms: host ${host.firstFrame <= 1000 ? 'met' : 'missed'}, tunnel ${tunnel.firstFrame <= 1000 ? 'met' : 'missed'}`)
  } finally {
    for (const p of peers) await p.close().catch(() => {})
    await browser.close()
    await testnet.destroy()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
