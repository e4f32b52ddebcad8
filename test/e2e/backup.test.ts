import test from 'brittle'
import fs from 'fs'
import os from 'os'
import path from 'path'
import { hasChromium, launchChromium } from '../../harness/browser'
import { localTestnet } from '../../harness/testnet'
import { UiInstance } from '../../harness/ui-instance'
import { firstRun, openPage, screenshot } from '../../harness/ui-page'

const WAIT = { timeout: 60_000 }
const PASS = 'our export passphrase'

test('Settings: export an encrypted archive and a readable copy with a progress bar, and import it into a new profile', { skip: !hasChromium(), timeout: 240_000 }, async (t) => {
  const { testnet, bootstrap } = await localTestnet()
  // Each instance's home (and so its Downloads folder) is a temp folder of its own.
  const homes = [fs.mkdtempSync(path.join(os.tmpdir(), 'peerline-home-a-')), fs.mkdtempSync(path.join(os.tmpdir(), 'peerline-home-b-'))]
  const alice = new UiInstance('alice', bootstrap, { env: { HOME: homes[0] } })
  const fresh = new UiInstance('fresh', bootstrap, { env: { HOME: homes[1] } })
  const browser = await launchChromium()
  t.teardown(async () => {
    await browser.close()
    await Promise.all([alice.stop(), fresh.stop()])
    await testnet.destroy()
    for (const home of homes) fs.rmSync(home, { recursive: true, force: true })
  })
  await Promise.all([alice.start(), fresh.start()])

  const page = await openPage(browser, alice.url)
  const number = await firstRun(page, 'Alice')
  await page.click('button[aria-label=Settings]')
  await page.fill('#export-passphrase', PASS)
  await page.check('#export-files')
  await page.click('#export-button')
  const status = page.locator('.backup-status')
  await status.locator('text=Saved').waitFor(WAIT)
  const bar = page.locator('.backup progress')
  t.ok(await bar.isVisible(), 'the progress bar shows')
  t.is(await bar.getAttribute('value'), await bar.getAttribute('max'), 'and is full at the end')
  await status.scrollIntoViewIfNeeded()
  await screenshot(page, 'settings-export')
  const downloads = path.join(homes[0], 'Downloads')
  const archives = fs.readdirSync(downloads).filter((f) => f.endsWith('.peerline'))
  t.is(archives.length, 1, 'one archive in Downloads')
  t.ok((await status.textContent())?.includes(path.join(downloads, archives[0])), 'the status says where it went')

  await page.click('#export-readable')
  await status.locator('text=Wrote').waitFor(WAIT)
  const readable = fs.readdirSync(downloads).filter((f) => f.startsWith('peerline-export-'))
  t.is(readable.length, 1, 'a readable copy in Downloads')
  t.ok(fs.existsSync(path.join(downloads, readable[0], 'README.txt')), 'with its README')

  // A new profile on another "device" takes the archive.
  const other = await openPage(browser, fresh.url)
  const before = await firstRun(other, 'Someone new')
  t.not(before, number)
  await other.click('button[aria-label=Settings]')
  await other.fill('#import-path', path.join(downloads, archives[0]))
  await other.fill('#import-passphrase', 'not the passphrase')
  await other.click('#import-button')
  await other.locator('.backup-status [role=alert]').waitFor(WAIT)
  t.ok((await other.locator('.backup-status').textContent())?.includes('passphrase does not open'), 'a wrong passphrase is said plainly')
  await other.fill('#import-passphrase', PASS)
  await other.click('#import-button')
  await other.locator('.backup-status', { hasText: 'Imported' }).waitFor(WAIT)
  await screenshot(other, 'settings-import')
  t.ok((await other.locator('.backup-status').textContent())?.replace(/\D/g, '').includes(number), 'this profile is now Alice’s number')
  // The page starts over on the imported profile.
  await other.waitForSelector('.sidebar', WAIT)
  await other.click('button[aria-label=Settings]')
  await other.locator('dialog strong', { hasText: number.slice(0, 3) }).waitFor(WAIT)
  t.is(((await other.locator('dialog strong').first().textContent()) ?? '').replace(/\D/g, ''), number, 'after the reload the app shows Alice’s number')
  t.is(await other.inputValue('#settings-name'), 'Alice', 'and her name')
})
