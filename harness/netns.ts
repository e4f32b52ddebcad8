import { execFileSync, spawnSync } from 'child_process'
import fs from 'fs'

export const IP = fs.existsSync('/usr/sbin/ip') ? '/usr/sbin/ip' : 'ip'

export function ip(...args: string[]): void {
  execFileSync(IP, args, { stdio: ['ignore', 'ignore', 'pipe'] })
}

/** Why namespaces cannot be made here, or null if they can (root and iproute2). */
export function netnsUnavailable(): string | null {
  if (process.platform !== 'linux') return 'network namespaces need Linux'
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'network namespaces need root'
  const probe = `plprobe${process.pid}`
  const r = spawnSync(IP, ['netns', 'add', probe])
  if (r.status !== 0) return `"ip netns add" failed: ${String(r.stderr || r.error)}`.trim()
  spawnSync(IP, ['netns', 'del', probe])
  return null
}

export interface Host {
  name: string
  /** The namespace the host lives in. */
  ns: string
  /** Its address on the LAN (10.99.N.x/24). */
  address: string
  /** Its veth end in the bridge namespace. */
  port: string
}

/**
 * A LAN made of network namespaces: one namespace holds the bridges, every host is a namespace
 * with one veth into a bridge, addresses 10.99.N.x/24, and no route anywhere else.
 */
export class NetnsLan {
  readonly id: string
  readonly subnet: string
  readonly bridgeNs: string
  readonly hosts: Host[] = []
  private readonly _namespaces: string[] = []
  private _bridges = 0

  constructor(subnet = 10 + (process.pid % 200)) {
    this.id = `pl${process.pid.toString(36)}${Math.random().toString(36).slice(2, 5)}`
    this.subnet = `10.99.${subnet}`
    this.bridgeNs = this._ns('br')
    ip('-n', this.bridgeNs, 'link', 'set', 'lo', 'up')
    this.addBridge()
  }

  private _ns(suffix: string): string {
    const ns = `${this.id}-${suffix}`
    ip('netns', 'add', ns)
    this._namespaces.push(ns)
    return ns
  }

  /** Another bridge (br0, br1, ...) in the bridge namespace; snooping off so multicast floods. */
  addBridge(): string {
    const br = `br${this._bridges++}`
    ip('-n', this.bridgeNs, 'link', 'add', br, 'type', 'bridge', 'mcast_snooping', '0')
    ip('-n', this.bridgeNs, 'link', 'set', br, 'up')
    return br
  }

  /** A host on bridge `br` with address .`index`; its link is down if `up` is false. */
  addHost(name: string, index: number, opts: { bridge?: string; up?: boolean } = {}): Host {
    const ns = this._ns(name)
    const port = `v${name}`.slice(0, 15)
    ip('link', 'add', 'eth0', 'netns', ns, 'type', 'veth', 'peer', 'name', port, 'netns', this.bridgeNs)
    ip('-n', ns, 'link', 'set', 'lo', 'up')
    ip('-n', ns, 'addr', 'add', `${this.subnet}.${index}/24`, 'dev', 'eth0')
    ip('-n', ns, 'link', 'set', 'eth0', 'up')
    ip('-n', this.bridgeNs, 'link', 'set', port, 'master', opts.bridge ?? 'br0')
    if (opts.up !== false) ip('-n', this.bridgeNs, 'link', 'set', port, 'up')
    const host = { name, ns, address: `${this.subnet}.${index}`, port }
    this.hosts.push(host)
    return host
  }

  /** Moves a host's port to another bridge (a partition when the bridges are not joined). */
  moveTo(host: Host, bridge: string): void {
    ip('-n', this.bridgeNs, 'link', 'set', host.port, 'master', bridge)
  }

  setLink(host: Host, up: boolean): void {
    ip('-n', this.bridgeNs, 'link', 'set', host.port, up ? 'up' : 'down')
  }

  /** argv prefix that runs a command inside the host's namespace. */
  exec(host: Host): string[] {
    return [IP, 'netns', 'exec', host.ns]
  }

  /** Deletes every namespace made here (their veths and bridges go with them). Never throws. */
  destroy(): void {
    for (const ns of this._namespaces.reverse()) spawnSync(IP, ['netns', 'del', ns])
    this._namespaces.length = 0
  }
}
