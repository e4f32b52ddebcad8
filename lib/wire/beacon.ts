/**
 * The LAN beacon: a UDP multicast datagram, not a protomux message. Growth: the signature covers
 * the body and every byte after the signature, so a newer version adds signed fields there and an
 * older one checks the signature and ignores them.
 */
import c from 'compact-encoding'
import type { Encoding } from 'compact-encoding'
import { struct } from './struct'

// LAN beacon: multicast on every LAN interface so instances find each other's DHT nodes with no
// internet. The key is a throwaway Ed25519 key made per run (never the identity), so a beacon says
// nothing about who sends it; the signature covers the body and the extension with
// LAN_BEACON_DOMAIN in front.
export const LAN_BEACON_DOMAIN = 'peerline/lan-beacon/1'
export const MAX_LAN_BEACON_BYTES = 256
export interface LanBeaconBody {
  /** The sender's throwaway beacon key. */
  key: Buffer
  /** The sender's DHT node, IPv4 on the interface the beacon left from. */
  host: string
  port: number
  /** Sender's clock, ms since the epoch. */
  time: number
}
export const lanBeaconBody: Encoding<LanBeaconBody> = struct<LanBeaconBody>({
  key: c.fixed32,
  host: c.string,
  port: c.uint16,
  time: c.uint
})
export interface LanBeacon extends LanBeaconBody {
  signature: Buffer
  /** Fields of newer versions (signed with the body); empty from this version and the first. */
  extension: Buffer
}
export const lanBeacon: Encoding<LanBeacon> = struct<LanBeacon>({
  key: c.fixed32,
  host: c.string,
  port: c.uint16,
  time: c.uint,
  signature: c.fixed64,
  extension: c.raw
})
