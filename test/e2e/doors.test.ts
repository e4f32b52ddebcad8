import test from 'brittle'
import fs from 'fs'
import http from 'http'
import net from 'net'
import os from 'os'
import path from 'path'
import { dial } from '../../harness/dial'
import { localTestnet } from '../../harness/testnet'
import { UiInstance } from '../../harness/ui-instance'
import { CHROMIUM, hasChromium } from '../../harness/browser'

/** Sends raw bytes to host:port and answers whatever came back before the socket closed. */
function raw(port: number, bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    let reply = ''
    socket.on('data', (d) => (reply += d.toString()))
    socket.on('error', () => resolve(reply))
    socket.on('close', () => resolve(reply))
    socket.on('connect', () => socket.write(bytes))
    setTimeout(() => socket.destroy(), 2000)
  })
}


test('a malformed request line does not stop the web shell', { timeout: 120_000 }, async (t) => {
  const { testnet, bootstrap } = await localTestnet()
  const shell = new UiInstance('malformed', bootstrap)
  t.teardown(async () => {
    await shell.stop()
    await testnet.destroy()
  })
  await shell.start()
  const { port, host } = new URL(shell.origin)
  for (const line of ['GET //[ HTTP/1.1', 'POST //[ HTTP/1.1', 'GET //[/bridge HTTP/1.1']) {
    const upgrade = line.includes('bridge') ? 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' : ''
    const reply = await raw(Number(port), `${line}\r\nHost: ${host}\r\nOrigin: ${shell.origin}\r\n${upgrade}Content-Length: 0\r\n\r\n`)
    t.ok(/^HTTP\/1\.1 4\d\d/.test(reply), `${line}: answered ${reply.split('\r\n')[0]}`)
  }
  t.ok(shell.running, 'the shell process is still running')
  const page = await fetch(shell.origin + '/')
  t.is(page.status, 200, 'and still serves the app')
})

test('the launch secret is never on a command line; the bridge wants the session cookie', { timeout: 120_000 }, async (t) => {
  if (!hasChromium()) return t.comment('Chromium missing: skipped')
  const { testnet, bootstrap } = await localTestnet()
  // A real Chromium opened by `peerline ui`, headless (no display here): the wrapper only adds flags.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peerline-browser-'))
  const wrapper = path.join(dir, 'chromium')
  fs.writeFileSync(wrapper, `#!/bin/sh\nexec ${CHROMIUM} --headless=new --disable-gpu "$@"\n`, { mode: 0o755 })
  const shell = new UiInstance('launch', bootstrap, { open: true, env: { PEERLINE_BROWSER: wrapper, DISPLAY: ':none' } })
  t.teardown(async () => {
    await shell.stop()
    await testnet.destroy()
    fs.rmSync(dir, { recursive: true, force: true })
  })
  await shell.start()
  await shell.waitForLog('bridge: connected')
  t.pass('the window opened by peerline ui reached the bridge')

  // Every process of this app: the shell and all it started (the browser and its helpers).
  const parent = new Map<number, number>()
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
      parent.set(Number(pid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]))
    } catch {}
  }
  const ours = new Set<number>([shell.pid])
  for (let grew = true; grew; ) {
    grew = false
    for (const [pid, ppid] of parent) if (ours.has(ppid) && !ours.has(pid)) grew = ours.add(pid) !== null
  }
  const lines: string[] = []
  for (const pid of ours) {
    try {
      lines.push(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '))
    } catch {}
  }
  t.ok(ours.size > 3, `read the command lines of ${ours.size} processes`)
  const browser = lines.filter((l) => l.includes('--user-data-dir=' + path.join(shell.storage, 'browser')))
  t.ok(browser.length > 0, 'found the app window in /proc')
  t.absent(lines.some((l) => /token=|nonce=|[0-9a-f]{64}/.test(l)), 'no secret on any command line')
  t.ok(browser.some((l) => l.includes('--app=file://')), 'the window opens a local launch page')
  const launchFile = path.join(shell.storage, 'launch.html')
  t.absent(fs.existsSync(launchFile), 'the launch page is gone once used')

  const host = new URL(shell.origin).host
  t.is(await dial(`ws://${host}/bridge`, { Origin: shell.origin }), '403', 'a forged Origin with no cookie is refused')
  t.is(await dial(`ws://${host}/bridge`, { Origin: shell.origin, Cookie: 'peerline=' + '0'.repeat(64) }), '403', 'a wrong cookie is refused')
})

test('uploads are capped, and a refused or unsent upload leaves nothing in the outbox', { timeout: 120_000 }, async (t) => {
  const { testnet, bootstrap } = await localTestnet()
  const shell = new UiInstance('upload', bootstrap, { env: { PEERLINE_MAX_UPLOAD: String(64 * 1024) } })
  t.teardown(async () => {
    await shell.stop()
    await testnet.destroy()
  })
  await shell.start()
  const Cookie = await shell.sessionCookie()
  const outbox = path.join(shell.storage, 'outbox')
  const headers = { Origin: shell.origin, Cookie }
  const files = (): string[] => (fs.existsSync(outbox) ? fs.readdirSync(outbox) : [])

  const big = await fetch(`${shell.origin}/upload?name=big.bin`, { method: 'POST', body: Buffer.alloc(65 * 1024), headers })
  t.is(big.status, 413, 'over the cap (Content-Length): 413')
  t.ok(((await big.json()) as { error: string }).error.startsWith('That file is too large to send'), 'with a plain sentence')

  // No Content-Length: the cap is counted as the bytes arrive.
  const streamed = await new Promise<number | string>((resolve) => {
    const req = http.request(`${shell.origin}/upload?name=stream.bin`, { method: 'POST', headers }, (res) => resolve(res.statusCode ?? 0))
    req.on('error', (err) => resolve(err.message))
    for (let i = 0; i < 40; i++) req.write(Buffer.alloc(4096))
    req.end()
  })
  t.ok(streamed === 413 || typeof streamed === 'string', `over the cap (streamed): refused (${streamed})`)
  t.alike(files(), [], 'nothing kept of refused uploads')

  const ok = await fetch(`${shell.origin}/upload?name=small.txt`, { method: 'POST', body: 'hello', headers })
  const { path: kept } = (await ok.json()) as { path: string }
  t.is(fs.readFileSync(kept, 'utf8'), 'hello', 'a small upload is kept whole')
  const gone = await fetch(`${shell.origin}/upload?path=${encodeURIComponent(kept)}`, { method: 'DELETE', headers })
  t.is(gone.status, 204, 'the page can discard an upload it could not send')
  t.alike(files(), [], 'and the outbox is empty again')
  const outside = await fetch(`${shell.origin}/upload?path=${encodeURIComponent(path.join(shell.storage, 'x', 'y'))}`, { method: 'DELETE', headers })
  t.is(outside.status, 404, 'nothing outside the outbox can be discarded')
})

/** A client-to-server WebSocket text frame (masked, as the protocol wants; a zero mask keeps it readable). */
function frame(text: string): Buffer {
  const payload = Buffer.from(text)
  const head = payload.byteLength < 126 ? Buffer.from([0x81, 0x80 | payload.byteLength]) : payload.byteLength < 65536 ? Buffer.from([0x81, 0x80 | 126, payload.byteLength >> 8, payload.byteLength & 0xff]) : null
  if (head === null) throw new Error('frame too large for this test')
  return Buffer.concat([head, Buffer.alloc(4), payload])
}

test('a bridge client that stops reading is disconnected, and the shell stays up', { timeout: 120_000 }, async (t) => {
  const { testnet, bootstrap } = await localTestnet()
  const shell = new UiInstance('unread', bootstrap)
  t.teardown(async () => {
    await shell.stop()
    await testnet.destroy()
  })
  await shell.start()
  const cookie = await shell.sessionCookie()
  const { port, host } = new URL(shell.origin)
  const socket = net.connect(Number(port), '127.0.0.1')
  await new Promise((resolve) => socket.once('connect', resolve))
  const closed = new Promise((resolve) => socket.once('close', resolve))
  socket.on('error', () => {})
  socket.write(`GET /bridge HTTP/1.1\r\nHost: ${host}\r\nOrigin: ${shell.origin}\r\nCookie: ${cookie}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`)
  // Never read: every answer (each echoes its 10 KB method name) piles up on the shell's side.
  socket.pause()
  const name = 'x'.repeat(10_000)
  for (let i = 0; i < 4000 && !socket.destroyed; i++) {
    if (!socket.write(frame(JSON.stringify({ jsonrpc: '2.0', id: i, method: name + i })))) await new Promise((resolve) => socket.once('drain', resolve).once('close', resolve))
  }
  await shell.waitForLog('bridge: disconnected a client that stopped reading')
  t.pass('the shell let the client go, with a logged reason')
  socket.destroy()
  await closed
  t.ok(shell.running, 'the shell is still running')
  t.is((await fetch(shell.origin + '/')).status, 200, 'and serving')
})
