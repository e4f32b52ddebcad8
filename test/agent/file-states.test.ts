import test from 'brittle'
import fs from 'fs'
import path from 'path'
import type { AgentProcess } from '../../harness/agent'
import { befriend, setup } from '../../harness/agent-net'
import { randomFile } from '../../harness/test-files'


/** A real 1x1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64')
const SIZE = 64 * 1024 * 1024

test('file states survive a restart (done with its path, paused with how much is here); previews only for real images that are here', { timeout: 180_000 }, async (t) => {
  const { start, dir } = await setup(t)
  const a = await start('a')
  let b: AgentProcess = await start('b')
  await befriend(a, b)

  const photo = path.join(dir, 'photo.png')
  fs.writeFileSync(photo, PNG)
  const fake = path.join(dir, 'not-a-photo.png')
  fs.writeFileSync(fake, 'plain text with an image name')
  const big = path.join(dir, 'map.bin')
  randomFile(big, SIZE)
  const sentPhoto = await a.call('sendFile', { to: b.number, path: photo })
  const sentFake = await a.call('sendFile', { to: b.number, path: fake })
  const sentBig = await a.call('sendFile', { to: b.number, path: big })
  for (const s of [sentPhoto, sentFake, sentBig]) await b.waitFor('message', (p) => p.id === s.id, 30_000)

  const before = await b.call('filePreview', { file: sentPhoto.file.id })
  t.is(before.mime, null, 'no preview before the image is here')
  const downloads = path.join(dir, 'b-downloads')
  await b.call('downloadFile', { file: sentPhoto.file.id, path: downloads })
  await b.call('downloadFile', { file: sentFake.file.id, path: downloads })
  const first = b.call('downloadFile', { file: sentBig.file.id, path: downloads })
  await b.waitFor('fileProgress', (p) => p.file === sentBig.file.id && (p.bytes as number) > 0, 60_000)
  await b.call('pauseFile', { file: sentBig.file.id })
  await first.catch(() => {})

  const preview = await b.call('filePreview', { file: sentPhoto.file.id })
  t.is(preview.mime, 'image/png', 'a downloaded PNG previews as image/png')
  t.ok(Buffer.from(preview.data, 'base64').equals(PNG), 'with exactly its bytes')
  t.is((await b.call('filePreview', { file: sentFake.file.id })).mime, null, 'a text file named .png is not previewed')
  t.is((await a.call('filePreview', { file: sentPhoto.file.id })).mime, 'image/png', 'the sender previews what they sent')

  t.is(await b.stop(), 0)
  b = await start('b')
  const states = await b.call('fileStates')
  const photoState = states.find((s) => s.file === sentPhoto.file.id)
  t.ok(photoState?.complete, 'after a restart the photo is still known as downloaded')
  t.is(photoState?.path, path.join(downloads, 'photo.png'), 'with where it was saved')
  const bigState = states.find((s) => s.file === sentBig.file.id)
  t.ok(bigState && !bigState.complete && !bigState.active, 'the paused download is known as unfinished')
  t.ok(bigState && bigState.bytes > 0 && bigState.bytes < SIZE && bigState.total === SIZE, `with how much is here (${bigState?.bytes} of ${SIZE})`)
  t.is((await b.call('filePreview', { file: sentPhoto.file.id })).mime, 'image/png', 'and the preview still works')
})
