import test from 'brittle'
import { hasChromium } from '../../harness/browser'
import { conversation, screenshot } from '../../harness/ui-page'
import { befriend, people } from '../../harness/ui-people'

const WAIT = { timeout: 30_000 }

test('reply in the UI: the quote bar, cancel, the quoted bubble both ways, a click to the original, and the read mark', { skip: !hasChromium(), timeout: 240_000 }, async (t) => {
  const { page, aliceApi, bobApi } = await people(t)
  if (!bobApi) return t.fail('Bob')
  const { aliceNumber } = await befriend(aliceApi, bobApi)
  const question = await bobApi.call('send', { to: aliceNumber, text: 'Where shall we meet on Saturday?' })
  await bobApi.call('send', { to: aliceNumber, text: 'Something else, to push the question up' })

  await conversation(page, 'Bob').click()
  const original = page.locator('.message.theirs', { hasText: 'Where shall we meet' })
  await original.waitFor(WAIT)
  await original.hover()
  await original.locator('[aria-label=Reply]').click()
  const bar = page.locator('[data-testid=quote-bar]')
  await bar.waitFor(WAIT)
  t.ok((await bar.innerText()).includes('Replying to Bob'), 'the bar says whom it answers')
  t.ok((await bar.innerText()).includes('Where shall we meet on Saturday?'), 'and what')
  await screenshot(page, 'reply-quote-bar')
  await bar.locator('[aria-label="Cancel reply"]').click()
  await bar.waitFor({ state: 'detached', ...WAIT })
  t.pass('cancel takes the bar away')

  await original.hover()
  await original.locator('[aria-label=Reply]').click()
  await bar.waitFor(WAIT)
  await page.fill('#composer', 'At the station, at ten')
  await page.press('#composer', 'Enter')
  const mine = page.locator('.message.mine', { hasText: 'At the station' })
  await mine.waitFor(WAIT)
  await bar.waitFor({ state: 'detached', ...WAIT })
  const quoted = mine.locator('[data-testid=quote]')
  t.ok((await quoted.innerText()).includes('Bob') && (await quoted.innerText()).includes('Where shall we meet'), 'the reply shows the quoted original')

  // Bob's side holds the reply with its quote; he answers Alice's reply in turn.
  let reply: { id: string; replyTo: string | null; quote: { text: string } | null } | undefined
  for (let i = 0; i < 300 && !reply; i++) {
    reply = (await bobApi.call('history', { to: aliceNumber })).find((m) => m.text === 'At the station, at ten')
    if (!reply) await new Promise((resolve) => setTimeout(resolve, 100))
  }
  t.is(reply?.replyTo, question.id, 'Bob gets the reply to his message')
  t.is(reply?.quote?.text, 'Where shall we meet on Saturday?', 'with its quote')
  if (!reply) return
  await bobApi.call('send', { to: aliceNumber, text: 'Perfect, see you', replyTo: reply.id })
  const theirs = page.locator('.message.theirs', { hasText: 'Perfect, see you' })
  await theirs.waitFor(WAIT)
  t.ok((await theirs.locator('[data-testid=quote]').innerText()).includes('You'), 'a reply to Alice quotes "You"')

  // Bob read the conversation (history above): Alice's reply is marked read.
  await bobApi.call('markRead', { room: (await bobApi.call('listRooms'))[0].room })
  await mine.locator('.mark.read').waitFor(WAIT)
  t.is((await mine.locator('.mark.read').getAttribute('aria-label')), 'Read', 'the read mark beside delivered')

  await mine.locator('[data-testid=quote]').click()
  await page.locator('.message.found', { hasText: 'Where shall we meet' }).waitFor(WAIT)
  t.pass('clicking the quote brings the original into view')
  await screenshot(page, 'reply-and-read')

  // Settings: "Send read receipts" off hides the read mark (as in Signal, neither way).
  await page.click('[aria-label=Settings]')
  // Enabled once it shows the profile's setting (before that it is disabled, not unchecked).
  const toggle = page.locator('#read-receipts:enabled')
  await toggle.waitFor(WAIT)
  t.is(await toggle.isChecked(), true, 'on by default')
  await toggle.uncheck()
  await page.locator('dialog p.result', { hasText: 'Read receipts are off' }).waitFor(WAIT)
  t.is((await aliceApi.call('settings')).readReceipts, false, 'the toggle sets the setting')
  await screenshot(page, 'read-receipts-setting')
  await page.keyboard.press('Escape')
  await mine.locator('.mark.read').waitFor({ state: 'detached', ...WAIT })
  t.pass('with receipts off, the read mark is gone')
})
