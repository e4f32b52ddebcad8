import test from 'brittle'
import fs from 'fs'
import path from 'path'
import z32 from 'z32'
import { pathInFolder, sanitizeFileName } from '../../lib/files/file-name'
import { coreNet, errorCode } from '../../harness/core-api'
import { eventually } from '../../harness/eventually'
import { randomFile, sha256File } from '../../harness/test-files'

test('file names from peers are made safe', (t) => {
  t.is(sanitizeFileName('../../etc/passwd'), 'passwd')
  t.is(sanitizeFileName('..\\..\\boot.ini'), 'boot.ini')
  t.is(sanitizeFileName('a\u0000b\u0007c\nd.txt'), 'abcd.txt')
  t.is(sanitizeFileName('...'), 'file')
  t.is(sanitizeFileName('.hidden'), 'hidden')
  t.is(sanitizeFileName('x'.repeat(500)).length, 200)
  t.is(pathInFolder('/tmp/dl', '../../x'), path.resolve('/tmp/dl/x'))
})

test('a file sent into a room is downloaded, verified, blocked, paused, resumed and cancelled', async (t) => {
  const { dir, start } = await coreNet(t)
  const a = await start('a')
  const b = await start('b')
  const { room, invite } = (await a.api.request('createRoom', { name: 'Files' })) as { room: string; invite: string }
  await b.api.request('joinRoom', { invite })

  t.is(await errorCode(a.api.request('sendFile', { to: room, path: path.join(dir, 'missing.bin') })), 'FILE_NOT_FOUND')

  const src = path.join(dir, 'photo of the shelter.jpg')
  const sha = randomFile(src, 6 * 1024 * 1024 + 123)
  const sent = (await a.api.request('sendFile', { to: room, path: src })) as { id: string; file: { id: string; name: string; size: number; sha256: string } }
  t.is(sent.file.sha256, sha, 'the announcement carries the SHA-256')
  t.is(sent.file.name, 'photo of the shelter.jpg')
  const announced = await b.next('message', (p) => p.id === sent.id)
  t.alike(announced.file, sent.file, 'the message has the attachment')

  const downloads = path.join(dir, 'downloads')
  const done = (await b.api.request('downloadFile', { file: sent.file.id, path: downloads })) as { path: string }
  t.is(path.dirname(done.path), path.resolve(downloads), 'written inside the chosen folder')
  t.is(await sha256File(done.path), sha, 'the bytes match')
  const progress = b.notes.filter((n) => n.name === 'fileProgress' && n.params.file === sent.file.id)
  t.ok(progress.length >= 1 && progress.at(-1)?.params.bytes === sent.file.size, `progress reported (${progress.length} events)`)
  await b.next('fileDone', (p) => p.file === sent.file.id)

  // C joins later and fetches with two members online who have it: requests go to both.
  const c = await start('c')
  await c.api.request('joinRoom', { invite })
  await c.next('message', (p) => p.id === sent.id)
  const fromTwo = (await c.api.request('downloadFile', { file: sent.file.id, path: path.join(dir, 'c') })) as { path: string }
  t.is(await sha256File(fromTwo.path), sha, 'the bytes match, from two sources')

  // Blocked by hash: refused before anything is written.
  await b.api.request('setBlocklist', { hashes: [sha] })
  t.is(await errorCode(b.api.request('downloadFile', { file: sent.file.id, path: path.join(dir, 'blocked') })), 'FILE_BLOCKED')
  t.absent(fs.existsSync(path.join(dir, 'blocked', 'photo of the shelter.jpg')))
  await b.api.request('setBlocklist', { hashes: [] })

  // Pause, then resume by downloading again; cancel leaves nothing behind.
  const big = path.join(dir, 'video.bin')
  const bigSha = randomFile(big, 24 * 1024 * 1024)
  const bigSent = (await a.api.request('sendFile', { to: room, path: big })) as { id: string; file: { id: string } }
  await b.next('message', (p) => p.id === bigSent.id)
  const target = path.join(dir, 'later')
  const first = b.api.request('downloadFile', { file: bigSent.file.id, path: target })
  await b.next('fileProgress', (p) => p.file === bigSent.file.id)
  await b.api.request('pauseFile', { file: bigSent.file.id })
  t.is(await errorCode(first), 'FILE_PAUSED')
  const resumed = (await b.api.request('downloadFile', { file: bigSent.file.id, path: target })) as { path: string }
  t.is(await sha256File(resumed.path), bigSha, 'resumed to the right bytes')
  const bigFromTwo = (await c.api.request('downloadFile', { file: bigSent.file.id, path: path.join(dir, 'c') })) as { path: string }
  t.is(await sha256File(bigFromTwo.path), bigSha, 'C gets it from A and B at once')

  const other = path.join(dir, 'other.bin')
  randomFile(other, 24 * 1024 * 1024)
  const otherSent = (await a.api.request('sendFile', { to: room, path: other })) as { id: string; file: { id: string } }
  await b.next('message', (p) => p.id === otherSent.id)
  const c2 = b.api.request('downloadFile', { file: otherSent.file.id, path: path.join(dir, 'cancelled') })
  await b.next('fileProgress', (p) => p.file === otherSent.file.id)
  await b.api.request('cancelFile', { file: otherSent.file.id })
  t.is(await errorCode(c2), 'FILE_CANCELLED')
  t.absent(fs.existsSync(path.join(dir, 'cancelled', 'other.bin.part')), 'no partial file left')
  await b.next('fileFailed', (p) => p.file === otherSent.file.id && p.code === 'FILE_CANCELLED')

  // An announcement whose SHA-256 does not match the bytes: reported, and the partial file deleted.
  const found = await b.api.core.rooms.findFile(z32.decode(sent.file.id))
  if (found === null) throw new Error('no ref')
  const lying = { ...found.ref, sha256: '0'.repeat(64) }
  t.is(await errorCode(b.api.core.files.download(lying, found.room, path.join(dir, 'corrupt'))), 'FILE_CORRUPT')
  t.is(fs.readdirSync(path.join(dir, 'corrupt')).length, 0, 'nothing left in the folder')
})

test('a crafted announcement: its hostile name is made safe; a member of another room who re-announces the file gets nothing', async (t) => {
  const { dir, start } = await coreNet(t)
  const a = await start('a')
  const b = await start('b')
  const m = await start('m')
  const here = (await a.api.request('createRoom', { name: 'Here' })) as { room: string; invite: string }
  await b.api.request('joinRoom', { invite: here.invite })
  const other = (await a.api.request('createRoom', { name: 'Other' })) as { room: string; invite: string }
  await m.api.request('joinRoom', { invite: other.invite })

  // A peer that skips its own sanitising: the name has a path, a NUL and a terminal escape.
  const src = path.join(dir, 'notes.txt')
  const sha = randomFile(src, 100_000)
  const room = await a.api.core.rooms.open(here.room)
  const ref = await a.api.core.files.add(src, room.key)
  const { id } = await room.sendFile({ ...ref, name: '../../../etc/cron.d/evil\u0000\u001b]0;x\u0007.sh' })
  const note = await b.next('message', (p) => p.id === id)
  t.is((note.file as { name: string }).name, 'evil]0;x.sh', 'clients are shown a safe name')
  const file = z32.encode(ref.id)
  const got = (await b.api.request('downloadFile', { file, path: path.join(dir, 'b-dl') })) as { path: string }
  t.is(got.path, path.join(dir, 'b-dl', 'evil]0;x.sh'), 'written inside the chosen folder, under the safe name')
  t.is(await sha256File(got.path), sha)

  // M shares a room with A, not this one; it announces the same file id in its own room and asks.
  await (await m.api.core.rooms.open(other.room)).sendFile(ref)
  const stolen = m.api.request('downloadFile', { file, path: path.join(dir, 'm-dl') })
  const refused = await eventually(async () => a.logs.some((l) => l.includes('refused notes.txt')), (v) => v, 20_000)
  t.ok(refused, 'A refused it: M is not a member of the room the file was announced in')
  await m.api.request('pauseFile', { file })
  t.is(await errorCode(stolen), 'FILE_PAUSED')
  t.is(fs.statSync(path.join(dir, 'm-dl', 'notes.txt.part')).size, 0, 'M got not a byte')
})
