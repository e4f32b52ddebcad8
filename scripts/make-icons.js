#!/usr/bin/env node
// Renders app/ui/icon.svg into the PNG sizes the Linux makers and the AppImage use
// (build/icons/<size>x<size>.png, and build/icon.png at 512), with the Chromium the e2e tests use.
// Run it when the SVG changes; the PNGs are checked in so packaging needs no browser.
const fs = require('fs')
const path = require('path')
const { chromium } = require('playwright-core')

const ROOT = path.join(__dirname, '..')
const SIZES = [16, 32, 48, 64, 128, 256, 512]

async function main () {
  const svg = fs.readFileSync(path.join(ROOT, 'app', 'ui', 'icon.svg'), 'utf8')
  const out = path.join(ROOT, 'build', 'icons')
  fs.mkdirSync(out, { recursive: true })
  const browser = await chromium.launch({
    executablePath: process.env.PEERLINE_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking']
  })
  try {
    const page = await browser.newPage()
    for (const size of SIZES) {
      await page.setViewportSize({ width: size, height: size })
      const sized = svg.replace('<svg ', `<svg width="${size}" height="${size}" `)
      await page.setContent(`<html><body style="margin:0;background:transparent">${sized}</body></html>`)
      const file = path.join(out, `${size}x${size}.png`)
      await page.screenshot({ path: file, omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } })
      console.log(path.relative(ROOT, file))
    }
    fs.copyFileSync(path.join(out, '512x512.png'), path.join(ROOT, 'build', 'icon.png'))
  } finally {
    await browser.close()
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
