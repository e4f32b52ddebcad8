import test from 'brittle'
import { befriend, setup } from '../../harness/agent-net'
import { chatRoomAndFiles } from '../../harness/interop'

// Mixed versions on one real testnet. PEERLINE_SIMULATE_PROTOCOL makes an agent speak another
// protocol version: it writes that version into its hello and room ops and appends a field this
// version does not know to every message and op it sends (lib/wire/version.ts).
const NEXT_MINOR = { PEERLINE_SIMULATE_PROTOCOL: '2.2' }
const NEXT_MAJOR = { PEERLINE_SIMULATE_PROTOCOL: '3.0' }

test('an agent of the next minor version chats, shares a room and files with a current one', async (t) => {
  const { start, dir } = await setup(t)
  const now = await start('now')
  const next = await start('next', NEXT_MINOR)

  await befriend(now, next)
  // Each side is told, once, that the other speaks another minor version, and keeps talking.
  const toldNow = await now.waitFor('peerVersion', (p) => p.number === next.number)
  t.alike([toldNow.version, toldNow.ours, toldNow.compatibility, toldNow.code], ['2.2', '2.1', 'newer-minor', null])
  t.ok(/newer Peerline; update to see everything/.test(toldNow.message as string), toldNow.message as string)
  const toldNext = await next.waitFor('peerVersion', (p) => p.number === now.number)
  t.alike([toldNext.version, toldNext.compatibility, toldNext.code], ['2.1', 'older-minor', null])

  await chatRoomAndFiles(t, dir, { agent: now, label: '2.1' }, { agent: next, label: '2.2' }, { friends: true })
  t.absent(now.logs.some((l) => /undecodable/.test(l)), 'the current agent refused no frame')
})

test('an agent of the next major version: both sides say who must update, and neither crashes', async (t) => {
  const { start } = await setup(t, { PEERLINE_LOOKUP_TIMEOUT: '8000' })
  const now = await start('now')
  const major = await start('major', NEXT_MAJOR)

  now.call('addContact', { number: major.number }).catch(() => {})
  const told = await now.waitFor('peerVersion', (p) => p.number === major.number)
  t.is(told.code, 'UPGRADE_REQUIRED', 'we must update')
  t.alike([told.version, told.ours, told.compatibility], ['3.0', '2.1', 'newer-major'])
  t.ok(/update Peerline/.test(told.message as string), told.message as string)
  const other = await major.waitFor('peerVersion', (p) => p.number === now.number)
  t.is(other.code, 'PEER_OUTDATED', 'they are told we must update')
  t.ok(/ask them to update/.test(other.message as string), other.message as string)

  // Both are alive and answer; nothing was exchanged beyond the hello.
  t.is((await now.call('whoami')).number, now.number)
  t.is((await major.call('whoami')).number, major.number)
  // Whichever side drops the connection first, each logs what it met.
  t.ok(now.logs.some((l) => /\(protocol 3\.0, ours 2\.1\)/.test(l)), 'logged with both versions')
  const contacts = await major.call('listContacts')
  t.is(contacts.length, 0, 'no contact request crossed the major version')
  t.is(now.notifications.filter((n) => n.method === 'peerVersion').length, 1, 'told once, though the swarm may reconnect')
})
