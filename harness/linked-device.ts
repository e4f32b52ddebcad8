import type { AgentProcess } from './agent'
import { aliceAndBob } from './alice-and-bob'

/**
 * `first` makes a device link and a fresh agent `name` takes it; resolves once its link is done
 * (the first device signed it into its rooms).
 */
export async function linkNewDevice(first: AgentProcess, start: (name: string) => Promise<AgentProcess>, name = 'a2'): Promise<AgentProcess> {
  const { link } = await first.call('createDeviceLink', {})
  const device = await start(name)
  await device.call('linkDevice', { link })
  await device.waitFor('linkProgress', (p) => p.done === true, 90_000)
  return device
}

/**
 * A and B are contacts; A links a second device, A2. Both of A's devices are then connected to B
 * (B got a live message from each: A2's first, so A's connection to B is the older one).
 */
export async function linkedDevice(start: (name: string) => Promise<AgentProcess>): Promise<{ a: AgentProcess; a2: AgentProcess; b: AgentProcess }> {
  const a = await start('a')
  const b = await start('b')
  await aliceAndBob(a, b)
  const a2 = await linkNewDevice(a, start)
  for (const device of [a2, a]) {
    const m = await device.call('send', { to: b.number, text: 'here' })
    await b.waitFor('message', (p) => p.id === m.id, 90_000)
  }
  return { a, a2, b }
}

/** The call's answer, or null while the core restarts (CLOSED: a linked device taking in its profile). */
export async function calm<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p
  } catch (err) {
    if ((err as { data?: { code?: string } }).data?.code === 'CLOSED') return null
    throw err
  }
}
