/**
 * Every format Peerline puts on the wire, into a room's cores or onto disk, by kind:
 *   messages.ts  protomux channels and their messages (and the blind-pairing join request)
 *   room-ops.ts  the records writers append to a room's Autobase (durable forever)
 *   storage.ts   the room view and the local profile
 *   beacon.ts    the LAN beacon (UDP multicast)
 *   version.ts   the protocol version and what may change between versions
 * This file only gathers them, for code that wants all of them (the fixtures and the fuzzer).
 */
export * from './version'
export * from './messages'
export * from './room-ops'
export * from './storage'
export * from './beacon'
