import test from 'brittle'
import { hasChromium } from '../../harness/browser'
import { conversation, screenshot } from '../../harness/ui-page'
import { people } from '../../harness/ui-people'

const WAIT = { timeout: 30_000 }

test('a send that fails keeps its text; edit keeps line breaks', { skip: !hasChromium(), timeout: 180_000 }, async (t) => {
  const { page, aliceApi: api } = await people(t, { bob: false })
  await api.call('createRoom', { name: 'Notes' })
  await conversation(page, 'Notes').click()
  await page.waitForSelector('[data-testid=conversation-title]:has-text("Notes")')

  const long = 'x'.repeat(100_000)
  await page.fill('#composer', long)
  await page.press('#composer', 'Enter')
  await page.locator('.toast:not([hidden])').waitFor(WAIT)
  t.is(await page.textContent('.toast'), 'This message is too long: 100,000 characters; the limit is 16,384.', 'a plain sentence says why')
  t.is((await page.inputValue('#composer')).length, 100_000, 'the text is still in the composer')
  await screenshot(page, 'too-long')

  await page.fill('#composer', 'First line\nsecond line')
  await page.click('.composer button:has-text("Send")')
  const sent = page.locator('.message.mine', { hasText: 'First line' })
  await sent.waitFor(WAIT)
  t.is(await page.inputValue('#composer'), '', 'a sent message leaves the composer empty')

  await sent.hover()
  await sent.locator('[aria-label=Edit]').click()
  const editor = page.locator('.message.mine textarea')
  t.is(await editor.inputValue(), 'First line\nsecond line', 'edit is a multi-line field with the line breaks')
  await editor.fill('Edited line\nand another\nand a third')
  await editor.press('Enter')
  await page.locator('.message.mine', { hasText: 'Edited line' }).waitFor(WAIT)
  const text = await page.locator('.message.mine .text', { hasText: 'Edited line' }).innerText()
  t.is(text, 'Edited line\nand another\nand a third', 'the edit kept its line breaks')
})
