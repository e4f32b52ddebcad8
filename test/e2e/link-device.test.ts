import test from 'brittle'
import { hasChromium, launchChromium } from '../../harness/browser'
import { localTestnet } from '../../harness/testnet'
import { UiInstance } from '../../harness/ui-instance'
import { firstRun, openPage, screenshot } from '../../harness/ui-page'

const WAIT = { timeout: 90_000 }

test('Settings -> Devices: link a device with the code (and its QR), both list two devices, remove it', { skip: !hasChromium(), timeout: 240_000 }, async (t) => {
  const { testnet, bootstrap } = await localTestnet()
  const alice = new UiInstance('alice', bootstrap)
  const laptop = new UiInstance('laptop', bootstrap)
  const browser = await launchChromium()
  t.teardown(async () => {
    await browser.close()
    await Promise.all([alice.stop(), laptop.stop()])
    await testnet.destroy()
  })
  await Promise.all([alice.start(), laptop.start()])

  const page = await openPage(browser, alice.url)
  const number = await firstRun(page, 'Alice')
  await page.click('button[aria-label=Settings]')
  await page.locator('.devices li').first().waitFor(WAIT)
  t.is(await page.locator('.devices li').count(), 1, 'one device before')
  await page.click('#create-device-link')
  const code = ((await page.locator('.device-link-text').textContent(WAIT)) ?? '').trim()
  t.ok(code.length > 20, 'a link code is shown')
  t.ok(await page.locator('.device-link svg').isVisible(), 'with its QR code')
  await screenshot(page, 'settings-device-link')

  const other = await openPage(browser, laptop.url)
  await firstRun(other, 'Laptop')
  await other.click('button[aria-label=Settings]')
  await other.fill('#device-link-input', code)
  await other.click('#link-device-button')
  await other.locator('.devices-status', { hasText: 'Linked' }).waitFor(WAIT).catch(async (err) => {
    console.log('STATUS', await other.locator('.devices-status').textContent(), '\nALICE', alice.log.slice(-3000), '\nLAPTOP', laptop.log.slice(-3000))
    throw err
  })
  t.ok((await other.locator('.devices-status').textContent())?.replace(/\D/g, '').includes(number), 'the new device is now Alice’s number')
  // The page starts over on the linked profile.
  await other.waitForSelector('.sidebar', WAIT)
  await other.click('button[aria-label=Settings]')
  await other.locator('.devices li').nth(1).waitFor(WAIT)
  t.is(await other.locator('.devices li').count(), 2, 'the linked device lists both')

  await page.click('button[aria-label=Settings]').catch(() => {})
  await page.reload()
  await page.waitForSelector('.sidebar', WAIT)
  await page.click('button[aria-label=Settings]')
  await page.locator('.devices li').nth(1).waitFor(WAIT)
  t.is(await page.locator('.devices li').count(), 2, 'and so does the first')
  await page.click('.remove-device')
  await page.locator('.devices-status', { hasText: 'Removed' }).waitFor(WAIT)
  t.is(await page.locator('.devices li').count(), 1, 'removed')
})
