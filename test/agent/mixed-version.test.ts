import test from 'brittle'
import fs from 'fs'
import path from 'path'
import crypto from 'crypto'
import { befriend, setup } from '../../harness/agent-net'
import { eventually } from '../../harness/eventually'
import type { AgentProcess } from '../../harness/agent'

// Mixed versions on one real testnet. PEERLINE_SIMULATE_PROTOCOL makes an agent speak another
// protocol version: it writes that version into its hello and room ops and appends a field this
// version does not know to every message and op it sends (lib/wire/version.ts).
const NEXT_MINOR = { PEERLINE_SIMULATE_PROTOCOL: '2.1' }
const NEXT_MAJOR = { PEERLINE_SIMULATE_PROTOCOL: '3.0' }

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')
}

async function fileBothWays(t: Parameters<Parameters<typeof test>[1]>[0], dir: string, room: string, from: AgentProcess, to: AgentProcess, name: string): Promise<void> {
  const src = path.join(dir, name)
  fs.writeFileSync(src, crypto.randomBytes(300 * 1024))
  const sent = await from.call('sendFile', { to: room, path: src })
  await to.waitFor('message', (p) => p.id === sent.id)
  const done = await to.call('downloadFile', { file: sent.file.id, path: path.join(dir, 'got-' + name) })
  t.is(sha256(done.path), sent.file.sha256, `${name}: the exact bytes arrived`)
}

test('an agent of the next minor version chats, shares a room and files with a current one', async (t) => {
  const { start, dir } = await setup(t)
  const now = await start('now')
  const next = await start('next', NEXT_MINOR)

  await befriend(now, next)
  // Each side is told, once, that the other speaks another minor version, and keeps talking.
  const toldNow = await now.waitFor('peerVersion', (p) => p.number === next.number)
  t.alike([toldNow.version, toldNow.ours, toldNow.compatibility, toldNow.code], ['2.1', '2.0', 'newer-minor', null])
  t.ok(/newer Peerline; update to see everything/.test(toldNow.message as string), toldNow.message as string)
  const toldNext = await next.waitFor('peerVersion', (p) => p.number === now.number)
  t.alike([toldNext.version, toldNext.compatibility, toldNext.code], ['2.0', 'older-minor', null])

  const a = await now.call('send', { to: next.number, text: 'from 2.0' })
  t.is((await next.waitFor('message', (p) => p.id === a.id)).text, 'from 2.0')
  const b = await next.call('send', { to: now.number, text: 'from 2.1' })
  t.is((await now.waitFor('message', (p) => p.id === b.id)).text, 'from 2.1')
  // The durable ops (2.1 ops carry a field 2.0 does not know) apply on both sides.
  for (const x of [now, next]) {
    const h = await eventually(() => x.call('history', { to: a.room }), (h) => h.length === 2, 20_000)
    t.alike(h.map((m) => m.text), ['from 2.0', 'from 2.1'], 'the direct room holds both, in order')
  }

  // A group room made by the next version, joined by the current one.
  const { room, invite } = await next.call('createRoom', { name: 'Mixed' })
  await now.call('joinRoom', { invite })
  await eventually(() => next.call('members', { room }), (m) => m.length === 2, 20_000)
  await now.call('send', { to: room, text: 'group from 2.0' })
  await next.call('send', { to: room, text: 'group from 2.1' })
  for (const x of [now, next]) {
    const h = await eventually(() => x.call('history', { to: room }), (h) => h.length === 2, 20_000)
    t.alike(h.map((m) => m.text).sort(), ['group from 2.0', 'group from 2.1'])
  }
  const info = await now.call('listRooms')
  t.ok(info.some((r) => r.room === room && r.name === 'Mixed' && r.members === 2), 'the room keeps the name the 2.1 member gave it')

  await fileBothWays(t, dir, room, now, next, 'from-2.0.bin')
  await fileBothWays(t, dir, room, next, now, 'from-2.1.bin')
  t.absent(now.logs.some((l) => /undecodable/.test(l)), 'the current agent refused no frame')
})

test('an agent of the next major version: both sides say who must update, and neither crashes', async (t) => {
  const { start } = await setup(t, { PEERLINE_LOOKUP_TIMEOUT: '8000' })
  const now = await start('now')
  const major = await start('major', NEXT_MAJOR)

  now.call('addContact', { number: major.number }).catch(() => {})
  const told = await now.waitFor('peerVersion', (p) => p.number === major.number)
  t.is(told.code, 'UPGRADE_REQUIRED', 'we must update')
  t.alike([told.version, told.ours, told.compatibility], ['3.0', '2.0', 'newer-major'])
  t.ok(/update Peerline/.test(told.message as string), told.message as string)
  const other = await major.waitFor('peerVersion', (p) => p.number === now.number)
  t.is(other.code, 'PEER_OUTDATED', 'they are told we must update')
  t.ok(/ask them to update/.test(other.message as string), other.message as string)

  // Both are alive and answer; nothing was exchanged beyond the hello.
  t.is((await now.call('whoami')).number, now.number)
  t.is((await major.call('whoami')).number, major.number)
  // Whichever side drops the connection first, each logs what it met.
  t.ok(now.logs.some((l) => /\(protocol 3\.0, ours 2\.0\)/.test(l)), 'logged with both versions')
  const contacts = await major.call('listContacts')
  t.is(contacts.length, 0, 'no contact request crossed the major version')
  t.is(now.notifications.filter((n) => n.method === 'peerVersion').length, 1, 'told once, though the swarm may reconnect')
})
