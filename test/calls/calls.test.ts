import test from 'brittle'
import path from 'path'
import type { Browser } from 'playwright-core'
import { localTestnet } from '../helpers/testnet'
import { BrowserPeer, launchBrowser } from './browser-peer'

type T = Parameters<Parameters<typeof test>[1]>[0]

/** A testnet, one Chromium, and `n` Peerlines each with a page; all closed at teardown. */
async function setup(t: T, n: number, engine: Record<string, unknown> = {}): Promise<BrowserPeer[]> {
  const { testnet } = await localTestnet()
  const dir = await t.tmp()
  const browser: Browser = await launchBrowser()
  const peers: BrowserPeer[] = []
  t.teardown(async () => {
    for (const p of peers) await p.close()
    await browser.close()
    await testnet.destroy()
  })
  for (let i = 0; i < n; i++) {
    const p = new BrowserPeer({ storage: path.join(dir, 'p' + i), bootstrap: testnet.bootstrap, host: '127.0.0.1', lookupTimeout: 8000, ringTimeout: 3000 })
    peers.push(p)
    await p.open(browser, engine)
  }
  return peers
}

async function befriend(a: BrowserPeer, b: BrowserPeer): Promise<void> {
  const requested = new Promise<void>((resolve) => b.api.on('notification', (n) => n === 'contactRequest' && resolve()))
  await a.api.call('addContact', { number: b.number })
  await requested
  const accepted = new Promise<void>((resolve) => a.api.on('notification', (n) => n === 'contactAccepted' && resolve()))
  await b.api.call('acceptContact', { number: a.number })
  await accepted
  while (!a.api.listContacts().some((c) => c.online)) await new Promise((r) => setTimeout(r, 50))
}

/** a calls b, b answers; resolves with the call id once both sides decode video and audio. */
async function connected(a: BrowserPeer, b: BrowserPeer, video = true) {
  const call = await a.run((e, to: string) => e.start(to, true), b.number)
  await b.event({ event: 'incoming', call })
  await b.run((e, id: string) => e.answer(id), call)
  const flowing = (s: { framesDecoded: number; totalSamplesReceived: number }) => (!video || s.framesDecoded > 0) && s.totalSamplesReceived > 0
  const sa = await a.statsUntil(call, b.number, flowing)
  const sb = await b.statsUntil(call, a.number, flowing)
  return { call, sa, sb }
}

test('1:1 video call in Chromium: both sides decode video frames and audio', async (t) => {
  const [a, b] = await setup(t, 2)
  await befriend(a, b)
  const { call, sa, sb } = await connected(a, b)
  t.ok(sa.framesDecoded > 0 && sa.totalSamplesReceived > 0, `caller decodes (${sa.framesDecoded} frames, ${sa.totalSamplesReceived} samples, route ${sa.route})`)
  t.ok(sb.framesDecoded > 0 && sb.totalSamplesReceived > 0, `callee decodes (${sb.framesDecoded} frames, ${sb.totalSamplesReceived} samples, route ${sb.route})`)
  await a.run((e, id: string) => e.chat(id, 'can you see me?'), call)
  await b.event({ event: 'chat', text: 'can you see me?', mine: false })
  await a.run((e, id: string) => e.hangUp(id), call)
  const ended = await b.event({ event: 'state', call, state: 'ended' })
  t.is(ended.reason, 'remote-hangup')
})
