import test from 'brittle'
import fs from 'fs'
import path from 'path'
import { isAppPage, isExternalLink, revealable } from '../../app/electron/navigation'

// Electron cannot install here; the window's guards are these decisions, tested as they are.
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

test('"Show in folder" reveals only an existing file, by absolute path', async (t) => {
  const dir = await t.tmp()
  const file = path.join(dir, 'photo.jpg')
  fs.writeFileSync(file, 'jpeg')
  t.is(revealable(file), file, 'a downloaded file')
  t.is(revealable(path.join(dir, '.', 'photo.jpg')), file, 'normalised')
  t.is(revealable(dir), null, 'a folder')
  t.is(revealable(path.join(dir, 'gone.jpg')), null, 'a file that is not there')
  t.is(revealable('photo.jpg'), null, 'a relative path')
  t.is(revealable(file + '\0.txt'), null, 'a NUL byte')
  t.is(revealable(42), null, 'not a string')
  t.is(revealable(''), null, 'empty')
  t.is(revealable('/' + 'a'.repeat(5000)), null, 'absurdly long')
})
