import test from 'brittle'
import fs from 'fs'
import os from 'os'
import path from 'path'
import zlib from 'zlib'
import { hasChromium } from '../../harness/browser'
import type { BridgeClient } from '../../harness/bridge-client'
import { conversation, screenshot } from '../../harness/ui-page'
import { befriend, people } from '../../harness/ui-people'

const WAIT = { timeout: 60_000 }

/** A 96x64 PNG with a gradient, made here (so the test needs no image files). */
function png(): Buffer {
  const w = 96
  const h = 64
  const rows = Buffer.alloc(h * (1 + w * 3))
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) rows.set([30 + x, 120 + y, 90], y * (1 + w * 3) + 1 + x * 3)
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(w, 0)
  header.writeUInt32BE(h, 4)
  header.set([8, 2, 0, 0, 0], 8)
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', zlib.deflateSync(rows)), chunk('IEND', Buffer.alloc(0))])
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(data.length, 0)
  head.write(type, 4, 'latin1')
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0)
  return Buffer.concat([head, data, crc])
}

function crc32(buf: Buffer): number {
  let c = 0xffffffff
  for (const byte of buf) {
    c ^= byte
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  }
  return (c ^ 0xffffffff) >>> 0
}

test('a downloaded image shows inline with Open; after a reload it is still shown as downloaded', { skip: !hasChromium(), timeout: 180_000 }, async (t) => {
  const { page, aliceApi, bobApi: bob } = await people(t)
  const bobApi = bob as BridgeClient
  const { aliceNumber } = await befriend(aliceApi, bobApi)
  await page.setViewportSize({ width: 1280, height: 800 })
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peerline-preview-'))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  // The web shell saves to ~/Downloads: take away what this test put there.
  const downloads = path.join(os.homedir(), 'Downloads')
  t.teardown(() => {
    for (const f of fs.existsSync(downloads) ? fs.readdirSync(downloads) : []) if (f.startsWith('shelter-door')) fs.rmSync(path.join(downloads, f), { force: true })
  })
  const photo = path.join(dir, 'shelter-door.png')
  fs.writeFileSync(photo, png())
  await bobApi.call('sendFile', { to: aliceNumber, path: photo })
  await conversation(page, 'Bob').click()
  const card = page.locator('.message', { hasText: 'shelter-door.png' })
  await card.waitFor(WAIT)
  t.is(await card.locator('img.thumb').count(), 0, 'no preview before it is downloaded')
  await card.locator('button:has-text("Download")').click()
  await card.locator('img.thumb').waitFor(WAIT)
  // Decoded, not a broken-image box: its natural size is the PNG's.
  let size = ''
  for (let i = 0; i < 100 && size !== '96x64'; i++) {
    size = await card.locator('img.thumb').evaluate((img) => `${(img as unknown as { naturalWidth: number }).naturalWidth}x${(img as unknown as { naturalHeight: number }).naturalHeight}`)
    if (size !== '96x64') await page.waitForTimeout(50)
  }
  t.is(size, '96x64', 'downloaded: the image shows inline, decoded')
  await screenshot(page, 'image-preview-1280')
  await card.locator('button:has-text("Open")').click()
  await page.locator('dialog img.viewer').waitFor(WAIT)
  t.pass('Open shows it large')
  await screenshot(page, 'image-open-1280')
  await page.keyboard.press('Escape')

  await page.reload()
  await conversation(page, 'Bob').click()
  await page.locator('.message', { hasText: 'shelter-door.png' }).locator('img.thumb').waitFor(WAIT)
  t.is(await page.locator('.message', { hasText: 'shelter-door.png' }).locator('button:has-text("Download")').count(), 0, 'after a reload it is still downloaded, with its preview')
  await page.setViewportSize({ width: 420, height: 800 })
  await page.waitForTimeout(300)
  await screenshot(page, 'image-preview-420')
})
