import test from 'brittle'
import { execFileSync } from 'child_process'
import os from 'os'
import path from 'path'
import fs from 'fs'
import { hasChromium } from '../../harness/browser'
import { screenshot } from '../../harness/ui-page'
import { people } from '../../harness/ui-people'
import { MAIN } from '../../harness/agent'

const WAIT = { timeout: 30_000 }

test('adding someone who is offline: the dialog says so, the list shows them waiting, and Cancel stops it', { skip: !hasChromium(), timeout: 180_000 }, async (t) => {
  const { page } = await people(t, { bob: false })
  // A real profile that is never started: to Alice it looks like someone offline.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peerline-offline-'))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  const number = execFileSync(process.execPath, [MAIN, 'id', '--storage', dir]).toString().trim()

  await page.click('button:has-text("+ Contact")')
  await page.fill('#add-number', number)
  await page.click('dialog button:has-text("Add")')
  const result = page.locator('[data-testid=add-result]')
  await result.waitFor(WAIT)
  t.ok((await result.textContent())?.includes(`Nobody answered on ${number} yet`), 'the dialog says nobody answered yet, not an error')
  await page.keyboard.press('Escape')

  const card = page.locator('[data-testid=searching]')
  await card.waitFor(WAIT)
  t.ok((await card.textContent())?.includes(`Waiting for ${number} to come online`), 'the list shows the number as waiting')
  await screenshot(page, 'searching-contact')
  await card.locator('button:has-text("Cancel")').click()
  await card.waitFor({ state: 'detached', timeout: 30_000 })
  t.pass('Cancel stops the search and the card goes')
})
