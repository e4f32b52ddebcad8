import test from 'brittle'
import { hasChromium } from '../../harness/browser'
import { conversation, screenshot, sendIn } from '../../harness/ui-page'
import { people } from '../../harness/ui-people'

const WAIT = { timeout: 30_000 }
const TIMER = 8

test('a disappearing message counts down and leaves the conversation and the list when its time comes', { skip: !hasChromium(), timeout: 180_000 }, async (t) => {
  const { page, aliceApi: api } = await people(t, { bob: false })
  const { room } = await api.call('createRoom', { name: 'Notes' })
  await sendIn(page, 'Notes', 'this one stays')
  await page.locator('.message.mine', { hasText: 'this one stays' }).waitFor(WAIT)
  await api.call('setTimer', { room, seconds: TIMER })
  while ((await api.call('listRooms')).find((r) => r.room === room)?.timer !== TIMER) {
    await new Promise((resolve) => setTimeout(resolve, 100))
  }

  await sendIn(page, 'Notes', 'this one disappears')
  const gone = page.locator('.message.mine', { hasText: 'this one disappears' })
  await gone.waitFor(WAIT)
  const mark = gone.locator('.timer')
  t.ok(await mark.isVisible(), 'the message carries a timer mark')
  t.ok(/^Disappears at /.test((await mark.getAttribute('title')) ?? ''), 'the mark says when it goes')
  const first = Number(/(\d+)s/.exec(await mark.innerText())?.[1])
  t.ok(first > 0 && first <= TIMER, `the mark counts seconds left (${first}s)`)
  await page.setViewportSize({ width: 1280, height: 800 })
  await screenshot(page, 'disappearing-1280')
  await page.setViewportSize({ width: 420, height: 800 })
  await screenshot(page, 'disappearing-420')
  await page.setViewportSize({ width: 1280, height: 800 })
  const left = async (): Promise<number> => Number(/(\d+)s/.exec(await mark.locator('.left').innerText())?.[1])
  while ((await left()) >= first) await new Promise((resolve) => setTimeout(resolve, 200))
  t.pass('the countdown goes down while the conversation is open')
  t.absent(await page.locator('.message.mine', { hasText: 'this one stays' }).locator('.timer').count(), 'a message from before the timer has no mark')

  // Nothing reloads the conversation: the app takes it off the screen on time.
  await gone.waitFor({ state: 'detached', timeout: (TIMER + 10) * 1000 })
  t.pass('the message left the open conversation')
  t.ok(await page.locator('.message.mine', { hasText: 'this one stays' }).isVisible(), 'the one sent before the timer stays')
  await page.locator('.conversations .preview', { hasText: 'this one disappears' }).waitFor({ state: 'detached', timeout: 10_000 })
  t.is(await conversation(page, 'Notes').locator('.preview').innerText(), 'this one stays', 'the list previews the newest message left')
  await screenshot(page, 'disappearing-gone-1280')
})
