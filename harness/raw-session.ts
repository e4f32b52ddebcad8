// For adversary tests that act below the Api: the authenticated session one in-process core
// holds to another, and befriending two of them through the Api first.
import b4a from 'b4a'
import type { PeerSession } from '../lib/contacts/peer-session'
import type { coreNet } from './core-api'
import { eventually } from './eventually'

export type Started = Awaited<ReturnType<Awaited<ReturnType<typeof coreNet>>['start']>>

/** The authenticated session `from` holds to `to` (contacts or fellow members connect). */
export async function sessionTo(from: Started, to: Started): Promise<PeerSession> {
  const sessions = (from.api.core.contacts as unknown as { _sessions: Map<string, PeerSession> })._sessions
  const id = b4a.toString(to.api.core.identity.publicKey, 'hex')
  const s = await eventually(async () => sessions.get(id), (v) => v !== undefined && v.verified, 20_000)
  if (s === undefined) throw new Error('never connected')
  return s
}

/** `a` adds `b` by number and `b` accepts. */
export async function befriend(a: Started, b: Started): Promise<void> {
  const [aNumber, bNumber] = [(await a.api.request('whoami')).number, (await b.api.request('whoami')).number]
  await a.api.call('addContact', { number: bNumber })
  await b.next('contactRequest', (p) => p.number === aNumber)
  await b.api.call('acceptContact', { number: aNumber })
  await a.next('contactAccepted', (p) => p.number === bNumber)
}
