import { spawn } from 'child_process'
import type { ChildProcess } from 'child_process'
import fs from 'fs'
import path from 'path'
import { Api } from '../../lib/api/api'
import type { PeerlineOptions } from '../../lib/peerline'
import { WebShell } from '../web/web-shell'
import { shutdown } from '../shutdown'

const ROOT = path.join(__dirname, '..', '..', '..')
const UI_DIR = path.join(ROOT, 'dist', 'ui')
const BROWSERS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable']

export interface UiOptions {
  peerline: PeerlineOptions
  /** Never start Electron or a browser window: serve and print the address (tests, servers). */
  noOpen: boolean
  port: number
  /** The raw arguments, handed on to Electron. */
  argv: string[]
  log: (msg: string) => void
}

/**
 * `peerline ui` and `npm start`: Electron when it is installed; otherwise the web shell, opened as
 * an app window in Chromium when there is one and a display, else its address is printed.
 */
export async function ui(o: UiOptions): Promise<void> {
  const electron = o.noOpen ? null : electronBinary()
  if (electron !== null) return runElectron(electron, o)

  const api = new Api(o.peerline)
  // PEERLINE_MAX_UPLOAD (bytes) lowers the upload cap, for tests and small disks.
  const maxUpload = Number(process.env.PEERLINE_MAX_UPLOAD) || undefined
  const shell = new WebShell({ api, uiDir: UI_DIR, outbox: path.join(o.peerline.storage, 'outbox'), log: o.log, port: o.port, maxUpload })
  let window: ChildProcess | null = null
  const stop = shutdown(async () => {
    // The window goes first, so its profile is not being written while we exit.
    if (window && window.exitCode === null) {
      const closed = new Promise((resolve) => window?.once('exit', resolve))
      window.kill('SIGTERM')
      await closed
    }
    await shell.close()
    await api.close()
  }, { log: o.log })
  await shell.ready()
  // The page can load before the core: calls wait for it (the Api says CLOSED until ready).
  await api.ready()
  const browser = o.noOpen ? null : browserBinary()
  const display = process.env.DISPLAY || process.env.WAYLAND_DISPLAY
  if (browser && display) {
    // The window gets a 0600 launch page: its path on the command line holds no secret.
    const page = shell.writeLaunchPage(path.join(o.peerline.storage, 'launch.html'))
    process.stdout.write(JSON.stringify({ origin: shell.origin }) + '\n')
    window = openAppWindow(browser, page, path.join(o.peerline.storage, 'browser'))
    window.once('exit', () => void stop('window closed'))
  } else {
    // Our stdout reaches only whoever started us; the address works once.
    const url = shell.launchUrl()
    process.stdout.write(JSON.stringify({ origin: shell.origin, url }) + '\n')
    process.stderr.write(`\nPeerline is running. Open this address in a browser on this machine (it works once):\n\n  ${url}\n\n(Ctrl+C stops it.)\n`)
  }
}

function electronBinary(): string | null {
  try {
    // The electron package's main export is the path of its binary; absent when it did not install.
    const bin = require('electron') as unknown
    return typeof bin === 'string' && fs.existsSync(bin) ? bin : null
  } catch {
    return null
  }
}

function browserBinary(): string | null {
  const wanted = process.env.PEERLINE_BROWSER
  if (wanted) return wanted
  return BROWSERS.find((b) => fs.existsSync(b)) ?? null
}

function openAppWindow(browser: string, url: string, profile: string): ChildProcess {
  // A profile of its own, so the window is ours alone and closing it ends Peerline.
  const args = [`--app=${url}`, `--user-data-dir=${profile}`, '--no-first-run', '--no-default-browser-check', '--disable-background-networking', '--disable-sync', '--class=Peerline', '--window-size=1100,760']
  // Chromium refuses to start as root with its sandbox (containers, live USB systems).
  if (process.getuid?.() === 0) args.push('--no-sandbox')
  return spawn(browser, args, { stdio: 'ignore' })
}

function runElectron(bin: string, o: UiOptions): Promise<void> {
  const main = path.join(ROOT, 'dist', 'app', 'electron', 'main.js')
  const child = spawn(bin, [main, ...o.argv], { stdio: 'inherit' })
  // Electron owns the app from here (and its worker); we leave when it does.
  return new Promise(() => child.once('exit', (code) => process.exit(code ?? 0)))
}
