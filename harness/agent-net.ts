import type test from 'brittle'
import dgram from 'dgram'
import path from 'path'
import { AgentProcess } from './agent'
import { localTestnet } from './testnet'
import type { Result } from '../lib/contract'

type T = Parameters<Parameters<typeof test>[1]>[0]

/** A loopback UDP port nobody listens on: a bootstrap that answers nothing, i.e. offline. */
export async function deadBootstrap(): Promise<string> {
  const sock = dgram.createSocket('udp4')
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve))
  const { port } = sock.address()
  await new Promise<void>((resolve) => sock.close(() => resolve()))
  return `127.0.0.1:${port}`
}

/** A testnet and a way to start agents on it; `env` goes to every agent (start's own env wins). */
export async function setup(t: T, env: Record<string, string> = {}) {
  const { testnet, bootstrap } = await localTestnet()
  t.teardown(() => testnet.destroy(), { order: 1000 })
  const dir = await t.tmp()
  const agents: AgentProcess[] = []
  t.teardown(async () => {
    for (const a of agents) await a.stop()
  })
  const defaults = env
  const start = async (name: string, own?: Record<string, string>, main?: string): Promise<AgentProcess> => {
    const a = await AgentProcess.start({ storage: path.join(dir, name), bootstrap, env: { ...defaults, ...(own ?? {}) }, ...(main ? { main } : {}) })
    agents.push(a)
    return a
  }
  return { start, dir, bootstrap }
}

/** A adds B by number and B accepts. */
export async function befriend(a: AgentProcess, b: AgentProcess): Promise<Result<'addContact'>> {
  const added = await a.call('addContact', { number: b.number })
  await b.waitFor('contactRequest', (p) => p.number === a.number)
  await b.call('acceptContact', { number: a.number })
  await a.waitFor('contactAccepted', (p) => p.number === b.number)
  return added
}

