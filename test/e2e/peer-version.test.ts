import test from 'brittle'
import { hasChromium } from '../../harness/browser'
import { screenshot } from '../../harness/ui-page'
import { befriend, people } from '../../harness/ui-people'

test('a contact on a newer Peerline: a banner says who and what to do, and stays until read', { skip: !hasChromium(), timeout: 180_000 }, async (t) => {
  // PEERLINE_SIMULATE_PROTOCOL: Bob's core speaks the next minor version (see mixed-version.test.ts).
  const { page, aliceApi, bobApi } = await people(t, { bobEnv: { PEERLINE_SIMULATE_PROTOCOL: '2.2' } })
  if (bobApi === null) throw new Error('no Bob')
  await befriend(aliceApi, bobApi)
  const notice = page.locator('.shell-notice', { hasText: 'runs a newer Peerline' })
  await notice.waitFor({ timeout: 30_000 })
  t.ok((await notice.textContent())?.includes('Bob'), 'it names Bob: ' + (await notice.textContent()))
  t.ok((await notice.textContent())?.includes('update to see everything'), 'and says what to do')
  await page.waitForTimeout(7000) // longer than a toast lasts
  t.ok(await notice.isVisible(), 'still there after a toast would have gone')
  await screenshot(page, 'peer-version-banner')
  await notice.locator('button:has-text("OK")').click()
  await notice.waitFor({ state: 'detached', timeout: 5000 })
  t.pass('OK dismisses it')
})
