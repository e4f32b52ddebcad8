import test from 'brittle'
import path from 'path'
import type { AgentProcess } from '../helpers/agent'
import { setup } from '../helpers/agent-net'
import { randomFile, sha256File } from '../helpers/test-files'

const SIZE = Number(process.env.PEERLINE_TEST_FILE_MB ?? 200) * 1024 * 1024

interface Sent {
  id: string
  file: { id: string; size: number; sha256: string }
}

test('a large file: receiver killed half way resumes; with the sender gone, a third member serves it', async (t) => {
  const { start, dir } = await setup(t)
  const a = await start('a')
  let b: AgentProcess = await start('b')
  const c = await start('c')
  const { room, invite } = await a.call<{ room: string; invite: string }>('createRoom', { name: 'Big files' })
  await b.call('joinRoom', { invite })
  await c.call('joinRoom', { invite })

  const src = path.join(dir, 'evacuation-map.bin')
  const sha = randomFile(src, SIZE)
  const sent = await a.call<Sent>('sendFile', { to: room, path: src })
  t.is(sent.file.sha256, sha)
  await b.waitFor('message', (p) => p.id === sent.id)

  // B starts, gets part of it, and is killed without warning.
  const downloads = path.join(dir, 'b-downloads')
  b.call('downloadFile', { file: sent.file.id, path: downloads }).catch(() => {})
  await b.waitFor('fileProgress', (p) => p.file === sent.file.id && (p.bytes as number) > SIZE * 0.3, 60_000)
  b.proc.kill('SIGKILL')
  await b.exited

  b = await start('b')
  const done = await b.call<{ path: string; resumed: number }>('downloadFile', { file: sent.file.id, path: downloads })
  t.ok(done.resumed > SIZE * 0.2, `resumed from ${(done.resumed / 2 ** 20).toFixed(0)} MiB already here`)
  t.is(await sha256File(done.path), sha, 'B has the exact bytes')

  // The sender goes away; C gets the whole file from B.
  t.is(await a.stop(), 0)
  const fromB = await c.call<{ path: string }>('downloadFile', { file: sent.file.id, path: path.join(dir, 'c-downloads') })
  t.is(await sha256File(fromB.path), sha, 'C has the exact bytes, from B')
})
