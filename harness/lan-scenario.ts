import crypto from 'crypto'
import type { AgentProcess } from './agent'
import { befriend } from './agent-net'
import { eventually } from './eventually'

export interface Timeline {
  /** Every agent answers calls. */
  ready: number
  /** Every agent reports lan-only and hears all the others (null when not asked for). */
  discovered: number | null
  /** A added B by number, B accepted, and B got A's first message. */
  firstMessage: number
  /** A room of all agents made by room key, one message from each, and every view equal. */
  roomSynced: number
  /** Every agent holds a connection to every other (a full mesh). */
  mesh: number
}


/**
 * The cold-start story the demo prints and the benchmark times: start agents, (wait until they
 * found each other on the LAN), add by number, first message, a room of everyone in sync.
 * Times are ms since `t0`. `onstep` hears each step as it happens.
 */
export async function coldStart(
  start: () => Promise<AgentProcess[]>,
  opts: { lan: boolean; t0?: number; onstep?: (step: keyof Timeline, ms: number, detail: string) => void }
): Promise<{ agents: AgentProcess[]; room: string; timeline: Timeline }> {
  const t0 = opts.t0 ?? Date.now()
  const at = (step: keyof Timeline, detail: string): number => {
    const ms = Date.now() - t0
    opts.onstep?.(step, ms, detail)
    return ms
  }
  const agents = await start()
  const ready = at('ready', `${agents.length} agents answer calls`)
  let discovered: number | null = null
  if (opts.lan) {
    await eventually(
      () => Promise.all(agents.map((a) => a.call('networkStatus'))),
      (ss) => ss.every((s) => s.state === 'lan-only' && s.lanPeers === agents.length - 1),
      30_000
    )
    discovered = at('discovered', `every agent is lan-only and hears the ${agents.length - 1} others`)
  }
  const [a, b] = agents
  await befriend(a, b)
  await a.call('send', { to: b.number, text: 'are you safe?' })
  await b.waitFor('message', (p) => p.text === 'are you safe?', 30_000)
  const firstMessage = at('firstMessage', `${a.number} added ${b.number} by number; the first message arrived`)

  const { room, invite } = await a.call('createRoom', { name: 'Neighbours' })
  await Promise.all(agents.slice(1).map((x) => x.call('joinRoom', { invite })))
  await Promise.all(agents.map((x, i) => x.call('send', { to: room, text: `checking in: ${i}` })))
  const views = await eventually(
    () => Promise.all(agents.map((x) => viewHash(x, room))),
    (hs) => hs.every((h) => h === hs[0]) && hs[0].startsWith(agents.length + ':'),
    60_000
  )
  if (!views.every((h) => h === views[0])) throw new Error('room views did not converge: ' + views.join(' '))
  const roomSynced = at('roomSynced', `a room of ${agents.length}: every view holds the same ${agents.length} messages`)
  // Members of a small room dial each other by key: everyone should end up connected to everyone.
  const peers = await eventually(
    () => Promise.all(agents.map((a) => a.call('networkStatus'))),
    (ss) => ss.every((s) => s.peers >= agents.length - 1),
    60_000
  )
  if (!peers.every((s) => s.peers >= agents.length - 1)) throw new Error('no full mesh, connections per agent: ' + peers.map((s) => s.peers).join(' '))
  const mesh = at('mesh', `every agent is connected to the ${agents.length - 1} others`)
  return { agents, room, timeline: { ready, discovered, firstMessage, roomSynced, mesh } }
}

/** Count and hash of a member's view of a room (ids, authors, texts, in order). */
export async function viewHash(a: AgentProcess, room: string): Promise<string> {
  const h = await a.call('history', { to: room, limit: 1000 })
  const digest = crypto.createHash('sha256').update(JSON.stringify(h.map((m) => [m.id, m.from, m.text]))).digest('hex')
  return `${h.length}:${digest.slice(0, 16)}`
}

export interface RestartTimeline {
  ready: number
  /** A lists its contact B as online. */
  contactOnline: number
  /** B got a direct message from A. */
  firstMessage: number
}

/**
 * The agents of coldStart() stopped and started again on the same profiles: how soon known
 * contacts are back online and a direct message goes through. Times are ms since spawning.
 */
export async function warmStart(start: () => Promise<AgentProcess[]>, numbers: { a: string; b: string }): Promise<RestartTimeline> {
  const t0 = Date.now()
  const agents = await start()
  const ready = Date.now() - t0
  const [a, b] = agents
  if (a.number !== numbers.a || b.number !== numbers.b) throw new Error('restarted agents are not the same profiles')
  await eventually(
    () => a.call('listContacts'),
    (l) => l.some((x) => x.number === b.number && x.online),
    30_000
  )
  const contactOnline = Date.now() - t0
  await a.call('send', { to: b.number, text: 'back online' })
  await b.waitFor('message', (p) => p.text === 'back online', 30_000)
  return { ready, contactOnline, firstMessage: Date.now() - t0 }
}
