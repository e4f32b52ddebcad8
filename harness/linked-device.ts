import type { AgentProcess } from './agent'

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

/** The call's answer, or null while the core restarts (CLOSED: a linked device taking in its profile). */
export async function calm<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p
  } catch (err) {
    if ((err as { data?: { code?: string } }).data?.code === 'CLOSED') return null
    throw err
  }
}
