import test from 'brittle'
import http from 'http'
import type { AddressInfo } from 'net'
import WebSocket from 'ws'
import { localTestnet } from '../helpers/testnet'
import { UiInstance } from '../helpers/ui-instance'
import { hasChromium, launchChromium } from '../helpers/browser'

/** Opens the bridge with these headers; answers 'open' or the HTTP status it was refused with. */
function dial(url: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers })
    ws.on('open', () => {
      ws.close()
      resolve('open')
    })
    ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)))
    ws.on('error', (err) => resolve('error: ' + err.message))
  })
}

test('the bridge takes only our token from our origin and host', { timeout: 120_000 }, async (t) => {
  const { testnet, bootstrap } = await localTestnet()
  const shell = new UiInstance('bridge', bootstrap)
  t.teardown(async () => {
    await shell.stop()
    await testnet.destroy()
  })
  await shell.start()
  const host = new URL(shell.origin).host
  const bridge = `ws://${host}/bridge`
  const origin = shell.origin

  t.is(await dial(`${bridge}?token=${shell.token}`, { Origin: origin }), 'open', 'token + our origin: accepted')
  t.is(await dial(bridge, { Origin: origin }), '403', 'no token: refused')
  t.is(await dial(`${bridge}?token=${'0'.repeat(64)}`, { Origin: origin }), '403', 'wrong token: refused')
  t.is(await dial(`${bridge}?token=${shell.token}`, { Origin: 'http://evil.example' }), '403', 'foreign origin: refused')
  t.is(await dial(`${bridge}?token=${shell.token}`, {}), '403', 'no origin: refused')
  t.is(await dial(`${bridge}?token=${shell.token}`, { Origin: origin, Host: `localhost:${new URL(origin).port}` }), '403', 'another Host name (DNS rebinding): refused')

  const upload = await fetch(`${origin}/upload?name=x.txt`, { method: 'POST', body: 'hi', headers: { Origin: origin } })
  t.is(upload.status, 403, 'an upload without the token is refused')
  const traversal = await fetch(`${origin}/..%2fpackage.json`)
  t.is(traversal.status, 404, 'only the renderer files are served')
  t.ok(shell.log.includes('bridge: refused'), 'refusals are logged with a reason')

  // A real page on another origin, holding the right token, still cannot open the bridge.
  if (!hasChromium()) return t.comment('Chromium missing: skipped the foreign-page check')
  const evil = http.createServer((_req, res) => res.end('<!doctype html><title>elsewhere</title>'))
  await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve))
  const browser = await launchChromium()
  try {
    const page = await browser.newPage()
    await page.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`)
    // As a string: this runs in the page, with the browser's WebSocket.
    const outcome = await page.evaluate(`new Promise((resolve) => {
      const ws = new WebSocket(${JSON.stringify(`${bridge}?token=${shell.token}`)})
      ws.onopen = () => resolve('open')
      ws.onerror = () => resolve('refused')
    })`)
    t.is(outcome, 'refused', 'a page from another origin is refused even with the token')
  } finally {
    await browser.close()
    evil.close()
  }
})
