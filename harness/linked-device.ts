import type { AgentProcess } from './agent'
import { aliceAndBob } from './alice-and-bob'

/**
 * A and B are contacts; A links a second device, A2. Both of A's devices are then connected to B
 * (B got a live message from each: A2's first, so A's connection to B is the older one).
 */
export async function linkedDevice(start: (name: string) => Promise<AgentProcess>): Promise<{ a: AgentProcess; a2: AgentProcess; b: AgentProcess }> {
  const a = await start('a')
  const b = await start('b')
  await aliceAndBob(a, b)
  const { link } = await a.call('createDeviceLink', {})
  const a2 = await start('a2')
  await a2.call('linkDevice', { link })
  await a2.waitFor('linkProgress', (p) => p.done === true, 90_000)
  for (const device of [a2, a]) {
    const m = await device.call('send', { to: b.number, text: 'here' })
    await b.waitFor('message', (p) => p.id === m.id, 90_000)
  }
  return { a, a2, b }
}
