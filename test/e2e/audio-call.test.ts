import test from 'brittle'
import type { Page } from 'playwright-core'
import { hasChromium } from '../../harness/browser'
import { conversation, screenshot } from '../../harness/ui-page'
import { twoWindows } from '../../harness/ui-people'

const WAIT = { timeout: 60_000 }

interface Box { x: number; y: number; width: number; height: number }
const overlaps = (a: Box, b: Box): boolean => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height

/** No tile reaches into the controls, and none leaves the window. */
async function tilesClear(page: Page): Promise<string> {
  const controls = await page.locator('.call-controls').boundingBox()
  const size = page.viewportSize() ?? { width: 0, height: 0 }
  for (const tile of await page.locator('.call-screen .tile').all()) {
    const box = await tile.boundingBox()
    if (box === null || controls === null) return 'no box'
    if (overlaps(box, controls)) return `a tile ${JSON.stringify(box)} overlaps the controls ${JSON.stringify(controls)}`
    if (box.x < 0 || box.y < 0 || box.x + box.width > size.width + 1 || box.y + box.height > size.height + 1) return 'a tile leaves the window'
  }
  return ''
}

test('an audio call shows who, Connecting… then Connected with a timer; tiles never cover the controls; a shared screen is letterboxed', { skip: !hasChromium(), timeout: 240_000 }, async (t) => {
  const { alicePage, bobPage } = await twoWindows(t)
  await alicePage.setViewportSize({ width: 1280, height: 800 })
  await conversation(alicePage, 'Bob').click()
  await alicePage.locator('.conv-head .status', { hasText: 'online' }).waitFor(WAIT)

  // The call channel opens with the peer session, a moment after the contact shows online.
  const ring = bobPage.locator('dialog[open]', { hasText: 'Decline' })
  for (let i = 0; i < 60 && !(await ring.isVisible()); i++) {
    if ((await alicePage.locator('.call-screen').count()) === 0) await alicePage.click('.conv-head button:has-text("Call")')
    await ring.waitFor({ timeout: 1000 }).catch(() => {})
  }
  const screen = alicePage.locator('.call-screen[data-kind=audio]')
  await screen.waitFor(WAIT)
  t.is(await screen.locator('.person .call-avatar').first().textContent(), 'B', 'the person called is shown by their initial')
  t.is(await screen.locator('.person .name').first().textContent(), 'Bob', 'and name')
  t.ok((await screen.locator('.call-status').textContent())?.includes('Ringing'), 'while it rings, it says so')
  t.is(await screen.locator('button:has-text("Camera off")').count(), 0, 'no camera button in an audio call')
  await ring.locator('button:has-text("Accept")').click()

  await screen.locator('.call-status', { hasText: 'Connected' }).waitFor(WAIT)
  const status = (await screen.locator('.call-status').textContent()) ?? ''
  t.ok(/Connected · \d+:\d\d/.test(status), `connected, with a timer (${status})`)
  t.ok(/Connected · \d+:\d\d/.test((await screen.locator('.person .state').first().textContent()) ?? ''), 'the card shows it too')
  const before = status
  await alicePage.waitForTimeout(2100)
  t.not(await screen.locator('.call-status').textContent(), before, 'the timer runs')
  t.is(await tilesClear(alicePage), '', 'at 1280x800 no tile covers the controls')
  await screenshot(alicePage, 'audio-call-1280')
  const bobScreen = bobPage.locator('.call-screen[data-kind=audio]')
  await bobScreen.locator('.call-status', { hasText: 'Connected' }).waitFor(WAIT)
  t.is(await bobScreen.locator('.person .name').first().textContent(), 'Alice', 'the callee sees the caller the same way')

  await alicePage.setViewportSize({ width: 420, height: 800 })
  await alicePage.waitForTimeout(300)
  t.is(await tilesClear(alicePage), '', 'at 420x800 no tile covers the controls')
  t.ok(await alicePage.locator('.call-controls button:has-text("Hang up")').isVisible(), 'Hang up is in reach at 420 px')
  const g = await alicePage.evaluate(`({ w: document.documentElement.scrollWidth, iw: window.innerWidth })`) as { w: number; iw: number }
  t.ok(g.w <= g.iw, 'no horizontal scroll in the call at 420 px')
  await screenshot(alicePage, 'audio-call-420')

  // Bob shares his screen: Alice sees all of it, letterboxed, not cropped.
  await bobPage.click('.call-controls button:has-text("Share screen")')
  await bobPage.locator('.call-controls button:has-text("Stop sharing")').waitFor(WAIT)
  await alicePage.setViewportSize({ width: 1280, height: 800 })
  await screen.locator('.person.showing video').waitFor(WAIT)
  t.pass('Bob\'s shared screen shows on his card at Alice\'s')
  const fit = await alicePage.evaluate(`getComputedStyle(document.querySelector('.call-screen .person.showing video')).objectFit`)
  t.is(fit, 'contain', 'letterboxed (object-fit: contain), not cropped')
  const whole = await alicePage.evaluate(`(() => { const v = document.querySelector('.call-screen .person.showing video'); const r = v.getBoundingClientRect(); const s = Math.min(r.width / v.videoWidth, r.height / v.videoHeight); return v.videoWidth > 0 && v.videoWidth * s <= r.width + 1 && v.videoHeight * s <= r.height + 1 })()`)
  t.ok(whole, 'the whole picture fits its tile')
  t.is(await tilesClear(alicePage), '', 'and the tile stays clear of the controls')
  await screenshot(alicePage, 'screen-share-1280')
  await alicePage.click('.call-controls button:has-text("Hang up")')
  await screen.waitFor({ state: 'detached', ...WAIT })
  t.pass('Hang up ends it')
})
