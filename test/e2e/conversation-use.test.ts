import test from 'brittle'
import type { Page } from 'playwright-core'
import { hasChromium } from '../../harness/browser'
import type { BridgeClient } from '../../harness/bridge-client'
import type { UiInstance } from '../../harness/ui-instance'
import { conversation, screenshot } from '../../harness/ui-page'
import { befriend, people } from '../../harness/ui-people'

const WAIT = { timeout: 60_000 }
const COUNT = 300
const UNREAD = 5

// As strings: these run in the page (the tests compile without DOM types).
const listTop = (page: Page): Promise<number> => page.evaluate(`document.querySelector('.messages').scrollTop`)
const shownMessages = (page: Page): Promise<number> => page.locator('.messages .message').count()

async function until(page: Page, check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return
    await page.waitForTimeout(100)
  }
  throw new Error('timed out: ' + what)
}

test('notices in a room, a 300-message chat that pages back with a "New messages" line, and delivered / queued marks', { skip: !hasChromium(), timeout: 420_000 }, async (t) => {
  const { page, aliceApi, bob: bobInstance, bobApi: bob } = await people(t)
  const bobApi = bob as BridgeClient
  const { aliceNumber, bobNumber } = await befriend(aliceApi, bobApi)
  await page.setViewportSize({ width: 1280, height: 800 })

  // A room: Bob joins, writes, is promoted, the room is renamed, a timer set and cleared, Bob removed.
  const { room, invite } = await aliceApi.call('createRoom', { name: 'Street 14' })
  await bobApi.call('joinRoom', { invite })
  await until(page, async () => (await aliceApi.call('members', { room })).length === 2, 'Bob in the room')
  const said = await bobApi.call('send', { to: room, text: 'I can bring water' })
  await until(page, async () => (await aliceApi.call('history', { to: room })).some((e) => e.id === said.id), 'Bob\'s message at Alice')
  await aliceApi.call('setRole', { room, number: bobNumber, role: 'admin' })
  await aliceApi.call('renameRoom', { room, name: 'Street 14 shelter' })
  await aliceApi.call('setTimer', { room, seconds: 3600 })
  await aliceApi.call('setTimer', { room, seconds: 0 })
  await aliceApi.call('setRole', { room, number: bobNumber, role: 'member' })
  await aliceApi.call('removeMember', { room, number: bobNumber })
  await conversation(page, 'Street 14 shelter').click()
  const notices = page.locator('.messages .notice')
  await page.locator('.notice', { hasText: 'You removed Bob' }).waitFor(WAIT)
  const lines = await notices.allTextContents()
  t.alike(
    lines,
    [
      'You created this room',
      'You named the room “Street 14”',
      'Bob joined',
      'You made Bob an admin',
      'You named the room “Street 14 shelter”',
      'You set messages to disappear after 1 hour',
      'You turned off disappearing messages',
      'Bob is no longer an admin',
      'You removed Bob'
    ],
    'every change is a grey line in the chat, in order'
  )
  const order = await page.$$eval('.messages > li', (els) => els.map((e) => (e.className.includes('notice') ? 'n' : 'm')).join(''))
  t.is(order, 'nnnmnnnnnn', 'Bob\'s message sits between his join and the changes after it')
  t.is(await page.locator('.message', { hasText: 'I can bring water' }).locator('.from').textContent(), 'Bob', 'the removed member\'s message still shows his name')
  t.is(await page.evaluate(`getComputedStyle(document.querySelector('.notice')).textAlign`), 'center', 'notices are centred')
  await screenshot(page, 'notices-1280')

  // The direct chat: 300 messages, the last five unread when Alice opens it.
  for (let i = 0; i < COUNT - UNREAD; i++) {
    const from = i % 3 === 0 ? bobApi : aliceApi
    await from.call('send', { to: from === bobApi ? aliceNumber : bobNumber, text: `Message ${i + 1}: ${i % 2 ? 'the road by the school is dry' : 'ok'}` })
  }
  await until(page, async () => (await aliceApi.call('history', { to: bobNumber, limit: COUNT })).length === COUNT - UNREAD, 'the messages at Alice')
  for (let i = COUNT - UNREAD; i < COUNT; i++) await bobApi.call('send', { to: aliceNumber, text: `Message ${i + 1}: unread` })
  await until(page, async () => {
    const rooms = await aliceApi.call('listRooms')
    return rooms.some((r) => r.name === 'Bob' && r.unread === UNREAD)
  }, 'five unread')
  // Click when the list shows the five, as a person would: the page learns the count from a
  // roomUpdate that can come a moment after the Api has it (seen once in 9 CI runs: no line).
  await conversation(page, 'Bob').locator('.unread', { hasText: String(UNREAD) }).waitFor(WAIT)
  await conversation(page, 'Bob').click()
  const separator = page.locator('.unread-separator')
  await separator.waitFor(WAIT)
  const next = await page.$$eval('.unread-separator + li', (els) => els.map((e) => e.textContent ?? ''))
  t.ok(next[0]?.includes(`Message ${COUNT - UNREAD + 1}: unread`), 'the "New messages" line is right before the first unread message')
  const box = await separator.boundingBox()
  t.ok(box !== null && box.y > 0 && box.y < 800, 'and it is in view when the chat opens')
  const first = await shownMessages(page)
  t.ok(first >= 50 && first < 100, `the chat opens with its newest page, not all ${COUNT} (${first})`)
  await screenshot(page, 'unread-1280')

  // Scroll to the top: older pages come in above, and the message that was at the top stays put.
  const topText = (await page.locator('.messages .message').first().textContent()) ?? ''
  // By the wheel, as a reader does (the list tells the reader's scrolls from reflows by their input).
  await page.hover('.messages')
  // Wheel up until the list asks for the next page, then no more: the reader waits and looks.
  const loading = async (): Promise<boolean> => (await page.locator('.messages[data-loading]').count()) > 0 || (await shownMessages(page)) > first
  await until(page, async () => {
    await page.mouse.wheel(0, -400)
    await page.waitForTimeout(150)
    return loading()
  }, 'the list asking for older messages')
  await until(page, async () => (await shownMessages(page)) > first, 'an older page')
  await page.waitForTimeout(300)
  const anchor = page.locator('.messages .message', { hasText: topText }).first()
  const anchorBox = await anchor.boundingBox()
  t.ok((await shownMessages(page)) > first, `scrolling up loaded older messages (${await shownMessages(page)})`)
  t.ok(anchorBox !== null && anchorBox.y >= 0 && anchorBox.y < 800 && (await listTop(page)) > 0, 'without jumping: the old top message is still in view, with the new page above it')
  await until(page, async () => {
    await page.mouse.wheel(0, -3000)
    await page.waitForTimeout(100)
    return (await shownMessages(page)) === COUNT
  }, 'the whole chat')
  t.is(await shownMessages(page), COUNT, 'paging reaches the first message')
  t.is(await page.locator('.older').count(), 0, 'and stops there')

  // Delivered marks, then queued while Bob is offline.
  await page.locator('.messages').press('End')
  await page.fill('#composer', 'Are you still at the shelter?')
  await page.press('#composer', 'Enter')
  const sent = page.locator('.message.mine', { hasText: 'Are you still at the shelter?' })
  await sent.locator('.mark.delivered').waitFor(WAIT)
  t.pass('a message on Bob\'s device is marked ✓✓ Delivered')
  await screenshot(page, 'delivered-1280')
  await (bobInstance as UiInstance).stop()
  await page.locator('.conv-head .status', { hasText: 'offline' }).waitFor(WAIT)
  await page.fill('#composer', 'Call me when you are back')
  await page.press('#composer', 'Enter')
  const queued = page.locator('.message.mine', { hasText: 'Call me when you are back' }).locator('.mark.queued')
  await queued.waitFor(WAIT)
  const inView = async (): Promise<boolean> => {
    const b = await page.locator('.message.mine', { hasText: 'Call me when you are back' }).boundingBox()
    return b !== null && b.y > 0 && b.y + b.height < 800
  }
  await until(page, inView, 'the sent message in view')
  t.pass('sending takes the list to the newest message')
  t.ok((await queued.textContent())?.includes('Queued: Bob is offline'), 'a message sent while Bob is offline says it is queued')
  t.ok(await sent.locator('.mark.delivered').isVisible(), 'the delivered one stays delivered')
  await screenshot(page, 'queued-1280')
  await page.setViewportSize({ width: 420, height: 800 })
  await page.waitForTimeout(300)
  await screenshot(page, 'queued-420')
  await conversation(page, 'Street 14 shelter').count()
  await page.click('[aria-label="Back"]')
  await conversation(page, 'Street 14 shelter').click()
  await page.locator('.notice', { hasText: 'You removed Bob' }).waitFor(WAIT)
  await screenshot(page, 'notices-420')

  // Search in the chat: a result far back loads back to it, in view and marked.
  await page.click('[aria-label="Back"]')
  await conversation(page, 'Bob').click()
  await page.locator('.messages .message').first().waitFor(WAIT)
  t.ok((await shownMessages(page)) < 100, 'reopened on its newest page')
  await page.click('[aria-label="Search in this conversation"]')
  await page.fill('dialog input[type=search]', 'message 7:')
  await page.press('dialog input[type=search]', 'Enter')
  const result = page.locator('dialog .search-results button.result')
  await result.first().waitFor(WAIT)
  t.is(await result.count(), 1, 'one message says "Message 7:"')
  t.ok((await result.first().textContent())?.includes('Message 7: ok'), 'the result shows its text')
  await screenshot(page, 'search-420')
  await result.first().click()
  const found = page.locator('.message.found', { hasText: 'Message 7: ok' })
  await found.waitFor(WAIT)
  const fb = await found.boundingBox()
  t.ok(fb !== null && fb.y > 0 && fb.y + fb.height < 800, 'picking it shows the message in the conversation, marked')
  await screenshot(page, 'search-found-420')
})
