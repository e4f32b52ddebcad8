import test from 'brittle'
import http from 'http'
import type { AddressInfo } from 'net'
import { dial } from '../../harness/dial'
import { localTestnet } from '../../harness/testnet'
import { UiInstance } from '../../harness/ui-instance'
import { hasChromium, launchChromium } from '../../harness/browser'


test('the bridge takes only our session cookie from our origin and host', { timeout: 120_000 }, async (t) => {
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
  const Cookie = await shell.sessionCookie()
  t.ok(/^peerline=[0-9a-f]{64}$/.test(Cookie), 'the launch address sets the session cookie')
  const again = await fetch(shell.url, { redirect: 'manual' })
  t.is(again.status, 403, 'the launch address works once')

  t.is(await dial(bridge, { Origin: origin, Cookie }), 'open', 'cookie + our origin: accepted')
  t.is(await dial(bridge, { Origin: origin }), '403', 'no cookie: refused')
  t.is(await dial(`${bridge}?token=${Cookie.split('=')[1]}`, { Origin: origin }), '403', 'the secret in the query does not count')
  t.is(await dial(bridge, { Origin: origin, Cookie: 'peerline=' + '0'.repeat(64) }), '403', 'wrong cookie: refused')
  t.is(await dial(bridge, { Origin: 'http://evil.example', Cookie }), '403', 'foreign origin: refused')
  t.is(await dial(bridge, { Cookie }), '403', 'no origin: refused')
  t.is(await dial(bridge, { Origin: origin, Cookie, Host: `localhost:${new URL(origin).port}` }), '403', 'another Host name (DNS rebinding): refused')

  const upload = await fetch(`${origin}/upload?name=x.txt`, { method: 'POST', body: 'hi', headers: { Origin: origin } })
  t.is(upload.status, 403, 'an upload without the cookie is refused')
  const traversal = await fetch(`${origin}/..%2fpackage.json`)
  t.is(traversal.status, 404, 'only the renderer files are served')
  t.ok(shell.log.includes('bridge: refused'), 'refusals are logged with a reason')

  // A real page on another origin still cannot open the bridge, even with the secret in the query.
  if (!hasChromium()) return t.comment('Chromium missing: skipped the foreign-page check')
  const evil = http.createServer((_req, res) => res.end('<!doctype html><title>elsewhere</title>'))
  await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve))
  const browser = await launchChromium()
  try {
    const page = await browser.newPage()
    await page.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`)
    // As a string: this runs in the page, with the browser's WebSocket.
    const outcome = await page.evaluate(`new Promise((resolve) => {
      const ws = new WebSocket(${JSON.stringify(`${bridge}?token=${Cookie.split('=')[1]}`)})
      ws.onopen = () => resolve('open')
      ws.onerror = () => resolve('refused')
    })`)
    t.is(outcome, 'refused', 'a page from another origin is refused even with the token')
  } finally {
    await browser.close()
    evil.close()
  }
})
