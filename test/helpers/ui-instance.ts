import { spawn } from 'child_process'
import type { ChildProcess } from 'child_process'
import fs from 'fs'
import os from 'os'
import path from 'path'

const BIN = path.join(__dirname, '..', '..', '..', 'bin', 'peerline.js')

/** `peerline ui --no-open` as its own process: the web shell and its core, on a test DHT. */
export class UiInstance {
  readonly storage: string
  url = ''
  private _child: ChildProcess | null = null
  private _stderr = ''

  constructor(readonly name: string, private readonly _bootstrap: string) {
    this.storage = fs.mkdtempSync(path.join(os.tmpdir(), `peerline-ui-${name}-`))
  }

  async start(): Promise<string> {
    const child = spawn(process.execPath, [BIN, 'ui', '--no-open', '--storage', this.storage, '--bootstrap', this._bootstrap, '--host', '127.0.0.1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PEERLINE_LOOKUP_TIMEOUT: '8000' }
    })
    this._child = child
    child.stderr?.on('data', (d: Buffer) => (this._stderr += d.toString()))
    this.url = await new Promise<string>((resolve, reject) => {
      let out = ''
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString()
        const line = out.split('\n').find((l) => l.startsWith('{'))
        if (line) resolve((JSON.parse(line) as { url: string }).url)
      })
      child.once('exit', (code) => reject(new Error(`${this.name} exited (${code}): ${this._stderr.slice(-2000)}`)))
    })
    return this.url
  }

  get origin(): string {
    return new URL(this.url).origin
  }

  get token(): string {
    return new URLSearchParams(new URL(this.url).hash.slice(1)).get('token') ?? ''
  }

  get log(): string {
    return this._stderr
  }

  async stop(): Promise<void> {
    const child = this._child
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    }
    fs.rmSync(this.storage, { recursive: true, force: true })
  }
}
