import fs from 'fs'
import os from 'os'
import path from 'path'
import { AgentProcess } from './agent'
import { NetnsLan } from './netns'
import type { Host } from './netns'

export interface AgentOpts {
  bootstrap?: string
  noLan?: boolean
  env?: Record<string, string>
}

export interface LanAgent {
  host: Host
  agent: AgentProcess
  storage: string
}

/**
 * `count` hosts on one bridge, no route out, and (with `start`) a `peerline agent` in each with
 * no bootstrap or host configured: exactly what a laptop on a Wi-Fi with the internet gone runs.
 * Call close() in every teardown: it stops the agents and deletes every namespace.
 */
export class LanNet {
  readonly lan: NetnsLan
  readonly dir: string
  readonly nodes: LanAgent[] = []
  private readonly _extra: AgentProcess[] = []
  private readonly _onexit = (): void => this.lan.destroy()

  /** Hosts made by the constructor: the ones startAll() fills. */
  readonly count: number

  constructor(count: number) {
    this.count = count
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peerline-lan-'))
    this.lan = new NetnsLan()
    // Namespaces outlive the process: delete them even if a test dies half way.
    process.once('exit', this._onexit)
    try {
      for (let i = 1; i <= count; i++) this.lan.addHost(`h${i}`, i)
    } catch (err) {
      this.lan.destroy()
      throw err
    }
  }

  /** Starts an agent on host i (0-based). */
  async start(i: number, opts: AgentOpts = {}): Promise<LanAgent> {
    const host = this.lan.hosts[i]
    const node = { host, agent: await this.startOn(host, opts), storage: path.join(this.dir, host.name) }
    this.nodes[i] = node
    return node
  }

  /** Starts an agent on any host of this LAN; it is stopped by close(). */
  async startOn(host: Host, opts: AgentOpts = {}): Promise<AgentProcess> {
    const agent = await AgentProcess.start({
      storage: path.join(this.dir, host.name),
      host: null,
      wrap: this.lan.exec(host),
      ...(opts.bootstrap ? { bootstrap: opts.bootstrap } : {}),
      ...(opts.noLan ? { args: ['--no-lan'] } : {}),
      // Room-key joins wait for the room's announce to spread on a cold LAN DHT: the default 20 s.
      env: { PEERLINE_LOOKUP_TIMEOUT: '20000', ...(opts.env ?? {}) }
    })
    this._extra.push(agent)
    return agent
  }

  /** An agent on each of the constructor's hosts. */
  async startAll(opts: AgentOpts = {}): Promise<AgentProcess[]> {
    const started = await Promise.all(Array.from({ length: this.count }, (_, i) => this.start(i, opts)))
    return started.map((n) => n.agent)
  }

  async close(): Promise<void> {
    try {
      await Promise.all(this._extra.map((a) => a.stop()))
    } finally {
      this.lan.destroy()
      process.removeListener('exit', this._onexit)
      fs.rmSync(this.dir, { recursive: true, force: true })
    }
  }
}
