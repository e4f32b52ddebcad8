import HyperDHT from 'hyperdht'
import type UDX from 'udx-native'
import type { KeyPair } from '../identity/identity'

/** HyperDHT's default port; we keep it when free so LAN nodes have stable addresses. */
export const DHT_PORT = 49737
/** hyperdht's UNANNOUNCE command (lib/constants.js COMMANDS.UNANNOUNCE). */
const UNANNOUNCE = 5

export interface LanDHTOptions {
  keyPair: KeyPair
  /** Bind address (default all interfaces). */
  host?: string
  /** The address other LAN hosts reach us on (seeds the NAT sampler and our own bootstrap entry). */
  lanHost: string
}

/**
 * The DHT node every Peerline instance runs on a LAN: persistent and unfirewalled, like a
 * testnet's bootstrapper, with its own address in its own bootstrap list.
 *
 * Why its own address: queries never ask the node that runs them, and announcements are stored on
 * the others, so with two people on a LAN each one's topic record would sit only where the other
 * never looks. Listing ourselves makes every query ask us too.
 *
 * The cost of that, and the guard here: our announcer then picks our own node as one of the relays
 * of our own key, and when a newcomer on the LAN is closer it moves away and sends UNANNOUNCE to the
 * old relay, ourselves. hyperdht's Persistent.unannounce() deletes router[target] for a
 * self-announce, and on our own node that entry is our Server's handshake handler: from then on
 * nobody can connect to us (docs/upstream/self-unannounce.md has the reproduction). So an UNANNOUNCE
 * of a key we serve ourselves is handled as usual (the record goes) but our server entry stays.
 */
export class LanDHT extends HyperDHT {
  constructor(opts: LanDHTOptions) {
    const { keyPair, host, lanHost } = opts
    super({ keyPair, bootstrap: [], ephemeral: false, firewalled: false, port: DHT_PORT, ...(host ? { host } : {}) })
    // What HyperDHT.bootstrapper() does, but on the port actually bound: seed the NAT sampler with
    // our LAN address before the first bootstrap round, so the node turns persistent even when
    // nobody else is up yet.
    this.once('listening', () => {
      const address = this.address()
      if (!address) return
      internals(this)._nat.add(lanHost, address.port)
      addBootstrap(this, { host: lanHost, port: address.port })
    })
  }

  /** dht-rpc calls this for every request that reached us; see the class comment. */
  override onrequest(req: HyperDHT.Request): boolean {
    if (req.command !== UNANNOUNCE || !req.target) return super.onrequest(req)
    const router = internals(this)._router
    const own = router.get(req.target)
    const handled = super.onrequest(req)
    if (own && own.onpeerhandshake && !router.get(req.target)) router.set(req.target, own)
    return handled
  }
}

/** Adds a node to the bootstrap list unless it is there already. */
export function addBootstrap(dht: HyperDHT, node: HyperDHT.Address): void {
  const nodes = dht.bootstrapNodes
  if (!nodes.some((n) => n.host === node.host && n.port === node.port)) nodes.push({ host: node.host, port: node.port })
}

export function removeBootstrap(dht: HyperDHT, node: HyperDHT.Address): void {
  const nodes = dht.bootstrapNodes
  const i = nodes.findIndex((n) => n.host === node.host && n.port === node.port)
  if (i !== -1) nodes.splice(i, 1)
}

/** Our address on the LAN: the bind host if one was given, else the first LAN IPv4. */
export function lanAddress(udx: UDX, host: string | undefined): string {
  if (host && host !== '0.0.0.0') return host
  const lan = udx.networkInterfaces().find((i) => i.family === 4 && !i.internal)
  return lan ? lan.host : '127.0.0.1'
}

interface RouteState {
  onpeerhandshake?: unknown
}

/** hyperdht internals this class relies on (untyped upstream; test/core/lan-dht.test.ts checks them). */
interface Internals {
  _nat: { add(host: string, port: number): void }
  _router: { get(target: Buffer): RouteState | undefined; set(target: Buffer, state: RouteState): void }
}

function internals(dht: HyperDHT): Internals {
  return dht as unknown as Internals
}
