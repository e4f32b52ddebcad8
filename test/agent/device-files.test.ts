import test from 'brittle'
import path from 'path'
import { setup } from '../../harness/agent-net'
import { linkedDevice } from '../../harness/linked-device'
import { randomFile, sha256File } from '../../harness/test-files'

// B has two connections that speak for A: A's own and A2's (a linked device). Only A2 holds the
// file. A restarts after A2 is connected, so A's connection is B's newest for that person: B must
// still fetch from A2, and A's "I do not have it" must not end the download.
test('a file sent from linked device A2 while A is online too: B downloads it whole (from A2)', { timeout: 240_000 }, async (t) => {
  const { start, dir } = await setup(t)
  const devices = await linkedDevice(start)
  const { a2, b } = devices
  let a = devices.a

  // A comes back after A2: its connection to B is the newer one of the person A.
  t.is(await a.stop(), 0)
  a = await start('a')
  const back = await a.call('send', { to: b.number, text: 'A is back' })
  await b.waitFor('message', (p) => p.id === back.id, 90_000)

  const src = path.join(dir, 'from-the-laptop.bin')
  const sha = randomFile(src, 3 * 1024 * 1024 + 17)
  const sent = await a2.call('sendFile', { to: b.number, path: src })
  await b.waitFor('message', (p) => p.id === sent.id, 90_000)
  const fetching = b.call('downloadFile', { file: sent.file.id, path: path.join(dir, 'b-downloads') })
  // Before: B asked only A (its newest connection for the person), which has no copy, and waited.
  // (It says 'waiting' after 8 s with no source; once that window passed, only the download counts.)
  const waiting = b.waitFor('fileProgress', (p) => p.file === sent.file.id && p.state === 'waiting', 20_000).then(
    () => null,
    () => new Promise<never>(() => {})
  )
  const done = await Promise.race([fetching, waiting])
  if (done === null) return t.fail('B waits for someone who has the file, with A2 connected')
  t.is(await sha256File(done.path), sha, 'B has the exact bytes, from A2')
})
