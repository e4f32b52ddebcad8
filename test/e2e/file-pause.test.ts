import test from 'brittle'
import path from 'path'
import { hasChromium } from '../../harness/browser'
import { conversation, screenshot } from '../../harness/ui-page'
import { befriend, people } from '../../harness/ui-people'
import { randomFile } from '../../harness/test-files'

const WAIT = { timeout: 60_000 }
const SIZE = 200 * 1024 * 1024

test('a paused download is a plain note with how far it got, not an error, and Resume goes on', { skip: !hasChromium(), timeout: 240_000 }, async (t) => {
  const { page, aliceApi, bobApi } = await people(t)
  if (!bobApi) throw new Error('no Bob')
  const { aliceNumber } = await befriend(aliceApi, bobApi)
  const src = path.join(await t.tmp(), 'site-survey.bin')
  randomFile(src, SIZE)
  await bobApi.call('sendFile', { to: aliceNumber, path: src })

  await conversation(page, 'Bob').click()
  const card = page.locator('.message.theirs .file', { hasText: 'site-survey.bin' })
  await card.waitFor(WAIT)
  await card.locator('button:has-text("Download")').click()
  await card.locator('progress').waitFor(WAIT)
  await card.locator('button:has-text("Pause")').click()
  const note = card.locator('.stopped')
  await note.waitFor(WAIT)
  const said = await note.innerText()
  t.ok(/^Paused\. [\d.]+ [KMG]?B of 209\.7 MB here\.$/.test(said), `says it is paused and how far it got: ${said}`)
  t.is(await card.locator('.error').count(), 0, 'no error is shown')
  // Evaluated in the page (the test's own TypeScript has no DOM types).
  const color = await page.evaluate<string>(`getComputedStyle(document.querySelector('.message.theirs .file .stopped')).color`)
  const errorColor = await page.evaluate<string>(`(() => {
    const probe = document.createElement('span')
    probe.className = 'error'
    document.body.appendChild(probe)
    const c = getComputedStyle(probe).color
    probe.remove()
    return c
  })()`)
  t.not(color, errorColor, `not in the error colour (${color})`)
  await screenshot(page, 'file-paused-1280')
  await page.setViewportSize({ width: 420, height: 800 })
  await screenshot(page, 'file-paused-420')
  await page.setViewportSize({ width: 1280, height: 800 })

  await card.locator('button:has-text("Resume")').click()
  await card.locator('text=Saved to').waitFor({ timeout: 120_000 })
  t.pass('Resume finishes the download')
})
