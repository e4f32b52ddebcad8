import test from 'brittle'
import { deepLinkArg, parseDeepLink } from '../../app/electron/deep-link'

// Electron cannot install here: the peerline:// handling is this parser plus a relay to the page.

test('a peerline:// link names a number or a room key', (t) => {
  t.alike(parseDeepLink('peerline://123456789'), { kind: 'number', number: '123456789' })
  t.alike(parseDeepLink('peerline://number/123-456-789/'), { kind: 'number', number: '123456789' })
  t.alike(parseDeepLink('PEERLINE://number/123%20456%20789'), { kind: 'number', number: '123456789' }, 'encoded spaces')
  const key = 'yryyyyyyyyyyyyyyyyyybndrfg8ejkmcpqxot1uwisza345h769'
  t.alike(parseDeepLink('peerline://room/' + key), { kind: 'room', invite: key })
  t.alike(parseDeepLink('peerline://join/' + key + '?utm=x'), { kind: 'room', invite: key }, 'a query is dropped')
})

test('anything else is refused', (t) => {
  t.is(parseDeepLink('peerline://12345678'), null, 'eight digits')
  t.is(parseDeepLink('peerline://number/abc'), null)
  t.is(parseDeepLink('peerline://room/not z32!'), null)
  t.is(parseDeepLink('peerline://room/' + 'y'.repeat(600)), null, 'oversize')
  t.is(parseDeepLink('peerline://call/123456789'), null, 'unknown action')
  t.is(parseDeepLink('https://example.com/123456789'), null, 'another scheme')
  t.is(parseDeepLink('peerline://%E0%A4%A'), null, 'bad escape')
})

test('the link is found among the arguments the OS passes', (t) => {
  t.is(deepLinkArg(['/opt/Peerline/peerline', '--no-sandbox', 'peerline://123456789']), 'peerline://123456789')
  t.is(deepLinkArg(['/opt/Peerline/peerline', '--storage', '/tmp/x']), null)
})
