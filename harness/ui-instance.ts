import { spawn } from 'child_process'
import type { ChildProcess } from 'child_process'
import fs from 'fs'
import os from 'os'
import path from 'path'

const BIN = path.join(__dirname, '..', '..', 'bin', 'peerline.js')

export interface UiInstanceOptions {
  /** Let `peerline ui` open its own window (default: --no-open). */
  open?: boolean
  env?: Record<string, string>
}

/** `peerline ui --no-open` as its own process: the web shell and its core, on a test DHT. */
export class UiInstance {
  readonly storage: string
  /** With --no-open: the one-time launch address (it sets the session cookie, then serves the app). */
  url = ''
  origin = ''
  private _child: ChildProcess | null = null
  private _stderr = ''
  private readonly _opts: UiInstanceOptions

  constructor(readonly name: string, private readonly _bootstrap: string, opts: UiInstanceOptions = {}) {
    this.storage = fs.mkdtempSync(path.join(os.tmpdir(), `peerline-ui-${name}-`))
    this._opts = opts
  }

  async start(): Promise<string> {
    const args = [BIN, 'ui', '--storage', this.storage, '--bootstrap', this._bootstrap, '--host', '127.0.0.1']
    if (!this._opts.open) args.push('--no-open')
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PEERLINE_LOOKUP_TIMEOUT: '8000', ...this._opts.env }
    })
    this._child = child
    child.stderr?.on('data', (d: Buffer) => (this._stderr += d.toString()))
    const started = await new Promise<{ url?: string; origin: string }>((resolve, reject) => {
      let out = ''
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString()
        const line = out.split('\n').find((l) => l.startsWith('{'))
        if (line) resolve(JSON.parse(line) as { url?: string; origin: string })
      })
      child.once('exit', (code) => reject(new Error(`${this.name} exited (${code}): ${this._stderr.slice(-2000)}`)))
    })
    this.url = started.url ?? ''
    this.origin = started.origin
    return this.url
  }

  get pid(): number {
    return this._child?.pid ?? -1
  }

  get running(): boolean {
    return this._child !== null && this._child.exitCode === null && this._child.signalCode === null
  }

  get log(): string {
    return this._stderr
  }

  /** Resolves when the process has logged `text` (rejects if it exits first). */
  waitForLog(text: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = this._child
      if (!child) return reject(new Error('not started'))
      const check = (): void => {
        if (!this._stderr.includes(text)) return
        child.stderr?.off('data', check)
        resolve()
      }
      child.stderr?.on('data', check)
      child.once('exit', () => reject(new Error(`${this.name} exited before logging "${text}"`)))
      check()
    })
  }

  /** Redeems the one-time launch address outside a browser: answers the Cookie header to send. */
  async sessionCookie(): Promise<string> {
    const res = await fetch(this.url, { redirect: 'manual' })
    const cookie = res.headers.get('set-cookie') ?? ''
    return cookie.split(';')[0]
  }

  async stop(): Promise<void> {
    const child = this._child
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    }
    fs.rmSync(this.storage, { recursive: true, force: true, maxRetries: 5 })
  }
}
