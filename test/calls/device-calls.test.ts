import test from 'brittle'
import { setup } from '../../harness/agent-net'
import { linkedDevice } from '../../harness/linked-device'
import { BrowserPeer, launchBrowser } from './browser-peer'

interface Flow {
  framesDecoded: number
  totalSamplesReceived: number
}

// The renderers' call engines on three agents: A, its linked device A2, and B.
test('B calls A in Chromium: A and A2 ring, A2 answers, video and audio flow between B and A2, A stops ringing', { timeout: 240_000 }, async (t) => {
  const { start } = await setup(t)
  const { a, a2, b } = await linkedDevice(start)
  const browser = await launchBrowser()
  const [pa, pa2, pb] = [a, a2, b].map((agent) => new BrowserPeer(agent))
  t.teardown(async () => {
    for (const p of [pa, pa2, pb]) await p.close()
    await browser.close()
  })
  for (const p of [pa, pa2, pb]) await p.open(browser)
  t.is(pa2.number, pa.number, 'A2 is A (one number)')

  const call = await pb.run((e, to: string) => e.start(to, true), a.number)
  await pa.event({ event: 'incoming', call })
  await pa2.event({ event: 'incoming', call })
  t.pass('both of A\'s renderers ring')
  await pa2.run((e, id: string) => e.answer(id), call)
  t.is((await pa.event({ event: 'state', call, state: 'ended' })).reason, 'answered-elsewhere', 'A\'s ring ends: answered on another device')

  const flowing = (s: Flow | null): boolean => s !== null && s.framesDecoded > 0 && s.totalSamplesReceived > 0
  const sb: Flow = await pb.statsUntil(call, a.number, flowing, 30_000)
  const sa2: Flow = await pa2.statsUntil(call, b.number, flowing, 30_000)
  t.ok(flowing(sb) && flowing(sa2), `B and A2 decode each other (${sb.framesDecoded} and ${sa2.framesDecoded} frames)`)
  const onA = await pa.run((e, x: { id: string; peer: string }) => e.stats(x.id, x.peer).then(() => 'in call', () => null), { id: call, peer: b.number })
  t.is(onA, null, 'A has no connection in the call')
  await pb.run((e, id: string) => e.hangUp(id), call)
  t.is((await pa2.event({ event: 'state', call, state: 'ended' })).reason, 'remote-hangup', 'B\'s hang-up reaches A2')
})
