import test from 'brittle'
import { spawn } from 'child_process'
import type { ChildProcessWithoutNullStreams } from 'child_process'
import fs from 'fs'
import os from 'os'
import path from 'path'
import readline from 'readline'
import { NetnsLan, netnsUnavailable } from '../../harness/netns'
import type { Host } from '../../harness/netns'

// The desktop updater with the internet gone: the release drive is found by LAN beacons alone,
// and once one laptop has it, the next gets it from that laptop with the publisher gone. Real
// pear-runtime Updaters, each in its own namespace on one bridge with no route out.
const MAIN = path.join(__dirname, '..', '..', 'harness', 'update-main.js')
const WAIT = 90_000

const why = netnsUnavailable()
const lanTest = why ? test.skip : test

interface Line {
  upgrade?: string
  state?: string
  version?: string | null
  reason?: string
}

class UpdateProcess {
  readonly proc: ChildProcessWithoutNullStreams
  readonly lines: Line[] = []
  readonly logs: string[] = []
  private readonly _waiters = new Set<() => void>()

  constructor(lan: NetnsLan, host: Host, args: string[]) {
    const [cmd, ...prefix] = lan.exec(host)
    this.proc = spawn(cmd, [...prefix, process.execPath, MAIN, ...args])
    readline.createInterface({ input: this.proc.stdout }).on('line', (line) => {
      this.lines.push(JSON.parse(line) as Line)
      for (const wake of this._waiters) wake()
    })
    readline.createInterface({ input: this.proc.stderr }).on('line', (line) => this.logs.push(line))
    this.proc.once('exit', () => {
      for (const wake of this._waiters) wake()
    })
  }

  /** The first line matching `fn`, within WAIT; the error names the process's last logs. */
  async waitFor(what: string, fn: (line: Line) => boolean): Promise<Line> {
    const deadline = Date.now() + WAIT
    for (;;) {
      const found = this.lines.find(fn)
      if (found) return found
      if (this.proc.exitCode !== null || Date.now() > deadline) {
        throw new Error(`no ${what} (exit ${this.proc.exitCode}); lines ${JSON.stringify(this.lines)}; logs:\n${this.logs.slice(-30).join('\n')}`)
      }
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this._waiters.delete(wake)
          clearTimeout(timer)
          resolve()
        }
        const timer = setTimeout(wake, 1000)
        this._waiters.add(wake)
      })
    }
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null) return
    const exited = new Promise((resolve) => this.proc.once('exit', resolve))
    this.proc.stdin.end()
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 10_000)
    await exited
    clearTimeout(timer)
  }
}

lanTest('an update reaches laptops on a LAN with no internet, and spreads from the first that got it', async (t) => {
  const lan = new NetnsLan()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peerline-lan-upd-'))
  const procs: UpdateProcess[] = []
  const onexit = (): void => lan.destroy()
  process.once('exit', onexit)
  t.teardown(async () => {
    await Promise.all(procs.map((p) => p.stop()))
    lan.destroy()
    process.removeListener('exit', onexit)
    fs.rmSync(dir, { recursive: true, force: true })
  })
  const [h1, h2, h3] = [1, 2, 3].map((i) => lan.addHost(`u${i}`, i))
  const run = (host: Host, args: string[]): UpdateProcess => {
    const p = new UpdateProcess(lan, host, args)
    procs.push(p)
    return p
  }

  const publisher = run(h1, ['seed', path.join(dir, 'publisher'), '0.2.0'])
  const { upgrade } = await publisher.waitFor('release link', (l) => typeof l.upgrade === 'string')

  const first = run(h2, ['update', path.join(dir, 'first'), upgrade!])
  const ready = await first.waitFor('ready on the first laptop', (l) => l.state === 'ready' || l.state === 'failed')
  t.alike([ready.state, ready.version], ['ready', '0.2.0'], 'the first laptop found the release on the LAN and has 0.2.0 ready')
  t.is(fs.readFileSync(path.join(dir, 'first', 'Peerline.AppImage'), 'utf8'), 'version 0.1.0', 'nothing is applied before the person confirms')

  await publisher.stop()
  const second = run(h3, ['update', path.join(dir, 'second'), upgrade!])
  const got = await second.waitFor('ready on the second laptop', (l) => l.state === 'ready' || l.state === 'failed')
  t.alike([got.state, got.version], ['ready', '0.2.0'], 'the second laptop got 0.2.0 from the first, with the publisher gone')
})
