import test from 'brittle'
import b4a from 'b4a'
import c from 'compact-encoding'
import fs from 'fs'
import HyperDHT from 'hyperdht'
import Protomux from 'protomux'
import path from 'path'
import z32 from 'z32'
import { NumberScheme } from '../../lib/identity/number-scheme'
import * as schema from '../../lib/wire/schemas'
import type { AgentProcess } from '../../harness/agent'
import { errorCode } from '../../harness/agent'
import { setup } from '../../harness/agent-net'
import { randomFile, sha256File } from '../../harness/test-files'
import { eventually } from '../../harness/eventually'

const SIZE = Number(process.env.PEERLINE_TEST_FILE_MB ?? 200) * 1024 * 1024

/** A creates a group room and everyone else joins it. */
async function groupRoom(a: AgentProcess, ...others: AgentProcess[]): Promise<string> {
  const { room, invite } = await a.call('createRoom', { name: 'Files' })
  for (const o of others) await o.call('joinRoom', { invite })
  return room
}

test('a large file: receiver killed half way resumes; sender killed half way, a third member serves the rest', async (t) => {
  const { start, dir } = await setup(t)
  const a = await start('a')
  let b: AgentProcess = await start('b')
  const c = await start('c')
  const room = await groupRoom(a, b, c)

  const src = path.join(dir, 'evacuation-map.bin')
  const sha = randomFile(src, SIZE)
  const sent = await a.call('sendFile', { to: room, path: src })
  t.is(sent.file.sha256, sha)
  await b.waitFor('message', (p) => p.id === sent.id)

  // B starts, gets part of it, and is killed without warning; started again, it resumes.
  const downloads = path.join(dir, 'b-downloads')
  b.call('downloadFile', { file: sent.file.id, path: downloads }).catch(() => {})
  await b.waitFor('fileProgress', (p) => p.file === sent.file.id && (p.bytes as number) > SIZE * 0.4, 60_000)
  b.proc.kill('SIGKILL')
  await b.exited
  t.ok(fs.existsSync(path.join(downloads, 'evacuation-map.bin.bits')), 'B left a .bits resume file beside the .part')
  b = await start('b')
  const done = await b.call('downloadFile', { file: sent.file.id, path: downloads })
  t.ok(done.resumed > SIZE * 0.2, `resumed from ${(done.resumed / 2 ** 20).toFixed(0)} MiB already here`)
  t.is(await sha256File(done.path), sha, 'B has the exact bytes')
  t.absent(fs.existsSync(done.path + '.bits') || fs.existsSync(done.path + '.part'), 'no resume state left')

  // With B away, C fetches from A; A is killed part way; B comes back and serves C the rest.
  t.is(await b.stop(), 0)
  await c.waitFor('message', (p) => p.id === sent.id)
  let cDone = false
  const fromC = c.call('downloadFile', { file: sent.file.id, path: path.join(dir, 'c-downloads') })
  fromC.then(() => (cDone = true), () => {})
  await c.waitFor('fileProgress', (p) => p.file === sent.file.id && (p.bytes as number) > SIZE * 0.3, 60_000)
  a.proc.kill('SIGKILL')
  await a.exited
  t.absent(cDone, 'C was not done when the sender died')
  b = await start('b')
  t.is(await sha256File((await fromC).path), sha, 'C has the exact bytes, the rest from B')
})

/** The first notification `method` that matches, among those from index `from` on (waits up to 20 s). */
async function fresh(agent: AgentProcess, from: number, method: string, match: (p: Record<string, unknown>) => boolean): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (agent.notifications.slice(from).some((n) => n.method === method && match(n.params))) return
    await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error('no ' + method)
}

test('small files: hashes match, hostile names, a blocked hash, a corrupted source, pause and cancel', async (t) => {
  const { start, dir } = await setup(t)
  const a = await start('a')
  const b = await start('b')
  const room = await groupRoom(a, b)
  const downloads = path.join(dir, 'downloads')

  t.is(await errorCode(a.call('sendFile', { to: room, path: path.join(dir, 'nope.bin') })), 'FILE_NOT_FOUND')

  // A name with a path, control characters and a terminal escape: only a plain name arrives.
  const hostile = path.join(dir, '..\\..\\evil\u0007\u001b[31mname.txt')
  const smallSha = randomFile(hostile, 3000)
  const small = await a.call('sendFile', { to: room, path: hostile })
  t.is(small.file.name, 'evil[31mname.txt', 'no path, no control characters')
  await b.waitFor('message', (p) => p.id === small.id)
  const got = await b.call('downloadFile', { file: small.file.id, path: downloads })
  t.is(got.path, path.join(downloads, 'evil[31mname.txt'), 'written inside the chosen folder')
  t.is(await sha256File(got.path), smallSha, 'the bytes match')
  await b.waitFor('fileDone', (p) => p.file === small.file.id)

  const empty = path.join(dir, 'empty.txt')
  fs.writeFileSync(empty, '')
  const none = await a.call('sendFile', { to: room, path: empty })
  await b.waitFor('message', (p) => p.id === none.id)
  const gotEmpty = await b.call('downloadFile', { file: none.file.id, path: downloads })
  t.is(fs.statSync(gotEmpty.path).size, 0, 'an empty file arrives empty')

  // Blocked by hash: refused before anything is written.
  await b.call('setBlocklist', { hashes: [smallSha.toUpperCase()] })
  t.is(await errorCode(b.call('downloadFile', { file: small.file.id, path: path.join(dir, 'blocked') })), 'FILE_BLOCKED')
  t.absent(fs.existsSync(path.join(dir, 'blocked')), 'nothing written')
  await b.call('setBlocklist', { hashes: [] })

  // The sender's copy changes on disk after it was announced (same size, same mtime: bit rot).
  const photo = path.join(dir, 'photo.jpg')
  randomFile(photo, 5 * 1024 * 1024 + 17)
  const rotten = await a.call('sendFile', { to: room, path: photo })
  const stat = fs.statSync(photo)
  const fd = fs.openSync(photo, 'r+')
  fs.writeSync(fd, b4a.from('rot'), 0, 3, 3 * 1024 * 1024 + 5)
  fs.closeSync(fd)
  fs.utimesSync(photo, stat.atime, stat.mtime)
  await b.waitFor('message', (p) => p.id === rotten.id)
  const corruptDir = path.join(dir, 'corrupt')
  t.is(await errorCode(b.call('downloadFile', { file: rotten.file.id, path: corruptDir })), 'FILE_CORRUPT')
  await b.waitFor('fileFailed', (p) => p.file === rotten.file.id && p.code === 'FILE_CORRUPT')
  t.alike(fs.readdirSync(corruptDir), [], 'the partial file and its resume state were deleted')

  // Pause, then download again to resume; cancel leaves nothing behind.
  const video = path.join(dir, 'video.bin')
  const videoSha = randomFile(video, 64 * 1024 * 1024)
  const big = await a.call('sendFile', { to: room, path: video })
  await b.waitFor('message', (p) => p.id === big.id)
  const later = path.join(dir, 'later')
  const first = b.call('downloadFile', { file: big.file.id, path: later })
  await b.waitFor('fileProgress', (p) => p.file === big.file.id)
  await b.call('pauseFile', { file: big.file.id })
  t.is(await errorCode(first), 'FILE_PAUSED')
  await b.waitFor('fileFailed', (p) => p.file === big.file.id && p.code === 'FILE_PAUSED')
  const resumed = await b.call('downloadFile', { file: big.file.id, path: later })
  t.ok(resumed.resumed > 0, `resumed from ${resumed.resumed} bytes`)
  t.is(await sha256File(resumed.path), videoSha, 'resumed to the right bytes')

  const cancelDir = path.join(dir, 'cancelled')
  const seen = b.notifications.length
  const second = b.call('downloadFile', { file: big.file.id, path: cancelDir })
  await fresh(b, seen, 'fileProgress', (p) => p.file === big.file.id)
  await b.call('cancelFile', { file: big.file.id })
  t.is(await errorCode(second), 'FILE_CANCELLED')
  t.alike(fs.readdirSync(cancelDir), [], 'no partial file or resume state left')
})

test('a stranger gets no file, and bad frames on the file channel only close that channel', async (t) => {
  const { start, dir, bootstrap } = await setup(t)
  const a = await start('a')
  const b = await start('b')
  const room = await groupRoom(a, b)
  const src = path.join(dir, 'secret.pdf')
  const sha = randomFile(src, 2 * 1024 * 1024)
  const sent = await a.call('sendFile', { to: room, path: src })
  const id = z32.decode(sent.file.id)

  // A real peer with a valid number, in no room of A's: it passes the hello, then asks for the file.
  const dht = new HyperDHT({ bootstrap: bootstrap.split(',').map(hostPort), host: '127.0.0.1', firewalled: false })
  t.teardown(() => dht.destroy())
  const mallory = await stranger(dht, a.publicKey)
  mallory.send('query', c.encode(schema.fileQuery, { id, first: 0 }))
  while (mallory.answers.length === 0) await new Promise((r) => setTimeout(r, 20))
  t.alike(mallory.answers, ['none'], 'asked for the file, the stranger is told A does not have it')
  mallory.send('request', c.encode(schema.fileRequest, { id, index: 0, count: 1 }))
  await mallory.closed
  t.alike(mallory.answers, ['none'], 'a request without a grant got no data')
  // A's log line comes through its stderr, a moment after the close itself.
  const logged = (text: string) => eventually(async () => a.logs.some((l) => l.includes(text)), (v) => v, 5000)
  t.ok(await logged('request for a file it was not granted'), 'A closed the channel, with a reason')

  const junk = await stranger(dht, a.publicKey)
  junk.send('data', b4a.from([0xff, 0xff, 0xff]))
  await junk.closed
  t.ok(await logged('peerline/file/1: closing channel: undecodable frame'), 'a junk frame closed the channel, with a reason')

  // A still serves its members.
  await b.waitFor('message', (p) => p.id === sent.id)
  const got = await b.call('downloadFile', { file: sent.file.id, path: path.join(dir, 'b') })
  t.is(await sha256File(got.path), sha, 'B, a member, gets it')
  t.is(((await a.call('whoami')) as { number: string }).number, a.number, 'A is still running')
})

const MESSAGES = ['query', 'manifest', 'none', 'request', 'data']

/** A raw peer that passes the hello with a real number and opens the file channel by hand. */
async function stranger(dht: HyperDHT, publicKey: string) {
  const keyPair = HyperDHT.keyPair()
  const number = await new NumberScheme().derive(keyPair.publicKey)
  const conn = dht.connect(b4a.from(publicKey, 'hex'), { keyPair })
  conn.on('error', () => {})
  const mux = Protomux.from(conn)
  mux.createChannel({ protocol: schema.HELLO_PROTOCOL, handshake: c.raw })?.open(c.encode(schema.hello, { number, name: 'Mallory', version: schema.PROTOCOL_VERSION }))
  const answers: string[] = []
  let opened = (): void => {}
  let onclose = (): void => {}
  const isOpen = new Promise<void>((resolve) => (opened = resolve))
  const closed = new Promise<void>((resolve) => (onclose = resolve)).then(() => conn.destroy())
  const ch = mux.createChannel({ protocol: schema.FILE_PROTOCOL, handshake: c.raw, onopen: () => opened(), onclose: () => onclose() })
  if (ch === null) throw new Error('no channel')
  const messages = MESSAGES.map((name) => ch.addMessage({ encoding: c.raw, onmessage: () => void answers.push(name) }))
  ch.open(b4a.alloc(0))
  await isOpen
  return { answers, closed, send: (name: string, frame: Buffer) => messages[MESSAGES.indexOf(name)].send(frame) }
}

function hostPort(s: string): { host: string; port: number } {
  const [host, port] = s.split(':')
  return { host, port: Number(port) }
}
