import test from 'brittle'
import { localTestnet } from '../../harness/testnet'
import { UiInstance } from '../../harness/ui-instance'
import { hasChromium, launchChromium } from '../../harness/browser'
import { conversation, firstRun, openPage, screenshot, sendIn, videoPlaying } from '../../harness/ui-page'

const WAIT = { timeout: 30_000 }

test('three people in Chromium: first run, request with safety code, chat both ways, a room joined by key, a member removed', { skip: !hasChromium(), timeout: 240_000 }, async (t) => {
  const { testnet, bootstrap } = await localTestnet()
  const people = [new UiInstance('alice', bootstrap), new UiInstance('bob', bootstrap), new UiInstance('carol', bootstrap)]
  const browser = await launchChromium()
  t.teardown(async () => {
    await browser.close()
    await Promise.all(people.map((p) => p.stop()))
    await testnet.destroy()
  })
  await Promise.all(people.map((p) => p.start()))
  const [alice, bob, carol] = await Promise.all(people.map((p) => openPage(browser, p.url)))
  t.is(await alice.evaluate('location.hash'), '', 'the launch token leaves the address bar')

  const aliceNumber = await firstRun(alice, 'Alice', 'first-run')
  const bobNumber = await firstRun(bob, 'Bob')
  const carolNumber = await firstRun(carol, 'Carol')
  t.ok(/^\d{9}$/.test(aliceNumber) && /^\d{9}$/.test(bobNumber), 'first run shows a nine-digit number')
  t.is(((await alice.textContent('.sidebar [data-testid=my-number]')) ?? '').replace(/\D/g, ''), aliceNumber, 'the number stays in the sidebar')

  // Alice adds Bob by number; both see the same safety code.
  await alice.click('button:has-text("+ Contact")')
  await alice.fill('#add-number', bobNumber.replace(/(\d{3})(\d{3})(\d{3})/, '$1 $2 $3'))
  await alice.click('dialog button:has-text("Add")')
  await alice.waitForSelector('[data-testid=add-result]', WAIT)
  const aliceCode = await alice.textContent('dialog [data-testid=safety-code]')
  await screenshot(alice, 'add-contact')
  await alice.keyboard.press('Escape')
  const request = bob.locator('[data-testid=request]')
  await request.waitFor(WAIT)
  t.ok((await request.textContent())?.includes('Alice'), 'Bob sees the request with her name')
  t.is(await request.locator('code').textContent(), aliceCode, 'and the same safety code')
  await screenshot(bob, 'contact-request')
  await request.locator('button:has-text("Accept")').click()

  // Chat both ways.
  await conversation(alice, 'Bob').waitFor(WAIT)
  await conversation(bob, 'Alice').waitFor(WAIT)
  await sendIn(alice, 'Bob', 'Hello Bob, the power is out here')
  await conversation(bob, 'Alice').locator('.unread').waitFor(WAIT)
  t.pass('Bob sees an unread count')
  await sendIn(bob, 'Alice', 'Same here. Shelter B has water')
  await bob.locator('.message.theirs', { hasText: 'Hello Bob, the power is out here' }).waitFor(WAIT)
  await alice.locator('.message.theirs', { hasText: 'Same here. Shelter B has water' }).waitFor(WAIT)
  t.pass('messages arrive both ways')
  await screenshot(alice, 'conversation')

  // A video call from the conversation: Bob accepts, both decode each other's video.
  await conversation(alice, 'Bob').click()
  await alice.click('.conv-head button:has-text("Video call")')
  await bob.locator('[data-testid=incoming-call]').waitFor(WAIT)
  t.ok((await bob.textContent('[data-testid=incoming-call]'))?.includes('Alice'), 'Bob is rung by Alice')
  await bob.click('dialog button:has-text("Accept with video")')
  await Promise.all([videoPlaying(alice), videoPlaying(bob)])
  t.pass('both sides play the other\'s video')
  await alice.fill('.call-side input', 'can you hear me?')
  await alice.press('.call-side input', 'Enter')
  await bob.locator('.call-chat li', { hasText: 'can you hear me?' }).waitFor(WAIT)
  t.pass('in-call chat arrives')
  await screenshot(alice, 'call')
  await alice.click('.call-controls button:has-text("Hang up")')
  await bob.locator('.call-screen').waitFor({ state: 'detached', ...WAIT })
  await alice.locator('.call-event', { hasText: 'Video call' }).waitFor(WAIT)
  t.pass('the call ends on both sides and is recorded in the conversation')

  // A room: Alice creates it, Carol joins with the key.
  await alice.click('button:has-text("+ Room")')
  await alice.fill('#room-name', 'Shelter B')
  await alice.click('dialog button:has-text("Create")')
  const key = await alice.locator('[data-testid=room-key]').inputValue(WAIT)
  t.ok(key.length > 20, 'the room key is shown')
  t.ok(await alice.locator('dialog svg.qr').isVisible(), 'with a QR code')
  await screenshot(alice, 'room-key')
  await alice.keyboard.press('Escape')

  await carol.click('button:has-text("Join room")')
  await carol.fill('#join-key', key)
  await carol.click('dialog button:has-text("Join")')
  await carol.waitForSelector('[data-testid=conversation-title]:has-text("Shelter B")', WAIT)
  t.pass('Carol joined the room by key')
  await sendIn(carol, 'Shelter B', 'Carol here, I can bring blankets')
  await conversation(alice, 'Shelter B').click()
  await alice.locator('.message.theirs', { hasText: 'I can bring blankets' }).waitFor(WAIT)
  t.pass('Alice reads Carol in the room')

  // Alice removes Carol; Carol's room turns read-only.
  await alice.click('button:has-text("Room info")')
  const carolRow = alice.locator(`dialog li[data-number="${carolNumber}"]`)
  await carolRow.waitFor(WAIT)
  await screenshot(alice, 'room-members')
  await carolRow.locator('button:has-text("Remove")').click()
  await alice.click('dialog[data-testid=confirm] button:has-text("Remove")')
  await carol.locator('.conversations .tag:has-text("removed")').waitFor(WAIT)
  t.ok(await carol.locator('#composer').isDisabled(), 'the removed member can no longer write')
  await alice.click('button:has-text("Room info")')
  t.is(await alice.locator(`dialog li[data-number="${carolNumber}"]`).count(), 0, 'Carol is gone from the members')
  await alice.keyboard.press('Escape')
  await screenshot(carol, 'removed')
})
