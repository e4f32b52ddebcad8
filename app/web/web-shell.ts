import fs from 'fs'
import http from 'http'
import path from 'path'
import crypto from 'crypto'
import type { AddressInfo } from 'net'
import { pathToFileURL } from 'url'
import ReadyResource from 'ready-resource'
import { WebSocketServer } from 'ws'
import type WebSocket from 'ws'
import type { Api } from '../../lib/api/api'
import { JsonRpcServer } from '../../lib/api/json-rpc'
import type { Log } from '../../lib/log'
import { pathInFolder } from '../../lib/files/file-name'

export interface WebShellOptions {
  api: Api
  /** The built renderer (dist/ui): index.html, app.js, styles.css. */
  uiDir: string
  log: Log
  /** Where files picked in the browser are kept so the worker can send and serve them. */
  outbox: string
  /** 0 (the default) picks a free port. */
  port?: number
  /** The largest file the page may hand over, in bytes. */
  maxUpload?: number
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json'
}

const BRIDGE_PATH = '/bridge'
const UPLOAD_PATH = '/upload'
const LAUNCH_PATH = '/launch'
const MAX_FRAME = 1024 * 1024
/** A client that lets this much pile up unread is gone or hostile: it is disconnected. */
const MAX_BUFFERED = 16 * 1024 * 1024
const DEFAULT_MAX_UPLOAD = 4 * 1024 * 1024 * 1024
const COOKIE = 'peerline'
/** The name an upload has until it is whole; a folder holding one is left over from a crash. */
const PARTIAL = '.partial'

/**
 * The renderer served on 127.0.0.1, and a WebSocket JSON-RPC bridge to the Api. The bridge is the
 * Api's whole power, so it takes only connections from our own origin and Host (a foreign page or
 * a DNS-rebinding name is refused) that carry the session cookie. The cookie is HttpOnly (no
 * script in the page can read it) and is set only in exchange for a one-time launch nonce, which
 * reaches the browser through a 0600 launch page or our own stdout, never a command line (other
 * local users can read every process's command line in /proc).
 */
export class WebShell extends ReadyResource {
  private readonly _secret: string = crypto.randomBytes(32).toString('hex')
  private readonly _nonces = new Set<string>()
  private readonly _launchPages = new Set<string>()
  private readonly _o: WebShellOptions
  private readonly _files = new Map<string, string>()
  private readonly _server: http.Server
  private readonly _wss: WebSocketServer
  private _origin = ''

  constructor(opts: WebShellOptions) {
    super()
    this._o = opts
    this._server = http.createServer((req, res) => this._serve(req, res))
    this._wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME })
    this._server.on('upgrade', (req, socket, head) => {
      const refusal = this._refuse(req)
      if (refusal !== null) {
        this._o.log(`bridge: refused a connection (${refusal})`)
        socket.end(`HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
        return
      }
      this._wss.handleUpgrade(req, socket, head, (ws) => this._bridge(ws))
    })
  }

  get origin(): string {
    return this._origin
  }

  /** A one-time address that sets the session cookie and opens the app. */
  launchUrl(): string {
    const nonce = crypto.randomBytes(32).toString('hex')
    this._nonces.add(nonce)
    return `${this._origin}${LAUNCH_PATH}?nonce=${nonce}`
  }

  /**
   * Writes a page only this user can read that sends the browser to a one-time launch address;
   * answers its file:// URL, which is safe to put on a command line. It is deleted once used.
   */
  writeLaunchPage(file: string): string {
    const target = this.launchUrl()
    fs.writeFileSync(file, `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${target}"><title>Peerline</title>\n`, { mode: 0o600 })
    fs.chmodSync(file, 0o600)
    this._launchPages.add(file)
    return pathToFileURL(file).href
  }

  protected override async _open(): Promise<void> {
    for (const name of fs.readdirSync(this._o.uiDir)) {
      if (TYPES[path.extname(name)] !== undefined) this._files.set('/' + name, path.join(this._o.uiDir, name))
    }
    if (!this._files.has('/index.html')) throw new Error(`no renderer in ${this._o.uiDir}: run npm run build`)
    this._sweepOutbox()
    await new Promise<void>((resolve, reject) => {
      this._server.once('error', reject)
      this._server.listen(this._o.port ?? 0, '127.0.0.1', () => resolve())
    })
    const { port } = this._server.address() as AddressInfo
    this._origin = `http://127.0.0.1:${port}`
  }

  protected override async _close(): Promise<void> {
    for (const ws of this._wss.clients) ws.terminate()
    this._wss.close()
    this._dropLaunchPages()
    await new Promise<void>((resolve) => this._server.close(() => resolve()))
  }

  private _dropLaunchPages(): void {
    for (const file of this._launchPages) fs.rmSync(file, { force: true })
    this._launchPages.clear()
  }

  /** Uploads a crash cut short (a folder still holding a partial file) are removed at start. */
  private _sweepOutbox(): void {
    let dirs: string[]
    try {
      dirs = fs.readdirSync(this._o.outbox)
    } catch {
      return
    }
    for (const d of dirs) {
      const dir = path.join(this._o.outbox, d)
      let names: string[]
      try {
        names = fs.readdirSync(dir)
      } catch {
        continue
      }
      if (names.length === 0 || names.includes(PARTIAL)) fs.rmSync(dir, { recursive: true, force: true })
    }
  }

  /** The request's URL, or null when it does not parse (any local process can send anything). */
  private _url(req: http.IncomingMessage): URL | null {
    try {
      return new URL(req.url ?? '/', this._origin)
    } catch {
      return null
    }
  }

  /** GET /launch?nonce=N: a nonce we minted, used once, is exchanged for the session cookie. */
  private _launch(url: URL, res: http.ServerResponse): void {
    const nonce = url.searchParams.get('nonce') ?? ''
    if (!this._nonces.delete(nonce)) {
      this._o.log('launch: refused an unknown or used nonce')
      res.writeHead(403, { 'Content-Type': 'text/plain' }).end('This launch address was already used. Start Peerline again.')
      return
    }
    this._dropLaunchPages()
    res.writeHead(303, {
      Location: '/',
      'Cache-Control': 'no-store',
      'Set-Cookie': `${COOKIE}=${this._secret}; HttpOnly; SameSite=Strict; Path=/`
    }).end()
  }

  /** Why a bridge or upload request is refused, or null to accept it. */
  private _refuse(req: http.IncomingMessage, path = BRIDGE_PATH): string | null {
    const url = this._url(req)
    if (url === null) return 'malformed URL'
    if (url.pathname !== path) return 'wrong path'
    if (req.headers.host !== this._origin.slice('http://'.length)) return `foreign host ${String(req.headers.host)}`
    if (req.headers.origin !== this._origin) return `foreign origin ${String(req.headers.origin)}`
    const cookie = cookieValue(req.headers.cookie, COOKIE)
    if (!sameSecret(cookie, this._secret)) return cookie ? 'wrong cookie' : 'no cookie'
    return null
  }

  /**
   * A file picked in the page, streamed into the outbox (browsers never tell a page a file's
   * path). Answers `{path}` for sendFile.
   */
  private _upload(req: http.IncomingMessage, res: http.ServerResponse): void {
    const json = (status: number, body: object): void => void res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body))
    const refusal = this._refuse(req, UPLOAD_PATH)
    if (refusal !== null) {
      this._o.log(`upload: refused (${refusal})`)
      return json(403, { error: 'Refused.' })
    }
    const max = this._o.maxUpload ?? DEFAULT_MAX_UPLOAD
    const tooLarge = `That file is too large to send: the limit is ${formatBytes(max)}.`
    if (Number(req.headers['content-length'] ?? 0) > max) {
      res.setHeader('Connection', 'close')
      return json(413, { error: tooLarge })
    }
    const name = (this._url(req) as URL).searchParams.get('name') ?? 'file'
    const dir = path.join(this._o.outbox, crypto.randomBytes(8).toString('hex'))
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
    const file = pathInFolder(dir, name)
    const partial = path.join(dir, PARTIAL)
    const out = fs.createWriteStream(partial, { mode: 0o600 })
    let received = 0
    let failed = false
    const fail = (status: number, message: string): void => {
      if (failed) return
      failed = true
      this._o.log('upload: ' + message)
      req.unpipe(out)
      out.destroy()
      fs.rmSync(dir, { recursive: true, force: true })
      res.setHeader('Connection', 'close')
      if (!res.headersSent) json(status, { error: message })
      req.destroy()
    }
    req.on('data', (chunk: Buffer) => {
      received += chunk.byteLength
      if (received > max) fail(413, tooLarge)
    })
    req.on('error', (err) => fail(500, 'Could not keep that file: ' + err.message))
    out.on('error', (err) => fail(500, 'Could not keep that file: ' + err.message))
    out.on('finish', () => {
      if (failed) return
      try {
        fs.renameSync(partial, file)
      } catch (err) {
        return fail(500, 'Could not keep that file: ' + (err as Error).message)
      }
      json(200, { path: file })
    })
    req.pipe(out)
  }

  /** DELETE /upload?path=P: the page could not send an upload, so it goes (only inside the outbox). */
  private _discard(req: http.IncomingMessage, res: http.ServerResponse): void {
    const refusal = this._refuse(req, UPLOAD_PATH)
    if (refusal !== null) return void res.writeHead(403).end()
    const file = path.resolve((this._url(req) as URL).searchParams.get('path') ?? '')
    const dir = path.dirname(file)
    if (path.dirname(dir) !== path.resolve(this._o.outbox)) return void res.writeHead(404).end()
    fs.rmSync(dir, { recursive: true, force: true })
    res.writeHead(204).end()
  }

  private _bridge(ws: WebSocket): void {
    this._o.log('bridge: connected')
    const rpc = new JsonRpcServer(this._o.api, (msg) => {
      if (ws.readyState !== ws.OPEN) return
      // A page that stops reading would make us hold every notification: drop it instead.
      if (ws.bufferedAmount > MAX_BUFFERED) {
        this._o.log(`bridge: disconnected a client that stopped reading (${ws.bufferedAmount} bytes waiting)`)
        ws.terminate()
        return
      }
      ws.send(JSON.stringify(msg))
    }, this._o.log)
    ws.on('message', (data, isBinary) => {
      if (isBinary) return void ws.close(1003, 'text frames only')
      void rpc.receive(data.toString())
    })
    ws.on('error', (err) => this._o.log('bridge: ' + err.message))
    ws.on('close', () => rpc.detach())
  }

  private _serve(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = this._url(req)
    if (url === null) return void res.writeHead(400, { 'Content-Type': 'text/plain', Connection: 'close' }).end('bad request')
    if (req.method === 'POST') return this._upload(req, res)
    if (req.method === 'DELETE') return this._discard(req, res)
    const pathname = url.pathname
    if (pathname === LAUNCH_PATH && req.method === 'GET' && req.headers.host === this._origin.slice('http://'.length)) return this._launch(url, res)
    const file = this._files.get(pathname === '/' ? '/index.html' : pathname)
    if (req.method !== 'GET' || file === undefined || req.headers.host !== this._origin.slice('http://'.length)) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found')
      return
    }
    res.writeHead(200, {
      'Content-Type': TYPES[path.extname(file)],
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Content-Security-Policy': [
        "default-src 'self'",
        `connect-src 'self' ws://${this._origin.slice('http://'.length)}`,
        "img-src 'self' data: blob:",
        'media-src blob: mediastream:',
        "style-src 'self'",
        "script-src 'self'",
        "frame-ancestors 'none'"
      ].join('; ')
    })
    fs.createReadStream(file).pipe(res)
  }
}

function cookieValue(header: string | undefined, name: string): string {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return ''
}

function formatBytes(n: number): string {
  const gib = n / 1024 ** 3
  return gib >= 1 ? `${Number(gib.toFixed(1))} GB` : `${Number((n / 1024 ** 2).toFixed(1))} MB`
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.byteLength === y.byteLength && crypto.timingSafeEqual(x, y)
}
