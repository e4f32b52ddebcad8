import test from 'brittle'
import { hasChromium } from '../../harness/browser'
import { screenshot } from '../../harness/ui-page'
import { befriend, people } from '../../harness/ui-people'

const WAIT = { timeout: 30_000 }

test('an incoming call is the ringing dialog alone: no call screen or Hang up behind it until answered', { skip: !hasChromium(), timeout: 180_000 }, async (t) => {
  const { page, aliceApi, bobApi } = await people(t)
  if (!bobApi) throw new Error('no Bob')
  const { aliceNumber } = await befriend(aliceApi, bobApi)
  const online = async (): Promise<boolean> => (await bobApi.call('listContacts')).some((c) => c.number === aliceNumber && c.online)
  while (!(await online())) await new Promise((resolve) => setTimeout(resolve, 100))

  // The call channel opens with the peer session, a moment after the contact shows online.
  let call = ''
  for (let tries = 0; call === '' && tries < 100; tries++) {
    call = await bobApi.call('startCall', { to: aliceNumber, video: false }).then((r) => r.call, () => '')
    if (call === '') await new Promise((resolve) => setTimeout(resolve, 200))
  }
  const ring = page.locator('dialog[open]', { hasText: 'Decline' })
  await ring.waitFor(WAIT)
  t.ok(await ring.locator('button:has-text("Accept")').isVisible(), 'the dialog offers Accept')
  // Notifications reach the window in order: once a message sent after the call shows in the list,
  // the call's state notification (sent right after the ring) has been handled too.
  await bobApi.call('send', { to: aliceNumber, text: 'pick up?' })
  await page.locator('.conversations .preview', { hasText: 'pick up?' }).waitFor(WAIT)
  t.ok(await ring.isVisible(), 'still ringing')
  t.is(await page.locator('.call-controls').count(), 0, 'no call screen behind the dialog')
  t.is(await page.locator('button:has-text("Hang up")').count(), 0, 'no Hang up before answering')
  await screenshot(page, 'incoming-call-1280')

  await bobApi.call('hangUp', { call })
  await ring.waitFor({ state: 'detached', ...WAIT })
  t.pass('the dialog goes when the caller gives up')
  t.is(await page.locator('.call-controls').count(), 0, 'and no call screen is left')
})
