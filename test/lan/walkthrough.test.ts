import test from 'brittle'
import { spawn } from 'child_process'
import type { ChildProcessWithoutNullStreams } from 'child_process'
import fs from 'fs'
import os from 'os'
import path from 'path'
import readline from 'readline'
import { NetnsLan, netnsUnavailable } from '../../harness/netns'
import type { Host } from '../../harness/netns'

// README's "Two people on one Wi-Fi", run as written: `peerline chat` on two laptops on one
// LAN with no route anywhere else and nothing configured, the commands typed as a person would.
const BIN = path.join(__dirname, '..', '..', '..', 'bin', 'peerline.js')
const WAIT = 60_000

const why = netnsUnavailable()
const lanTest = why ? test.skip : test

/** A terminal chat: lines typed in, lines read out (prompts and cursor codes removed). */
class Terminal {
  readonly proc: ChildProcessWithoutNullStreams
  readonly out: string[] = []

  constructor(lan: NetnsLan, host: Host, storage: string) {
    const [cmd, ...prefix] = lan.exec(host)
    this.proc = spawn(cmd, [...prefix, process.execPath, BIN, 'chat', '--storage', storage])
    readline.createInterface({ input: this.proc.stdout }).on('line', (line) => {
      // eslint-disable-next-line no-control-regex
      this.out.push(line.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/^(> )+/, ''))
    })
  }

  type(line: string): void {
    this.proc.stdin.write(line + '\n')
  }

  async see(pattern: RegExp): Promise<RegExpMatchArray> {
    const deadline = Date.now() + WAIT
    for (;;) {
      for (const line of this.out) {
        const m = pattern.exec(line)
        if (m) return m
      }
      if (this.proc.exitCode !== null || Date.now() > deadline) throw new Error(`never printed ${pattern}; printed:\n${this.out.join('\n')}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  async quit(): Promise<void> {
    if (this.proc.exitCode !== null) return
    const exited = new Promise((resolve) => this.proc.once('exit', resolve))
    this.type('/quit')
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 15_000)
    await exited
    clearTimeout(timer)
  }
}

lanTest("README's two people on one Wi-Fi: the terminal chat, typed as written", async (t) => {
  const lan = new NetnsLan()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peerline-walk-'))
  const onexit = (): void => lan.destroy()
  process.once('exit', onexit)
  const terms: Terminal[] = []
  t.teardown(async () => {
    await Promise.all(terms.map((x) => x.quit()))
    lan.destroy()
    process.removeListener('exit', onexit)
    fs.rmSync(dir, { recursive: true, force: true })
  })
  const [ana, bea] = ['ana', 'bea'].map((name, i) => {
    const term = new Terminal(lan, lan.addHost(name, i + 1), path.join(dir, name))
    terms.push(term)
    return term
  })

  const [, anaNumber] = await ana.see(/Your number is ([\d ]+)\./)
  const [, beaNumber] = await bea.see(/Your number is ([\d ]+)\./)
  await ana.see(/^Ready/)
  await bea.see(/^Ready/)
  ana.type('/name Ana')
  bea.type('/name Bea')
  await ana.see(/Your name is now Ana/)
  await bea.see(/Your name is now Bea/)

  ana.type(`/add ${beaNumber}`)
  const [, safety] = await ana.see(/found\. Safety code: ([\d ]+)\. Request sent/)
  const [, from, codeAtBea, accept] = await bea.see(/Contact request from ([\d ]+) \(Ana\), safety code ([\d ]+)\. (\/accept \d+)/)
  t.is(from, anaNumber, "Bea sees Ana's number")
  t.is(codeAtBea, safety, 'both screens show the same safety code')
  bea.type(accept)
  await bea.see(/You are now talking to them/)
  await ana.see(/Bea accepted your request/)

  bea.type('hello Ana, no internet here')
  await ana.see(/^Bea: hello Ana, no internet here$/)
  ana.type('hello Bea')
  await bea.see(/^Ana: hello Bea$/)
  t.pass('Ana and Bea chat on a LAN with nothing configured')
})
