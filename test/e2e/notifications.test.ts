import test from 'brittle'
import { hasChromium } from '../../harness/browser'
import type { BridgeClient } from '../../harness/bridge-client'
import { conversation } from '../../harness/ui-page'
import { befriend, people } from '../../harness/ui-people'

const WAIT = { timeout: 30_000 }

test('a notification for another conversation updates the list without reloading the open one; a removed member keeps his name', { skip: !hasChromium(), timeout: 180_000 }, async (t) => {
  const { page, aliceApi, bobApi: bob } = await people(t)
  const bobApi = bob as BridgeClient
  const { aliceNumber } = await befriend(aliceApi, bobApi)
  const { invite } = await aliceApi.call('createRoom', { name: 'Other' })
  const { room: other } = await bobApi.call('joinRoom', { invite })

  // Every request the page makes, by method.
  const sent: string[] = []
  page.on('websocket', (ws) => ws.on('framesent', (f) => sent.push(String((JSON.parse(String(f.payload)) as { method?: string }).method))))
  await page.reload()
  await conversation(page, 'Bob').click()
  await page.waitForSelector('[data-testid=conversation-title]:has-text("Bob")')
  await bobApi.call('send', { to: aliceNumber, text: 'first' })
  await page.locator('.message.theirs', { hasText: 'first' }).waitFor(WAIT)

  const before = sent.length
  for (let i = 1; i <= 5; i++) await bobApi.call('send', { to: other, text: `in the other room ${i}` })
  await conversation(page, 'Other').locator('.preview', { hasText: 'in the other room 5' }).waitFor(WAIT)
  const during = sent.slice(before)
  t.is(during.filter((m) => m === 'history').length, 0, 'no history reload for messages in another conversation')
  t.is(during.filter((m) => m === 'listRooms' || m === 'listContacts').length, 0, 'nor a reload of the lists: the roomUpdate payload is applied')
  t.ok(await conversation(page, 'Other').locator('.unread').isVisible(), 'the other conversation shows its unread count')

  // A message in the open conversation: appended from its notification, the list entry replaced
  // by its roomUpdate; nothing is fetched again.
  const mark = sent.length
  await bobApi.call('send', { to: aliceNumber, text: 'second' })
  await page.locator('.message.theirs', { hasText: 'second' }).waitFor(WAIT)
  await conversation(page, 'Bob').locator('.preview', { hasText: 'second' }).waitFor(WAIT)
  const open = sent.slice(mark)
  t.is(open.filter((m) => m === 'history' || m === 'members').length, 0, `no history or members reload for a message in the open conversation (${open.join(', ')})`)
  t.is(open.filter((m) => m === 'listRooms' || m === 'listContacts').length, 0, 'nor a reload of the lists')
  t.absent(await conversation(page, 'Bob').locator('.unread').isVisible(), 'the open conversation shows no unread count')

  // Bob removed from Other: his messages there still show his name, not a bare number.
  await conversation(page, 'Other').click()
  await page.locator('.message.theirs', { hasText: 'in the other room 5' }).waitFor(WAIT)
  await page.click('button:has-text("Room info")')
  await page.locator('dialog li button:has-text("Remove")').click()
  await page.click('dialog[data-testid=confirm] button:has-text("Remove")')
  await page.locator('.conv-head .status', { hasText: '1 member' }).waitFor(WAIT)
  const from = await page.locator('.message.theirs .from').allTextContents()
  t.ok(from.length === 5 && from.every((f) => f === 'Bob'), `a removed member's messages keep his name (${from.join(', ')})`)
})
