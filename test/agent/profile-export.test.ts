import test from 'brittle'
import crypto from 'crypto'
import fs from 'fs'
import path from 'path'
import { AgentProcess, errorCode } from '../../harness/agent'
import { deadBootstrap, setup } from '../../harness/agent-net'
import { aliceAndBob } from '../../harness/alice-and-bob'
import { eventually } from '../../harness/eventually'

const PASS = 'a long export passphrase'

interface Entry {
  id: string
  from: string
  text: string
  edited: boolean
  deleted: boolean
  reactions: Record<string, string>
  file: { id: string; name: string; size: number; sha256: string } | null
}
interface Summary {
  room: string
  name: string
  kind: string
  members: number
}
interface Contact {
  number: string
  state: string
  room: string | null
}

const shape = (h: Entry[]): string[] => h.map((e) => [e.id, e.from, e.text, e.edited, e.deleted, JSON.stringify(e.reactions), e.file?.sha256 ?? ''].join('|'))

const sha256 = (file: string): string => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')

test('export on A, import on a fresh profile offline: same number, contacts, rooms and history; readable export; A is back online as itself', async (t) => {
  const { start, dir } = await setup(t)
  const a = await start('a')
  const b = await start('b')
  const { hi } = await aliceAndBob(a, b)
  const src = path.join(dir, 'photo.bin')
  fs.writeFileSync(src, crypto.randomBytes(100_000))
  await a.call('sendFile', { to: b.number, path: src })
  const { room: group, invite } = await a.call('createRoom', { name: 'Weekend' })
  await b.call('joinRoom', { invite })
  await eventually(() => a.call('members', { room: group }), (m) => m.length === 2, 20_000)
  const g1 = await b.call('send', { to: group, text: 'in the group' })
  await a.waitFor('message', (p) => p.id === g1.id)
  await a.call('setBlocklist', { hashes: ['ab'.repeat(32)] })

  const direct = await eventually(() => a.call('history', { to: b.number }), (h) => h.length === 3, 20_000)
  // A message notification can come from the live copy, before the op is in the room's history.
  const groupHistory = await eventually(() => a.call('history', { to: group }), (h) => h.some((e) => e.id === g1.id), 20_000)
  t.is(direct.length, 3, 'A has the direct history (two texts and a file)')
  t.ok(groupHistory.some((e) => e.id === g1.id), 'A has the group history')
  const rooms = await a.call('listRooms')
  const contacts = await a.call('listContacts')

  // The encrypted archive, with progress.
  const archive = path.join(dir, 'alice.peerline')
  t.is(await errorCode(a.call('exportProfile', { path: archive, passphrase: 'short' })), 'BAD_REQUEST', 'a passphrase of under 8 characters is refused')
  let began = Date.now()
  const exported = await a.call('exportProfile', { path: archive, passphrase: PASS, files: true })
  t.comment(`export: ${exported.bytes} bytes in ${Date.now() - began} ms`)
  t.is(exported.path, archive)
  t.is(fs.statSync(archive).size, exported.bytes, 'the archive is all there')
  const last = await a.waitFor('exportProgress', (p) => p.done === p.total && (p.total as number) > 0)
  t.ok((last.total as number) > 2, `progress counted ${last.total} records`)
  t.absent(fs.readFileSync(archive).includes(Buffer.from('hi Bob')), 'no message text readable in the archive')

  // The readable export, file by file.
  const readable = path.join(dir, 'readable')
  const r = await a.call('exportReadable', { path: readable })
  t.alike(r, { path: readable, conversations: 2, files: 1 }, 'two conversations, one file')
  t.alike(fs.readdirSync(readable).sort(), ['README.txt', 'conversations', 'profile.json'])
  t.ok(fs.readFileSync(path.join(readable, 'README.txt'), 'utf8').includes('one JSON file per conversation'), 'README explains the layout')
  const profile = JSON.parse(fs.readFileSync(path.join(readable, 'profile.json'), 'utf8'))
  t.is(profile.number, a.number)
  t.is(profile.name, 'Alice')
  t.alike(profile.contacts.map((c: Contact) => c.number), [b.number], 'contacts listed')
  const convFiles = fs.readdirSync(path.join(readable, 'conversations')).filter((f) => f.endsWith('.json'))
  t.is(convFiles.length, 2)
  const convs = convFiles.map((f) => JSON.parse(fs.readFileSync(path.join(readable, 'conversations', f), 'utf8')))
  const d = convs.find((c) => c.kind === 'direct')
  const g = convs.find((c) => c.kind === 'group')
  t.is(d.room, hi.room)
  t.alike(d.messages.map((m: Entry) => m.text), direct.map((e) => e.text), 'direct: every message, in order')
  t.alike(d.messages.map((m: Entry) => m.from), direct.map((e) => e.from), 'direct: senders by number')
  const fileMsg = d.messages.find((m: Entry & { savedAs: string | null }) => m.file !== null)
  t.ok(fileMsg.savedAs, 'the shared file has a place in the export')
  t.is(sha256(path.join(readable, fileMsg.savedAs)), sha256(src), 'the file beside the conversation is the one sent')
  t.is(fileMsg.file.sha256, sha256(src), 'and its announced hash matches')
  t.is(g.name, 'Weekend')
  t.alike(g.messages.map((m: Entry) => m.text), groupHistory.map((e) => e.text), 'group: every message')
  t.is(await errorCode(a.call('exportReadable', { path: readable })), 'BAD_REQUEST', 'an existing export is not overwritten')

  // The old device retires; a fresh one imports with no network at all.
  t.is(await a.stop(), 0)
  const cDir = path.join(dir, 'c')
  let c = await AgentProcess.start({ storage: cDir, bootstrap: await deadBootstrap(), args: ['--no-lan'] })
  t.teardown(() => c.stop())
  const fresh = c.number
  t.not(fresh, a.number)

  t.is(await errorCode(c.call('importProfile', { path: archive, passphrase: 'not the passphrase' })), 'PASSPHRASE_WRONG', 'wrong passphrase')
  const cut = path.join(dir, 'cut.peerline')
  fs.writeFileSync(cut, fs.readFileSync(archive).subarray(0, Math.floor(exported.bytes * 0.7)))
  t.is(await errorCode(c.call('importProfile', { path: cut, passphrase: PASS })), 'ARCHIVE_CORRUPT', 'truncated archive')
  t.is((await c.call('whoami')).number, fresh, 'after both failures the profile is what it was')
  t.alike(await c.call('listContacts'), [], 'no contacts half-imported')
  t.alike(fs.readdirSync(cDir).filter((f) => f.includes('import') || f.includes('replaced')), [], 'no staging left behind')

  began = Date.now()
  const imported = await c.call('importProfile', { path: archive, passphrase: PASS })
  t.comment(`import and restart: ${Date.now() - began} ms`)
  t.is(imported.number, a.number, 'the same number')
  t.is(imported.name, 'Alice', 'the same name')
  const ip = await c.waitFor('importProgress', (p) => p.done === p.total)
  t.is(ip.total, last.total, 'import progress counts the same records')
  t.alike((await c.call('listContacts')).map((x) => [x.number, x.state, x.room]), contacts.map((x) => [x.number, x.state, x.room]), 'the same contacts, same direct room')
  // (listed in storage order after a restart, in creation order before it: compare as sets)
  const roomSet = (l: Summary[]): string[] => l.map((x) => [x.room, x.name, x.kind, x.members].join('|')).sort()
  t.alike(roomSet(await c.call('listRooms')), roomSet(rooms), 'the same rooms')
  t.alike(shape(await c.call('history', { to: b.number })), shape(direct), 'direct history readable, offline')
  t.alike(shape(await c.call('history', { to: group })), shape(groupHistory), 'group history readable, offline')
  t.alike((await c.call('blocklist')).hashes, ['ab'.repeat(32)], 'blocklist')
  t.is(await errorCode(c.call('importProfile', { path: archive, passphrase: PASS })), 'PROFILE_IN_USE', 'a profile with contacts takes no second import')
  // The archive carried the file A had shared: the new device holds it (a readable export finds it).
  const again = path.join(dir, 'readable-c')
  t.is((await c.call('exportReadable', { path: again })).files, 1, 'the carried file is held on the new device')
  const cd = fs.readdirSync(path.join(again, 'conversations')).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(fs.readFileSync(path.join(again, 'conversations', f), 'utf8')))
  const carried = cd.find((x) => x.kind === 'direct').messages.find((m: { savedAs: string | null }) => m.savedAs)
  t.is(sha256(path.join(again, carried.savedAs)), sha256(src), 'with the same bytes')

  // Back online, the new device is A to B: B gets its message from A's number, in the same room.
  t.is(await c.stop(), 0)
  c = await start('c')
  t.is(c.number, a.number)
  const after = await c.call('send', { to: b.number, text: 'from the new device' })
  t.is(after.room, hi.room, 'sent in the existing direct room')
  const got = await b.waitFor('message', (p) => p.id === after.id, 60_000)
  t.is(got.from, a.number, 'B sees it from A')
  t.is(got.room, hi.room)
  t.is((await b.call('listRooms')).filter((x) => x.kind === 'direct').length, 1, 'B still has one chat with A')
})
