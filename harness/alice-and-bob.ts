import type { AgentProcess } from './agent'
import { befriend } from './agent-net'

/** Alice (named) and Bob become contacts and say hello once each in their direct chat. */
export async function aliceAndBob(a: AgentProcess, b: AgentProcess): Promise<{ hi: { id: string; room: string } }> {
  await a.call('setProfile', { name: 'Alice' })
  await befriend(a, b)
  const hi = await a.call('send', { to: b.number, text: 'hi Bob' })
  await b.waitFor('message', (p) => p.id === hi.id)
  const reply = await b.call('send', { to: a.number, text: 'hi Alice' })
  await a.waitFor('message', (p) => p.id === reply.id)
  return { hi }
}
