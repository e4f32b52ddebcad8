/**
 * The wire protocol's version. Peers of one major version always talk: a newer minor version only
 * adds fields at the end of growable records, new message types at the end of a channel's list,
 * and new room op types, and an older peer skips what it does not know. A new major version may
 * change anything; the peers say so to their users instead of misreading each other.
 *
 * Major 1 is the first release (0.1.0), which sent no version and refused trailing bytes. Its
 * records all still decode here (test/fixtures/wire); it cannot read ours, so it counts as an
 * older major: we tell the user that peer must update.
 */
import b4a from 'b4a'
import c from 'compact-encoding'
import type { Encoding, State } from 'compact-encoding'

export const PROTOCOL_MAJOR = 2
// 2.1: linked devices (room ops OP_DEVICE, OP_REMOVE_DEVICE, OP_DEVICE_EPOCH_GRANT change the view;
// see atLeast).
export const PROTOCOL_MINOR = 1

export interface ProtocolVersion {
  major: number
  minor: number
}

/** Ours. */
export const PROTOCOL_VERSION: ProtocolVersion = Object.freeze({ major: PROTOCOL_MAJOR, minor: PROTOCOL_MINOR })
/** What a record that carries no version was written by: the first release. */
export const UNVERSIONED: ProtocolVersion = Object.freeze({ major: 1, minor: 0 })

export const protocolVersion: Encoding<ProtocolVersion> = {
  preencode(state: State, v: ProtocolVersion): void {
    c.uint.preencode(state, v.major)
    c.uint.preencode(state, v.minor)
  },
  encode(state: State, v: ProtocolVersion): void {
    c.uint.encode(state, v.major)
    c.uint.encode(state, v.minor)
  },
  decode(state: State): ProtocolVersion {
    return { major: c.uint.decode(state), minor: c.uint.decode(state) }
  }
}

/** The first version whose apply knows device records (a room's admins must all run it). */
export const DEVICES_SINCE: ProtocolVersion = Object.freeze({ major: 2, minor: 1 })

/** True if `v` is `since` or a later minor of the same major. */
export function atLeast(v: ProtocolVersion, since: ProtocolVersion): boolean {
  return v.major === since.major && v.minor >= since.minor
}

/** "2.1" -> {2, 1}; null for anything else. */
export function parseVersion(text: string): ProtocolVersion | null {
  const m = /^(\d{1,4})\.(\d{1,4})$/.exec(text)
  return m === null ? null : { major: Number(m[1]), minor: Number(m[2]) }
}

export function formatVersion(v: ProtocolVersion): string {
  return `${v.major}.${v.minor}`
}

/** 'newer-major' means we must update, 'older-major' that they must; minors always talk. */
export type Compatibility = 'same' | 'newer-minor' | 'older-minor' | 'newer-major' | 'older-major'

/** How `theirs` relates to ours. */
export function compatibility(theirs: ProtocolVersion, ours: ProtocolVersion = written()): Compatibility {
  if (theirs.major > ours.major) return 'newer-major'
  if (theirs.major < ours.major) return 'older-major'
  if (theirs.minor > ours.minor) return 'newer-minor'
  if (theirs.minor < ours.minor) return 'older-minor'
  return 'same'
}

// Simulating the next version, for the mixed-version tests only: the process then writes `version`
// into its hello and room ops and appends `fields` (the bytes of fields this version does not know)
// to every growable record it encodes. A real next version has real fields; to this version's
// decoders the two are the same bytes.
let simulated: { version: ProtocolVersion; fields: Buffer } | null = null

export function simulateNextVersion(version: ProtocolVersion, fields: Buffer): void {
  simulated = { version: { major: version.major, minor: version.minor }, fields: b4a.from(fields) }
}

/**
 * PEERLINE_SIMULATE_PROTOCOL=major.minor (tests only): speak that version, appending one field this
 * version does not know (the string "next" and the number 7) to every growable record.
 */
export function simulateFromEnv(env: Record<string, string | undefined>): ProtocolVersion | null {
  const text = env.PEERLINE_SIMULATE_PROTOCOL
  const m = text ? /^(\d+)\.(\d+)$/.exec(text) : null
  if (m === null) return null
  const version = { major: Number(m[1]), minor: Number(m[2]) }
  simulateNextVersion(version, b4a.from('046e65787407', 'hex'))
  return version
}

export function stopSimulating(): void {
  simulated = null
}

/** The version this process writes: ours, unless simulating. */
export function written(): ProtocolVersion {
  return simulated === null ? PROTOCOL_VERSION : simulated.version
}

/** Bytes to append to growable records (null when not simulating). */
export function extension(): Buffer | null {
  return simulated === null ? null : simulated.fields
}
