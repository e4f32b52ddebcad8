import test from 'brittle'
import { hasChromium } from '../../harness/browser'
import type { BridgeClient } from '../../harness/bridge-client'
import { conversation, screenshot, sendIn } from '../../harness/ui-page'
import { people } from '../../harness/ui-people'

const WAIT = { timeout: 30_000 }

test('delete, remove and leave ask first; leaving closes the conversation; a room key opens it again', { skip: !hasChromium(), timeout: 240_000 }, async (t) => {
  const { page, bobApi: bob } = await people(t)
  const bobApi = bob as BridgeClient

  // Alice makes a room; Bob joins it with the key.
  await page.click('button:has-text("+ Room")')
  await page.fill('#room-name', 'Street 14')
  await page.click('dialog button:has-text("Create")')
  const key = await page.locator('[data-testid=room-key]').inputValue(WAIT)
  await page.keyboard.press('Escape')
  const { room } = await bobApi.call('joinRoom', { invite: key })
  await sendIn(page, 'Street 14', 'Water at the school')
  const mine = page.locator('.message.mine', { hasText: 'Water at the school' })
  await mine.waitFor(WAIT)

  // Delete asks first; Cancel keeps the message.
  await mine.hover()
  await mine.locator('[aria-label=Delete]').click()
  const confirm = page.locator('dialog[data-testid=confirm]')
  await confirm.waitFor(WAIT)
  t.ok((await confirm.textContent())?.includes('Delete this message for everyone?'), 'delete asks first')
  await screenshot(page, 'confirm-delete')
  await confirm.locator('button:has-text("Cancel")').click()
  await confirm.waitFor({ state: 'detached' })
  t.ok(await mine.isVisible(), 'Cancel keeps the message')
  await mine.hover()
  await mine.locator('[aria-label=Delete]').click()
  await confirm.locator('button:has-text("Delete")').click()
  await page.locator('.message.mine .text.deleted').waitFor(WAIT)
  t.pass('Delete deletes it')

  // Remove asks first.
  await page.click('button:has-text("Room info")')
  const bobNumber = (await bobApi.call('whoami')).number
  const bobRow = page.locator(`dialog li[data-number="${bobNumber}"]`)
  await bobRow.waitFor(WAIT)
  await bobRow.locator('button:has-text("Remove")').click()
  await confirm.waitFor(WAIT)
  t.ok((await confirm.textContent())?.includes('Remove Bob from Street 14?'), 'remove asks first, by name')
  await confirm.locator('button:has-text("Cancel")').click()
  await confirm.waitFor({ state: 'detached' })
  t.ok(await bobRow.isVisible(), 'Cancel keeps Bob in the room')

  // Leave asks first, then closes the conversation without an error.
  await page.click('dialog button:has-text("Leave room")')
  await confirm.waitFor(WAIT)
  t.ok((await confirm.textContent())?.includes('Leave Street 14?'), 'leave asks first')
  await confirm.locator('button:has-text("Leave")').click()
  await page.locator('.placeholder').waitFor(WAIT)
  t.absent(await page.locator('.conv-head').isVisible(), 'the conversation is closed')
  await conversation(page, 'Street 14').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => {})
  t.is(await conversation(page, 'Street 14').count(), 0, 'and gone from the list')
  await page.waitForTimeout(500)
  t.absent(await page.locator('.toast:not([hidden])').isVisible(), 'with no error shown')

  // A new key from Bob opens the room again.
  const again = await bobApi.call('createInvite', { room })
  await page.click('button:has-text("Join room")')
  await page.fill('#join-key', again.invite)
  await page.click('dialog button:has-text("Join")')
  await page.waitForSelector('[data-testid=conversation-title]:has-text("Street 14")', WAIT)
  t.pass('rejoining opens the room')
  await page.locator('#composer:not([disabled])').waitFor(WAIT)
  t.pass('and Alice can write in it again')
})
