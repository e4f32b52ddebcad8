import esbuild from 'esbuild'
import fs from 'fs'
import os from 'os'
import path from 'path'
import { chromium } from 'playwright-core'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { Api } from '../../lib/api/api'
import type { PeerlineOptions } from '../../lib/peerline'
import { AgentProcess } from '../../harness/agent'
import { CHROMIUM, CHROMIUM_ARGS } from '../../harness/browser'
import { WebShell } from '../../app/web/web-shell'

const ORIGIN = 'http://127.0.0.1:4719'
const UI = path.join(__dirname, '..', '..', '..', 'app', 'ui')

/**
 * The test page's script: the call engine on an ApiPort. Served by the real web shell (the page is
 * served by the real web shell) that is the renderer's ApiClient over the shell's WebSocket
 * bridge; without one (a worker in another process) calls and notifications cross into Node
 * through Playwright.
 */
const PAGE_JS = `
import { CallEngine } from './calls/call-engine'
import { ApiClient, webSocketTransport } from './api-client'

function playwrightPort () {
  const listeners = new Map()
  window.peerlineNotify = (name, params) => { for (const fn of listeners.get(name) ?? []) fn(params) }
  return {
    async call (method, params) {
      const r = await window.peerlineCall(method, params ?? {})
      if (r.error) throw Object.assign(new Error(r.error.message), { code: r.error.code })
      return r.result
    },
    on (event, fn) {
      if (!listeners.has(event)) listeners.set(event, new Set())
      listeners.get(event).add(fn)
      return () => listeners.get(event).delete(fn)
    }
  }
}

const viaShell = location.port !== '4719'
const api = viaShell ? new ApiClient(await webSocketTransport()) : playwrightPort()
window.makeEngine = (opts) => {
  const engine = new CallEngine(api, opts)
  window.engine = engine
  window.events = []
  for (const e of ['incoming', 'state', 'stream', 'left', 'chat', 'local', 'connection']) {
    engine.on(e, (p) => window.events.push({ event: e, ...Object.fromEntries(Object.entries(p).filter(([, v]) => !(v instanceof MediaStream))) }))
  }
  // Like the real UI: remote media plays in elements (Chromium decodes audio only for a sink).
  engine.on('stream', ({ peer, stream }) => {
    let v = document.getElementById('peer-' + peer)
    if (!v) { v = document.createElement('video'); v.id = 'peer-' + peer; v.autoplay = true; v.playsInline = true; document.body.append(v) }
    if (v.srcObject !== stream) { v.srcObject = stream; v.play().catch(() => {}) }
  })
  return true
}
window.pageReady = true
`
const PAGE_HTML = '<!doctype html><meta charset="utf-8"><title>calls</title><body><script type="module" src="/page.js"></script></body>'

/** The page script bundled like the renderer (esbuild; type imports erased). */
let pageBundle: Promise<string> | null = null
function bundlePage(): Promise<string> {
  pageBundle ??= esbuild
    .build({ stdin: { contents: PAGE_JS, resolveDir: UI, loader: 'ts' }, bundle: true, format: 'esm', platform: 'browser', target: 'chrome120', write: false, logLevel: 'warning' })
    .then((r) => r.outputFiles[0].text)
  return pageBundle
}

/** A folder the web shell serves: the test page and its script. */
async function pageDir(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peerline-calls-page-'))
  fs.writeFileSync(path.join(dir, 'index.html'), PAGE_HTML)
  fs.writeFileSync(path.join(dir, 'page.js'), await bundlePage())
  return dir
}

/**
 * Chromium as the e2e tests launch it; remote media may play without a gesture. `executablePath`
 * may be a wrapper, e.g. one that starts Chromium inside a network namespace.
 */
export async function launchBrowser(executablePath = CHROMIUM): Promise<Browser> {
  return chromium.launch({ executablePath, args: [...CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required'], headless: true })
}

/** The worker a page talks to: an in-process Api (tests) or a `peerline agent` process (bench). */
interface WorkerPort {
  call(method: string, params: Record<string, unknown>): Promise<unknown>
  subscribe(fn: (name: string, params: unknown) => void): void
  close(): Promise<unknown>
}

/** One Peerline with its renderer in a Chromium page. */
export class BrowserPeer {
  page!: Page
  number = ''
  private readonly _worker: WorkerPort
  private readonly _api: Api | null
  private _queue: Promise<unknown> = Promise.resolve()
  private _shell: WebShell | null = null
  private _dir: string | null = null

  constructor(opts: PeerlineOptions | AgentProcess) {
    if (opts instanceof AgentProcess) {
      const agent = opts
      this._api = null
      this._worker = {
        call: (method, params) => agent.callRaw(method, params),
        subscribe: (fn) => (agent.onnotification = fn),
        close: () => agent.stop()
      }
    } else {
      const api = new Api(opts)
      this._api = api
      this._worker = { call: (method, params) => api.call(method, params), subscribe: () => {}, close: () => api.close() }
    }
  }

  /** The in-process Api (tests only). */
  get api(): Api {
    if (this._api === null) throw new Error('this peer runs its worker as an agent process')
    return this._api
  }

  async open(browser: Browser, engine: Record<string, unknown> = {}): Promise<void> {
    if (this._api) await this._api.ready()
    this.number = ((await this._worker.call('whoami', {})) as { number: string }).number
    const context = await browser.newContext()
    this.page = await context.newPage()
    this.page.on('pageerror', (err) => console.error('page error:', err.message))
    if (this._api) {
      // The real web shell: token, origin and Host checks, the renderer's own ApiClient.
      const dir = await pageDir()
      this._dir = dir
      this._shell = new WebShell({ api: this._api, uiDir: dir, log: () => {}, outbox: path.join(dir, 'outbox') })
      await this._shell.ready()
      await context.grantPermissions(['camera', 'microphone'], { origin: this._shell.origin })
      await this.page.goto(this._shell.launchUrl())
    } else {
      await this._playwrightBridge(context)
    }
    await this.page.waitForFunction(() => (globalThis as any).pageReady === true)
    await this.page.evaluate((o) => (globalThis as any).makeEngine(o), engine)
  }

  /** For a worker in another process: calls and notifications cross through Playwright. */
  private async _playwrightBridge(context: BrowserContext): Promise<void> {
    const script = await bundlePage()
    await context.grantPermissions(['camera', 'microphone'], { origin: ORIGIN })
    await this.page.route(ORIGIN + '/**', (route) => {
      const url = new URL(route.request().url())
      if (url.pathname === '/') return route.fulfill({ contentType: 'text/html', body: PAGE_HTML })
      if (url.pathname === '/page.js') return route.fulfill({ contentType: 'text/javascript', body: script })
      return route.fulfill({ status: 404, body: '' })
    })
    await this.page.exposeFunction('peerlineCall', async (method: string, params: Record<string, unknown>) => {
      try {
        return { result: JSON.parse(JSON.stringify((await this._worker.call(method, params)) ?? {})) }
      } catch (err) {
        const e = err as { message: string; code?: string; data?: { code?: string } }
        return { error: { message: e.message, code: e.code ?? e.data?.code ?? 'INTERNAL' } }
      }
    })
    this._worker.subscribe((name, params) => {
      const payload = JSON.parse(JSON.stringify(params))
      // In order, as a transport would deliver them.
      this._queue = this._queue.then(() => this.page.evaluate(([n, p]) => (globalThis as any).peerlineNotify(n, p), [name, payload] as const)).catch(() => {})
    })
    await this.page.goto(ORIGIN + '/')
  }

  /** Runs `fn(engine, arg)` in the page. */
  async run<R, A = undefined>(fn: (engine: any, arg: A) => R | Promise<R>, arg?: A): Promise<R> {
    return this.page.evaluate(([src, a]) => new Function('engine', 'arg', `return (${src})(engine, arg)`)((globalThis as any).engine, a), [fn.toString(), arg] as const) as Promise<R>
  }

  /** Waits for an engine event matching `match` (a partial object) and returns it. */
  async event(match: Record<string, unknown>, timeout = 30_000): Promise<Record<string, unknown>> {
    const handle = await this.page.waitForFunction(
      (m) => ((globalThis as any).events as Array<Record<string, unknown>>).find((e) => Object.entries(m).every(([k, v]) => e[k] === v)),
      match,
      { timeout, polling: 50 }
    )
    return (await handle.jsonValue()) as Record<string, unknown>
  }

  /** Polls the peer connection's stats until `ok`; returns the last. */
  async statsUntil(call: string, peer: string, ok: (s: any) => boolean, timeout = 20_000): Promise<any> {
    const end = Date.now() + timeout
    for (;;) {
      // null until the peer connection exists
      const s = await this.run((e, a: { call: string; peer: string }) => e.stats(a.call, a.peer).catch(() => null), { call, peer })
      if ((s !== null && ok(s)) || Date.now() > end) return s
      await new Promise((r) => setTimeout(r, 200))
    }
  }

  async close(): Promise<void> {
    await this.page?.context().close().catch(() => {})
    if (this._shell) await this._shell.close()
    await this._worker.close()
    if (this._dir) fs.rmSync(this._dir, { recursive: true, force: true })
  }
}
