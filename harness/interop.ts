import crypto from 'crypto'
import fs from 'fs'
import path from 'path'
import type { AgentProcess } from './agent'
import { befriend } from './agent-net'
import { eventually } from './eventually'

interface Assert {
  is(a: unknown, b: unknown, message?: string): void
  alike(a: unknown, b: unknown, message?: string): void
  ok(v: unknown, message?: string): void
}

export interface Side {
  agent: AgentProcess
  /** what the test calls it: '2.0', '2.1', ... */
  label: string
}

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')
}

async function fileTo(t: Assert, dir: string, room: string, from: Side, to: Side): Promise<void> {
  const name = `from-${from.label}.bin`
  const src = path.join(dir, name)
  fs.writeFileSync(src, crypto.randomBytes(300 * 1024))
  const sent = await from.agent.call('sendFile', { to: room, path: src })
  await to.agent.waitFor('message', (p) => p.id === sent.id)
  const done = await to.agent.call('downloadFile', { file: sent.file.id, path: path.join(dir, 'got-' + name) })
  t.is(sha256(done.path), sent.file.sha256, `a file from ${from.label}: the exact bytes arrived`)
}

/**
 * What two versions of one major must always do together: `a` adds `b` (unless `friends`: done
 * already), they chat both ways in their direct room, `b` makes a group room that `a` joins, both
 * write in it, and a file goes each way.
 */
export async function chatRoomAndFiles(t: Assert, dir: string, a: Side, b: Side, { friends = false } = {}): Promise<void> {
  if (!friends) await befriend(a.agent, b.agent)
  const one = await a.agent.call('send', { to: b.agent.number, text: `from ${a.label}` })
  t.is((await b.agent.waitFor('message', (p) => p.id === one.id)).text, `from ${a.label}`)
  const two = await b.agent.call('send', { to: a.agent.number, text: `from ${b.label}` })
  t.is((await a.agent.waitFor('message', (p) => p.id === two.id)).text, `from ${b.label}`)
  // The durable ops (each side's own format) apply on both sides.
  for (const x of [a, b]) {
    const h = await eventually(() => x.agent.call('history', { to: one.room }), (h) => h.length === 2, 20_000)
    t.alike(h.map((m) => m.text), [`from ${a.label}`, `from ${b.label}`], `${x.label}: the direct room holds both, in order`)
  }

  const { room, invite } = await b.agent.call('createRoom', { name: 'Mixed' })
  await a.agent.call('joinRoom', { invite })
  await eventually(() => b.agent.call('members', { room }), (m) => m.length === 2, 20_000)
  await a.agent.call('send', { to: room, text: `group from ${a.label}` })
  await b.agent.call('send', { to: room, text: `group from ${b.label}` })
  for (const x of [a, b]) {
    const h = await eventually(() => x.agent.call('history', { to: room }), (h) => h.length === 2, 20_000)
    t.alike(h.map((m) => m.text).sort(), [`group from ${a.label}`, `group from ${b.label}`].sort(), `${x.label}: the group room holds both`)
  }
  const info = await a.agent.call('listRooms')
  t.ok(info.some((r) => r.room === room && r.name === 'Mixed' && r.members === 2), `the room keeps the name the ${b.label} member gave it`)

  await fileTo(t, dir, room, a, b)
  await fileTo(t, dir, room, b, a)
}
