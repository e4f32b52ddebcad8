import fs from 'fs'
import http from 'http'
import path from 'path'
import crypto from 'crypto'
import type { AddressInfo } from 'net'
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
const MAX_FRAME = 1024 * 1024

/**
 * The renderer served on 127.0.0.1, and a WebSocket JSON-RPC bridge to the Api. The bridge is the
 * Api's whole power, so it takes only connections that carry the token made at launch (the page
 * gets it in the URL fragment, which never reaches a server log) from our own origin and Host
 * (a foreign page or a DNS-rebinding name is refused).
 */
export class WebShell extends ReadyResource {
  readonly token: string = crypto.randomBytes(32).toString('hex')
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

  /** The address to open: the token rides in the fragment. */
  get url(): string {
    return `${this._origin}/#token=${this.token}`
  }

  protected override async _open(): Promise<void> {
    for (const name of fs.readdirSync(this._o.uiDir)) {
      if (TYPES[path.extname(name)] !== undefined) this._files.set('/' + name, path.join(this._o.uiDir, name))
    }
    if (!this._files.has('/index.html')) throw new Error(`no renderer in ${this._o.uiDir}: run npm run build`)
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
    await new Promise<void>((resolve) => this._server.close(() => resolve()))
  }

  /** Why a bridge or upload request is refused, or null to accept it. */
  private _refuse(req: http.IncomingMessage, path = BRIDGE_PATH): string | null {
    const url = new URL(req.url ?? '/', this._origin)
    if (url.pathname !== path) return 'wrong path'
    if (req.headers.host !== this._origin.slice('http://'.length)) return `foreign host ${String(req.headers.host)}`
    if (req.headers.origin !== this._origin) return `foreign origin ${String(req.headers.origin)}`
    const header = req.headers['x-peerline-token']
    const token = (typeof header === 'string' ? header : url.searchParams.get('token')) ?? ''
    if (!sameSecret(token, this.token)) return token ? 'wrong token' : 'no token'
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
    const name = new URL(req.url ?? '/', this._origin).searchParams.get('name') ?? 'file'
    const dir = path.join(this._o.outbox, crypto.randomBytes(8).toString('hex'))
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
    const file = pathInFolder(dir, name)
    const out = fs.createWriteStream(file, { mode: 0o600 })
    const fail = (err: Error): void => {
      this._o.log('upload: ' + err.message)
      out.destroy()
      fs.rmSync(dir, { recursive: true, force: true })
      if (!res.headersSent) json(500, { error: 'Could not keep that file: ' + err.message })
    }
    req.on('error', fail)
    out.on('error', fail)
    out.on('finish', () => json(200, { path: file }))
    req.pipe(out)
  }

  private _bridge(ws: WebSocket): void {
    const rpc = new JsonRpcServer(this._o.api, (msg) => ws.send(JSON.stringify(msg)), this._o.log)
    ws.on('message', (data, isBinary) => {
      if (isBinary) return void ws.close(1003, 'text frames only')
      void rpc.receive(data.toString())
    })
    ws.on('error', (err) => this._o.log('bridge: ' + err.message))
    ws.on('close', () => rpc.detach())
  }

  private _serve(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (req.method === 'POST') return this._upload(req, res)
    const pathname = new URL(req.url ?? '/', 'http://x').pathname
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

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.byteLength === y.byteLength && crypto.timingSafeEqual(x, y)
}
