// The Electron shell, in the hello-pear-electron shape: a window with a sandboxed renderer, the
// P2P worker as a Bare process started by pear-runtime, and pear-runtime's P2P updates when the
// package has an `upgrade` link (off with --no-updates). It only relays lines; the Api is in the worker.
// Updates download in the background (app/updater) and apply only when the person clicks
// "Restart to update"; peerline:// links are handed to the page, which asks before acting.
import { app, BrowserWindow, desktopCapturer, ipcMain, session, shell } from 'electron'
import { pathToFileURL } from 'url'
import path from 'path'
import PearRuntime from 'pear-runtime'
import type { Sidecar } from 'pear-runtime'
import { isAppPage, isExternalLink, revealable } from './navigation'
import { SCHEME, deepLinkArg, parseDeepLink } from './deep-link'
import type { DeepLink } from './deep-link'
import { AppUpdater, relaunchOptions } from '../updater/app-updater'
import { parseBootstrap } from '../../lib/network/swarm-network'

interface Pkg {
  name: string
  productName: string
  version: string
  upgrade: string
}

const ROOT = path.join(__dirname, '..', '..', '..')
const RENDERER = path.join(ROOT, 'dist', 'ui', 'index.html')
const APP_URL = pathToFileURL(RENDERER).href
/** The worker is ours, but a line this long means something is wrong: drop it, not the app. */
const MAX_LINE = 4 * 1024 * 1024
const pkg = require(path.join(ROOT, 'package.json')) as Pkg
const argv = app.isPackaged ? process.argv.slice(1) : process.argv.slice(2)
const flag = (name: string): string | undefined => {
  const i = argv.indexOf('--' + name)
  return i === -1 ? undefined : argv[i + 1]
}

const storage = flag('storage')
if (storage) app.setPath('userData', storage)
const updates = !argv.includes('--no-updates') && pkg.upgrade.startsWith('pear://')
const workerArgs = [path.join(app.getPath('userData'), 'profile')]
for (const name of ['bootstrap', 'host']) {
  const v = flag(name)
  if (v) workerArgs.push('--' + name, v)
}

let worker: Sidecar | null = null
let updater: AppUpdater | null = null
let mainWindow: BrowserWindow | null = null
/** What the page is told once it has loaded: a ready update, a link opened before it was up. */
let pageLoaded = false
let updateReady: string | null = null
const pendingLinks: DeepLink[] = []

function startWorker(win: BrowserWindow): Sidecar {
  const w = PearRuntime.run(path.join(ROOT, 'dist', 'app', 'worker', 'worker.js'), workerArgs)
  let buffered = ''
  w.on('data', (data: Buffer) => {
    buffered += data.toString()
    if (buffered.length > MAX_LINE && buffered.indexOf('\n') === -1) {
      console.error(`worker: dropped a line over ${MAX_LINE} bytes`)
      buffered = ''
      return
    }
    let nl: number
    while ((nl = buffered.indexOf('\n')) !== -1) {
      if (!win.isDestroyed()) win.webContents.send('peerline:message', buffered.slice(0, nl))
      buffered = buffered.slice(nl + 1)
    }
  })
  w.stderr.on('data', (d: Buffer) => process.stderr.write(d))
  w.once('exit', () => {
    if (!win.isDestroyed()) win.webContents.send('peerline:exit')
  })
  return w
}

async function createWindow(): Promise<void> {
  const win = new BrowserWindow({
    width: 1100,
    height: 760,
    title: pkg.productName,
    webPreferences: {
      preload: path.join(__dirname, 'preload.js'),
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false
    }
  })
  guard(win)
  mainWindow = win
  worker = startWorker(win)
  ipcMain.on('peerline:send', (e, text: string) => {
    // Only our own page speaks to the worker (see guard).
    if (!isAppPage(e.senderFrame?.url ?? '', APP_URL)) return
    if (worker && typeof text === 'string') worker.write(text + '\n')
  })
  ipcMain.on('peerline:show-in-folder', (e, target: unknown) => {
    if (!isAppPage(e.senderFrame?.url ?? '', APP_URL)) return
    const file = revealable(target)
    if (file !== null) shell.showItemInFolder(file)
  })
  ipcMain.on('peerline:update-apply', (e) => {
    if (!isAppPage(e.senderFrame?.url ?? '', APP_URL)) return
    void restartToUpdate()
  })
  // Screen share in calls: Electron has no picker of its own; offer the first screen.
  session.defaultSession.setDisplayMediaRequestHandler((_req, callback) => {
    desktopCapturer.getSources({ types: ['screen'] }).then((sources) => callback(sources[0] ? { video: sources[0] } : {}), () => callback({}))
  })
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) => {
    callback(permission === 'media' || permission === 'notifications' || permission === 'clipboard-sanitized-write')
  })
  await win.loadFile(RENDERER)
  pageLoaded = true
  if (updateReady !== null) win.webContents.send('peerline:update-ready', updateReady)
  for (const link of pendingLinks.splice(0)) win.webContents.send('peerline:open', link)
}

/** The window shows our renderer and nothing else: every page it loads would get the bridge. */
function guard(win: BrowserWindow): void {
  const contents = win.webContents
  contents.on('will-navigate', (event: NavigationEvent, url: string) => {
    if (!isAppPage(url, APP_URL)) event.preventDefault()
  })
  contents.on('will-redirect', (event: NavigationEvent, url: string) => {
    if (!isAppPage(url, APP_URL)) event.preventDefault()
  })
  contents.on('will-attach-webview', (event: NavigationEvent) => event.preventDefault())
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalLink(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
}

interface NavigationEvent {
  preventDefault(): void
}

function startUpdates(): void {
  if (!updates || !app.isPackaged) return
  const bootstrap = flag('bootstrap')
  const host = flag('host')
  // Its own store and network, on the worker's DHT and LAN: with no internet it finds the LAN.
  updater = new AppUpdater({
    dir: app.getPath('userData'),
    productName: pkg.productName,
    version: pkg.version,
    upgrade: pkg.upgrade,
    ...(bootstrap ? { bootstrap: parseBootstrap(bootstrap) } : {}),
    ...(host ? { host } : {}),
    log: (msg) => console.error(msg)
  })
  updater.on('state', (state: string) => {
    if (state !== 'ready' || updater === null) return
    updateReady = updater.readyVersion ?? ''
    if (pageLoaded && mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send('peerline:update-ready', updateReady)
  })
  updater.ready().catch((err: Error) => console.error('updates:', err.message))
}

/** The person clicked "Restart to update": swap the app, start the new one, quit this one. */
async function restartToUpdate(): Promise<void> {
  if (updater === null || !(await updater.apply())) return
  // Not the peerline:// link this copy was opened with: it was handled already.
  const args = argv.filter((a) => deepLinkArg([a]) === null)
  app.relaunch(relaunchOptions(process.platform, process.execPath, process.env, args))
  app.quit()
}

/** A peerline:// link: to the page now, or once it has loaded. */
function openLink(text: string | null): void {
  const link = text === null ? null : parseDeepLink(text)
  if (link === null) return
  if (pageLoaded && mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send('peerline:open', link)
  else pendingLinks.push(link)
}

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  // Packaged builds register peerline:// through their installer; this covers the AppImage and zip.
  if (app.isPackaged) app.setAsDefaultProtocolClient(SCHEME)
  openLink(deepLinkArg(argv))
  app.on('second-instance', (_e, otherArgv) => {
    openLink(deepLinkArg(otherArgv))
    if (mainWindow && !mainWindow.isDestroyed()) {
      if (mainWindow.isMinimized()) mainWindow.restore()
      mainWindow.focus()
    }
  })
  app.on('open-url', (e, url) => {
    e.preventDefault()
    openLink(url)
  })
  app.whenReady().then(() => {
    startUpdates()
    return createWindow()
  }).catch((err: Error) => {
    console.error('Peerline could not start:', err)
    app.quit()
  })
  app.on('window-all-closed', () => app.quit())
  app.on('before-quit', () => {
    // SIGTERM: the worker closes its core and exits (see types/pear-runtime.d.ts for why not destroy()).
    worker?._process.kill('SIGTERM')
    void updater?.close()
  })
}
