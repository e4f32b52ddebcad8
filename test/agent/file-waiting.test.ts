import test from 'brittle'
import fs from 'fs'
import path from 'path'
import { befriend, setup } from '../../harness/agent-net'
import { randomFile, sha256File } from '../../harness/test-files'

test('a download whose only source is offline says it is waiting, and finishes by itself when the source returns', async (t) => {
  const { start, dir } = await setup(t)
  const a = await start('a')
  const b = await start('b')
  await befriend(a, b)

  const src = path.join(dir, 'shelter-list.bin')
  const sha = randomFile(src, 2 * 1024 * 1024)
  const sent = await a.call('sendFile', { to: b.number, path: src })
  await b.waitFor('message', (p) => p.id === sent.id)
  await a.stop()

  const downloads = path.join(dir, 'b-downloads')
  let result: { path: string } | null = null
  const pending = b.call('downloadFile', { file: sent.file.id, path: downloads }).then((r) => {
    result = r
    return r
  })
  const waiting = await b.waitFor('fileProgress', (p) => p.file === sent.file.id && p.state === 'waiting', 30_000)
  t.is(waiting.code, 'FILE_UNAVAILABLE', 'B is told nobody online has the file')
  t.ok(typeof waiting.message === 'string' && /Waiting for someone who has/.test(waiting.message as string), String(waiting.message))
  t.is(result, null, 'the download is still open, not failed')

  await start('a')
  const done = await pending
  t.is(await sha256File(done.path), sha, 'once A is back, the download finished by itself, intact')
  t.ok(fs.existsSync(done.path))
  t.ok(
    b.notifications.some((n) => n.method === 'fileProgress' && n.params.file === sent.file.id && n.params.state === 'fetching'),
    'progress said fetching again'
  )
})
