import fs from 'fs'
import path from 'path'
import { chromium } from 'playwright-core'
import type { Browser } from 'playwright-core'

export const CHROMIUM = process.env.PEERLINE_CHROMIUM ?? '/usr/bin/chromium'
export const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts')

/** Flags measured to work headless here (shared/MACHINE-NOTES.md). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--allow-loopback-in-peer-connection'
]

export function hasChromium(): boolean {
  return fs.existsSync(CHROMIUM)
}

export async function launchChromium(): Promise<Browser> {
  fs.mkdirSync(ARTIFACTS, { recursive: true })
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true })
}
