import path from 'path'
import type { Browser, Page } from 'playwright-core'
import { ARTIFACTS } from './browser'

/** A fresh browser context (own storage) on one instance's address. */
export async function openPage(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 720 }, colorScheme: 'light' })
  const page = await context.newPage()
  page.on('pageerror', (err) => console.error('page error:', err.message))
  // What the person was told: a failed step's log then shows the sentence on screen.
  page.on('console', (msg) => {
    if (msg.text().startsWith('toast:')) console.error('page', msg.text())
  })
  await page.goto(url)
  return page
}

/** Goes through the first run as `name`; answers the number shown (digits only). */
export async function firstRun(page: Page, name: string, shot?: string): Promise<string> {
  await page.waitForSelector('#first-name')
  const number = ((await page.textContent('[data-testid=my-number]')) ?? '').replace(/\D/g, '')
  if (shot) await screenshot(page, shot)
  await page.fill('#first-name', name)
  await page.click('button:has-text("Continue")')
  await page.waitForSelector('[data-testid=phrase] li')
  await page.click('button:has-text("I wrote it down")')
  await page.waitForSelector('.sidebar')
  return number
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, name + '.png') })
}

export function conversation(page: Page, name: string): ReturnType<Page['locator']> {
  // By title only: a preview may quote another conversation's name.
  return page.locator('.conversations button.conversation').filter({ has: page.locator('.title', { hasText: name }) })
}

/** Opens a conversation from the list and sends `text` with Enter. */
export async function sendIn(page: Page, name: string, text: string): Promise<void> {
  await conversation(page, name).click()
  await page.waitForSelector(`[data-testid=conversation-title]:has-text("${name}")`)
  await page.fill('#composer', text)
  await page.press('#composer', 'Enter')
}

/** Waits until a remote video tile shows decoded frames (polled from here: the page's CSP forbids eval). */
export async function videoPlaying(page: Page, ms = 30_000): Promise<void> {
  const end = Date.now() + ms
  for (;;) {
    const frames = await page.$$eval('.tile video', (videos) => videos.map((v) => (v as unknown as { videoWidth: number; currentTime: number })).filter((v) => v.videoWidth > 0 && v.currentTime > 0).length)
    if (frames > 0) return
    if (Date.now() > end) throw new Error('no remote video played within ' + ms + ' ms')
    await page.waitForTimeout(100)
  }
}
