import test from 'brittle'
import b4a from 'b4a'
import fs from 'fs'
import path from 'path'
import { coreNet, errorCode } from '../../harness/core-api'
import { randomFile, sha256File } from '../../harness/test-files'

test('two downloads of different files with one name never share a .part', async (t) => {
  const { dir, start } = await coreNet(t)
  const a = await start('a')
  const b = await start('b')
  const { room, invite } = (await a.api.request('createRoom', { name: 'Same names' })) as { room: string; invite: string }
  await b.api.request('joinRoom', { invite })

  fs.mkdirSync(path.join(dir, 'one'))
  fs.mkdirSync(path.join(dir, 'two'))
  const shaOne = randomFile(path.join(dir, 'one', 'report.pdf'), 5 * 1024 * 1024 + 17)
  const shaTwo = randomFile(path.join(dir, 'two', 'report.pdf'), 3 * 1024 * 1024 + 5)
  const one = (await a.api.request('sendFile', { to: room, path: path.join(dir, 'one', 'report.pdf') })) as { id: string; file: { id: string } }
  const two = (await a.api.request('sendFile', { to: room, path: path.join(dir, 'two', 'report.pdf') })) as { id: string; file: { id: string } }
  await b.next('message', (p) => p.id === two.id)

  const folder = path.join(dir, 'downloads')
  const [gotOne, gotTwo] = (await Promise.all([
    b.api.request('downloadFile', { file: one.file.id, path: folder }),
    b.api.request('downloadFile', { file: two.file.id, path: folder })
  ])) as Array<{ path: string }>
  t.not(gotOne.path, gotTwo.path, 'two names: ' + path.basename(gotOne.path) + ', ' + path.basename(gotTwo.path))
  t.alike(fs.readdirSync(folder).sort(), ['report (1).pdf', 'report.pdf'], 'one of them is "report (1).pdf", and no .part is left')
  t.is(await sha256File(gotOne.path), shaOne, 'the first has its own bytes')
  t.is(await sha256File(gotTwo.path), shaTwo, 'the second has its own bytes')
  await b.next('fileDone', (p) => p.file === one.file.id)
  await b.next('fileDone', (p) => p.file === two.file.id)
  t.absent(b.notes.some((n) => n.name === 'fileFailed'), 'neither failed')
})

test('a file changed after it was shared is refused by its sender, not sent', async (t) => {
  const { dir, start } = await coreNet(t)
  const a = await start('a')
  const b = await start('b')
  const { room, invite } = (await a.api.request('createRoom', { name: 'Edits' })) as { room: string; invite: string }
  await b.api.request('joinRoom', { invite })

  const src = path.join(dir, 'draft.txt')
  randomFile(src, 2 * 1024 * 1024 + 99)
  const sent = (await a.api.request('sendFile', { to: room, path: src })) as { id: string; file: { id: string } }
  await b.next('message', (p) => p.id === sent.id)

  // Same size, new bytes: the owner pasted a secret into the shared file after announcing it.
  const secret = b4a.from('SECRET-' + 'k'.repeat(64))
  const fd = fs.openSync(src, 'r+')
  fs.writeSync(fd, secret, 0, secret.byteLength, 1024)
  fs.closeSync(fd)

  const target = path.join(dir, 'b-dl')
  t.is(await errorCode(b.api.request('downloadFile', { file: sent.file.id, path: target })), 'FILE_CORRUPT', 'B is told nobody has it as announced')
  t.ok(a.logs.some((l) => l.includes('changed since it was shared')), 'the sender noticed and answered "none"')
  t.absent(b.logs.some((l) => l.includes('with the wrong bytes')), 'the changed bytes never reached B')
  t.ok(b.logs.some((l) => l.includes('no longer has it as announced')), 'B logged why')
  t.alike(fs.readdirSync(target), [], 'nothing left at B')
})

test('announced sizes and chunk counts over the caps are refused before anything is allocated', async (t) => {
  const { dir, start } = await coreNet(t)
  const a = await start('a')
  const { room } = (await a.api.request('createRoom', { name: 'Huge' })) as { room: string }
  const src = path.join(dir, 'small.bin')
  randomFile(src, 4096)
  const opened = await a.api.core.rooms.open(room)
  const ref = await a.api.core.files.add(src, opened.key)
  const huge = { ...ref, id: b4a.alloc(32, 1), size: 2 ** 52, chunkSize: 1024 }
  t.is(await errorCode(a.api.core.files.download(huge, opened.key, path.join(dir, 'x'))), 'FILE_TOO_LARGE', 'a petabyte in 1 KiB chunks')
  const many = { ...ref, id: b4a.alloc(32, 2), size: 2 ** 40, chunkSize: 1024 * 1024 }
  t.is(await errorCode(a.api.core.files.download(many, opened.key, path.join(dir, 'x'))), 'FILE_TOO_LARGE', 'a million chunks')
  const tiny = { ...ref, id: b4a.alloc(32, 3), chunkSize: 1 }
  t.is(await errorCode(a.api.core.files.download(tiny, opened.key, path.join(dir, 'x'))), 'FILE_TOO_LARGE', 'chunks of one byte')
  t.absent(fs.existsSync(path.join(dir, 'x')), 'nothing written')
})
