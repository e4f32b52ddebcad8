import test from 'brittle'
import { isAppPage, isExternalLink } from '../../app/electron/navigation'

// Electron cannot install here; the window's guards are these two decisions, tested as they are.
const APP = 'file:///opt/peerline/dist/ui/index.html'

test('the Electron window may show only our renderer page', (t) => {
  t.ok(isAppPage(APP, APP), 'our page')
  t.ok(isAppPage(APP + '#room=abc', APP), 'our page with a fragment')
  t.absent(isAppPage('file:///etc/passwd', APP), 'another local file')
  t.absent(isAppPage('file:///opt/peerline/dist/ui/index.html?x=1', APP), 'our page with a query')
  t.absent(isAppPage('https://example.com/', APP), 'a web page')
  t.absent(isAppPage('http://127.0.0.1:8080/dist/ui/index.html', APP), 'a local server')
  t.absent(isAppPage('javascript:alert(1)', APP), 'javascript:')
  t.absent(isAppPage('not a url', APP), 'garbage')
})

test('only https links leave for the system browser', (t) => {
  t.ok(isExternalLink('https://example.com/x'), 'https')
  t.absent(isExternalLink('http://example.com/'), 'http')
  t.absent(isExternalLink('file:///etc/passwd'), 'file')
  t.absent(isExternalLink('smb://host/share'), 'custom scheme')
  t.absent(isExternalLink('javascript:alert(1)'), 'javascript')
})
