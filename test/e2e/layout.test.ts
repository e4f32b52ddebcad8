import test from 'brittle'
import type { Page } from 'playwright-core'
import { hasChromium } from '../../harness/browser'
import type { BridgeClient } from '../../harness/bridge-client'
import { conversation, screenshot } from '../../harness/ui-page'
import { befriend, people } from '../../harness/ui-people'

const WAIT = { timeout: 60_000 }
const COUNT = 300
const LINES = [
  'Are you at the shelter yet?',
  'Yes. Water is on the second floor, blankets by the stairs.',
  'Ok',
  'The bridge on Elm Street is closed, go round by the school. It takes ten minutes longer but the road is dry the whole way.',
  'Battery at 40%, saving it.',
  'Thanks!',
  'Can you bring the radio?\nAnd the spare batteries in the blue box.'
]

interface Geometry {
  headerTop: number
  composerBottom: number
  scrollHeight: number
  scrollWidth: number
  innerHeight: number
  innerWidth: number
  scrollY: number
}

// As a string: this runs in the page (the tests compile without DOM types).
function geometry(page: Page): Promise<Geometry> {
  return page.evaluate(`(() => {
    const header = document.querySelector('.conv-head')?.getBoundingClientRect()
    const composer = document.querySelector('.composer')?.getBoundingClientRect()
    return {
      headerTop: header ? Math.round(header.top) : -1,
      composerBottom: composer ? Math.round(composer.bottom) : -1,
      scrollHeight: document.documentElement.scrollHeight,
      scrollWidth: document.documentElement.scrollWidth,
      innerHeight: window.innerHeight,
      innerWidth: window.innerWidth,
      scrollY: window.scrollY
    }
  })()`)
}

test('a 300-message conversation: only the message list scrolls; under 700 px one pane at a time with Back', { skip: !hasChromium(), timeout: 300_000 }, async (t) => {
  const { page, aliceApi, bobApi: bob } = await people(t)
  const bobApi = bob as BridgeClient
  const { aliceNumber, bobNumber } = await befriend(aliceApi, bobApi)
  await conversation(page, 'Bob').waitFor(WAIT)

  for (let i = 0; i < COUNT; i++) {
    const from = i % 3 === 0 ? bobApi : aliceApi
    await from.call('send', { to: from === bobApi ? aliceNumber : bobNumber, text: `${LINES[i % LINES.length]} (${i + 1})` })
  }
  for (;;) {
    const history = await aliceApi.call('history', { to: bobNumber, limit: COUNT + 10 })
    if (history.length >= COUNT) break
    await page.waitForTimeout(200)
  }
  t.pass(`${COUNT} messages in the conversation`)

  await page.setViewportSize({ width: 1280, height: 800 })
  await conversation(page, 'Bob').click()
  await page.locator('.message', { hasText: `(${COUNT})` }).waitFor(WAIT)
  let g = await geometry(page)
  t.is(g.headerTop, 0, 'the header is at the top')
  t.is(g.scrollHeight, g.innerHeight, 'the page is exactly the window high')
  t.is(g.composerBottom, g.innerHeight, 'the composer sits at the bottom')
  await screenshot(page, 'conversation-300-1280')

  await page.hover('.messages')
  await page.mouse.wheel(0, -5000)
  // Polled from here: the page's CSP forbids waitForFunction's eval.
  while (!(await page.evaluate(`(() => { const l = document.querySelector('.messages'); return l.scrollTop < l.scrollHeight - 2000 })()`))) await page.waitForTimeout(50)
  g = await geometry(page)
  t.is(g.scrollY, 0, 'scrolling the messages does not scroll the page')
  t.is(g.headerTop, 0, 'the header stays put')
  t.is(g.composerBottom, g.innerHeight, 'the composer stays put')

  // Back to the newest message; a narrow window keeps it in view, one pane at a time.
  await page.locator('.messages').press('End')
  // Up to 10 s (busy cores); a re-render in the middle of End's smooth scroll must not stop it.
  const atNewest = (): Promise<boolean> => page.evaluate(`(() => { const l = document.querySelector('.messages'); return l.scrollHeight - l.scrollTop - l.clientHeight < 2 })()`)
  let ended = false
  for (let i = 0; i < 200 && !(ended = await atNewest()); i++) await page.waitForTimeout(50)
  t.ok(ended, 'End goes to the newest message')
  await page.setViewportSize({ width: 420, height: 800 })
  // The list re-pins on its resize callback: poll (bounded) until it has. Read in one evaluation:
  // the app re-renders as delivered marks come, and a message or header found in one call may be
  // replaced before the next reads its box (a detached node has none).
  const inView = (): Promise<boolean> => page.evaluate(`(() => {
    const list = document.querySelector('.messages')?.getBoundingClientRect()
    const newest = [...document.querySelectorAll('.message')].find((m) => m.textContent.includes('(${COUNT})'))?.getBoundingClientRect()
    return innerWidth === 420 && list !== undefined && newest !== undefined && newest.height > 0 && newest.top >= list.top && newest.bottom <= list.bottom + 1
  })()`)
  // Up to 10 s: on two busy cores the resize callback can run late. Until it has run, a reading
  // taken after the reflow at 420 px says "out of view": the poll's last reading is the answer.
  let newestShown = false
  for (let i = 0; i < 500 && !(newestShown = await inView()); i++) await page.waitForTimeout(20)
  t.ok(newestShown, 'the newest message is still in view after the window narrows')
  g = await geometry(page)
  t.ok(g.scrollWidth <= g.innerWidth, `no horizontal scroll at 420 px (${g.scrollWidth} <= ${g.innerWidth})`)
  t.is(g.scrollHeight, g.innerHeight, 'no vertical page scroll at 420 px')
  t.is(g.headerTop, 0, 'the header is at the top at 420 px')
  t.absent(await page.locator('.sidebar').isVisible(), 'the conversation list is hidden while a conversation is open')
  const fits = await page.evaluate(`(() => {
    const title = document.querySelector('[data-testid=conversation-title]')
    return title !== null && title.scrollWidth <= title.clientWidth && title.clientWidth > 40
  })()`)
  t.ok(fits, 'the title is shown whole')
  await screenshot(page, 'conversation-300-420')
  // A re-render (a reaction comes in) keeps the list the reader has, with its place: a new list
  // would cut a scroll in flight (a keyboard End, a wheel) short where the old one stood.
  await page.evaluate(`document.querySelector('.messages').dataset.probe = 'shown before'`)
  const room = (await aliceApi.call('listContacts')).find((c) => c.number === bobNumber)?.room ?? ''
  const [newest] = await aliceApi.call('history', { to: bobNumber, limit: 1 })
  await aliceApi.call('react', { room, id: newest.id, emoji: '👍' })
  await page.locator(`[data-id="${newest.id}"] .reactions`).waitFor(WAIT)
  t.is(await page.evaluate(`document.querySelector('.messages').dataset.probe`), 'shown before', 'a re-render keeps the message list in place')
  t.ok(await inView(), 'and the newest message in view')
  await page.click('[aria-label="Back"]')
  await page.locator('.sidebar').waitFor({ state: 'visible' })
  t.absent(await page.locator('.conv-head').isVisible(), 'Back shows the conversation list alone')
  g = await geometry(page)
  t.ok(g.scrollWidth <= g.innerWidth, 'no horizontal scroll in the list')
  await screenshot(page, 'list-420')
  await conversation(page, 'Bob').click()
  await page.locator('.conv-head').waitFor({ state: 'visible' })
  t.pass('and the conversation opens again from the list')
})
