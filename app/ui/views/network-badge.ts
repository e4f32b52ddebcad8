import { h } from '../dom'
import type { NetworkStatus } from '../model'

const LABELS: Record<NetworkStatus['state'], string> = {
  online: 'Online',
  'lan-only': 'LAN only',
  offline: 'Offline'
}

/** Online (internet DHT), LAN only (peers nearby, no internet) or Offline, with counts on hover. */
export function networkBadge(status: NetworkStatus | null): HTMLElement {
  if (status === null) return h('span.badge.unknown', { 'data-testid': 'network', role: 'status' }, 'Connecting…')
  const title = `${status.peers} peers connected, ${status.dhtNodes} DHT nodes, ${status.lanPeers} on this LAN`
  return h(`span.badge.${status.state}`, { 'data-testid': 'network', role: 'status', title }, LABELS[status.state])
}
