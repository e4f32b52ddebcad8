import { execFileSync, spawn, spawnSync } from 'child_process'
import type { ChildProcess } from 'child_process'
import fs from 'fs'
import os from 'os'
import path from 'path'
import readline from 'readline'
import { AgentProcess } from './agent'
import { CHROMIUM } from './browser'
import { IP, ip } from './netns'

const PUBLIC_DHT = path.join(__dirname, 'public-dht-main.js')
/** The "public internet" of the box: a reserved benchmarking range (RFC 2544), never routed. */
const PUBLIC_NET = '198.18.0'
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM']

/** How a home router rewrites source ports: kept when free (most home routers) or random per flow. */
export type NatKind = 'consistent' | 'random'

export interface BoxHost {
  name: string
  ns: string
  address: string
  /** The home router in front of it, or null on the public segment. */
  router: Router | null
}

export interface Router {
  name: string
  ns: string
  kind: NatKind
  /** Its address on the public segment (what the world sees). */
  wan: string
  /** The home subnet behind it, e.g. 192.168.1 */
  home: string
}

/** Why a NAT box cannot be built here, or null: root, iproute2 and iptables. */
export function natBoxUnavailable(): string | null {
  if (process.platform !== 'linux') return 'network namespaces need Linux'
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'network namespaces need root'
  const r = spawnSync('iptables', ['-V'])
  if (r.status !== 0) return 'iptables is not installed (apt-get install iptables)'
  return null
}

/**
 * The internet in a box, made of network namespaces: a public segment (198.18.0.0/24, a bridge in
 * its own namespace), home routers on it that NAT a private subnet each with iptables MASQUERADE,
 * and hosts on either side. Routers have no default route and nothing links to the host's own
 * namespace, so no packet can leave the box. destroy() deletes every namespace, and runs on
 * process exit too (namespaces outlive a crashed test).
 */
export class NatBox {
  readonly id: string
  readonly dir: string
  readonly hosts: BoxHost[] = []
  readonly routers: Router[] = []
  bootstrap = ''
  private readonly _pubNs: string
  private readonly _namespaces: string[] = []
  private readonly _agents: AgentProcess[] = []
  private _dht: ChildProcess | null = null
  private readonly _onexit = (): void => this.destroy()
  /** Ctrl-C or a killed runner skips 'exit': clean up, then die of the same signal. */
  private readonly _onsignal = (signal: NodeJS.Signals): void => {
    this.destroy()
    this._unhook()
    process.kill(process.pid, signal)
  }

  constructor() {
    this.id = `nb${process.pid.toString(36)}${Math.random().toString(36).slice(2, 4)}`
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peerline-nat-'))
    process.once('exit', this._onexit)
    for (const signal of SIGNALS) process.once(signal, this._onsignal)
    try {
      this._pubNs = this._ns('pub')
      ip('-n', this._pubNs, 'link', 'add', 'br0', 'type', 'bridge')
      ip('-n', this._pubNs, 'link', 'set', 'br0', 'up')
    } catch (err) {
      this.destroy()
      this._unhook()
      throw err
    }
  }

  private _ns(suffix: string): string {
    const ns = `${this.id}-${suffix}`
    ip('netns', 'add', ns)
    this._namespaces.push(ns)
    ip('-n', ns, 'link', 'set', 'lo', 'up')
    return ns
  }

  /** A veth from `ns` (named `dev`) into the bridge `bridge` of namespace `bridgeNs`. */
  private _plug(ns: string, dev: string, bridgeNs: string, bridge: string, port: string): void {
    ip('link', 'add', dev, 'netns', ns, 'type', 'veth', 'peer', 'name', port, 'netns', bridgeNs)
    ip('-n', bridgeNs, 'link', 'set', port, 'master', bridge)
    ip('-n', bridgeNs, 'link', 'set', port, 'up')
    ip('-n', ns, 'link', 'set', dev, 'up')
  }

  /** A host on the public segment at 198.18.0.`index`. */
  addPublicHost(name: string, index: number): BoxHost {
    const ns = this._ns(name)
    const address = `${PUBLIC_NET}.${index}`
    this._plug(ns, 'eth0', this._pubNs, 'br0', `v${name}`.slice(0, 15))
    ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0')
    const host = { name, ns, address, router: null }
    this.hosts.push(host)
    return host
  }

  /**
   * A home router: `wan` at 198.18.0.`index`, a bridge `lan` at `home`.1/24, forwarding on, and
   * MASQUERADE out of `wan`. Linux keeps the source port when it is free (a consistent NAT);
   * --random-fully picks a new random port for every flow (a randomising NAT).
   */
  addRouter(name: string, index: number, kind: NatKind, home: string): Router {
    const ns = this._ns(name)
    const wan = `${PUBLIC_NET}.${index}`
    this._plug(ns, 'wan', this._pubNs, 'br0', `v${name}`.slice(0, 15))
    ip('-n', ns, 'addr', 'add', `${wan}/24`, 'dev', 'wan')
    ip('-n', ns, 'link', 'add', 'lan', 'type', 'bridge')
    ip('-n', ns, 'addr', 'add', `${home}.1/24`, 'dev', 'lan')
    ip('-n', ns, 'link', 'set', 'lan', 'up')
    const exec = (...args: string[]): void => {
      execFileSync(IP, ['netns', 'exec', ns, ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    }
    exec('sysctl', '-q', '-w', 'net.ipv4.ip_forward=1')
    exec('iptables', '-t', 'nat', '-A', 'POSTROUTING', '-o', 'wan', '-j', 'MASQUERADE', ...(kind === 'random' ? ['--random-fully'] : []))
    // A home router's firewall: nothing unsolicited comes in from the WAN. Besides being what
    // routers do, it matters for hole punching: a peer's first punch that the router accepted
    // (to itself, as nothing maps it yet) would be confirmed as a conntrack entry, and our own
    // punch back would then collide with it and leave on another port. Dropped, it leaves none.
    for (const chain of ['INPUT', 'FORWARD']) {
      exec('iptables', '-A', chain, '-i', 'wan', '-m', 'conntrack', '--ctstate', 'NEW,INVALID', '-j', 'DROP')
    }
    const router = { name, ns, kind, wan, home }
    this.routers.push(router)
    return router
  }

  /** A host behind `router` at `home`.`index`; its default route is the router (which has none). */
  addHomeHost(router: Router, name: string, index: number): BoxHost {
    const ns = this._ns(name)
    const address = `${router.home}.${index}`
    this._plug(ns, 'eth0', router.ns, 'lan', `v${name}`.slice(0, 15))
    ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0')
    ip('-n', ns, 'route', 'add', 'default', 'via', `${router.home}.1`)
    const host = { name, ns, address, router }
    this.hosts.push(host)
    return host
  }

  /** argv prefix that runs a command inside the host's namespace. */
  exec(host: BoxHost): string[] {
    return [IP, 'netns', 'exec', host.ns]
  }

  /** Three persistent DHT nodes on `host` (the box's bootstrap nodes); sets `bootstrap`. */
  async startDht(host: BoxHost): Promise<string> {
    const [cmd, ...args] = this.exec(host)
    const dht = spawn(cmd, [...args, process.execPath, PUBLIC_DHT, host.address], { stdio: ['pipe', 'pipe', 'inherit'] })
    this._dht = dht
    const line = await new Promise<string>((resolve, reject) => {
      readline.createInterface({ input: dht.stdout! }).once('line', resolve)
      dht.once('exit', (code) => reject(new Error(`box DHT exited with ${code}`)))
    })
    this.bootstrap = (JSON.parse(line) as { bootstrap: string }).bootstrap
    return this.bootstrap
  }

  /**
   * A `peerline agent` on `host`, bound to all its interfaces, with the box DHT as bootstrap. By
   * default with no LAN discovery: the internet path alone, DHT lookups and hole punching. With
   * `lan: true` it runs as the app does out of the box (LAN discovery and its own DHT node).
   */
  async startAgent(host: BoxHost, opts: { env?: Record<string, string>; lan?: boolean } = {}): Promise<AgentProcess> {
    const { env = {}, lan = false } = opts
    const agent = await AgentProcess.start({
      storage: path.join(this.dir, host.name),
      host: null,
      bootstrap: this.bootstrap,
      args: lan ? [] : ['--no-lan'],
      wrap: this.exec(host),
      // Hole punching with a randomising NAT took up to 11 s here, and may first wait out
      // HyperDHT's 20 s between random punches (randomPunchInterval): a lookup bound of 45 s.
      env: { PEERLINE_LOOKUP_TIMEOUT: '45000', ...env }
    })
    this._agents.push(agent)
    return agent
  }

  /**
   * A Chromium executable that runs inside `host`'s namespace (a wrapper script), so the page's
   * WebRTC sees that host's network and reaches its worker's tunnel socket on the namespace's
   * own 127.0.0.1. Playwright drives it over a pipe, which crosses namespaces.
   */
  chromiumIn(host: BoxHost): string {
    const file = path.join(this.dir, `chromium-${host.name}`)
    const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`
    fs.writeFileSync(file, `#!/bin/sh\nexec ${this.exec(host).map(quote).join(' ')} ${quote(CHROMIUM)} "$@"\n`, { mode: 0o755 })
    return file
  }

  async close(): Promise<void> {
    try {
      await Promise.all(this._agents.map((a) => a.stop()))
      if (this._dht !== null && this._dht.exitCode === null) {
        const exited = new Promise((resolve) => this._dht!.once('exit', resolve))
        this._dht.kill('SIGTERM')
        await exited
      }
    } finally {
      this.destroy()
      this._unhook()
    }
  }

  private _unhook(): void {
    process.removeListener('exit', this._onexit)
    for (const signal of SIGNALS) process.removeListener(signal, this._onsignal)
  }

  /** Deletes every namespace made here (veths, bridges and NAT rules go with them) and the profiles. Never throws. */
  destroy(): void {
    if (this._dht !== null && this._dht.exitCode === null) this._dht.kill('SIGKILL')
    for (const a of this._agents) if (a.proc.exitCode === null) a.proc.kill('SIGKILL')
    for (const ns of this._namespaces.reverse()) spawnSync(IP, ['netns', 'del', ns])
    this._namespaces.length = 0
    fs.rmSync(this.dir, { recursive: true, force: true })
  }
}
