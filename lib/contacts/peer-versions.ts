import fs from 'fs'
import path from 'path'
import b4a from 'b4a'
import { writeDurable } from '../storage/durable-file'
import { formatVersion, parseVersion } from '../wire/version'
import type { ProtocolVersion } from '../wire/version'

export const PEER_VERSIONS_FILE = 'peer-versions.json'
/** Bounded: a peer's key is remembered only after its hello checked out, but keys are cheap. */
const MAX_PEERS = 4096

/**
 * The protocol version each person's identity device last said in a verified hello, kept across
 * restarts. Before signing a linked device into a room we must know that every admin (indexer)
 * of that room runs a version whose apply knows device records, including admins not met since
 * this process started. A linked device's hello is not recorded: a device is never an indexer.
 */
export class PeerVersions {
  private readonly _file: string
  private readonly _versions = new Map<string, ProtocolVersion>()

  constructor(storage: string) {
    this._file = path.join(storage, PEER_VERSIONS_FILE)
    let raw: unknown = null
    try {
      raw = JSON.parse(fs.readFileSync(this._file, 'utf8'))
    } catch {
      return // none yet, or damaged: we know nobody's version, which only makes us wait
    }
    if (typeof raw !== 'object' || raw === null) return
    for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
      const v = typeof value === 'string' ? parseVersion(value) : null
      if (/^[0-9a-f]{64}$/.test(key) && v !== null) this._versions.set(key, v)
    }
  }

  /** What that person last said; null if never seen (since this file began). */
  get(publicKey: Buffer): ProtocolVersion | null {
    return this._versions.get(b4a.toString(publicKey, 'hex')) ?? null
  }

  /** Records a verified hello's version; written only when it changed. */
  saw(publicKey: Buffer, version: ProtocolVersion): void {
    const id = b4a.toString(publicKey, 'hex')
    const old = this._versions.get(id)
    if (old !== undefined && old.major === version.major && old.minor === version.minor) return
    this._versions.delete(id)
    if (this._versions.size >= MAX_PEERS) this._versions.delete(this._versions.keys().next().value as string)
    this._versions.set(id, { major: version.major, minor: version.minor })
    const out: Record<string, string> = {}
    for (const [key, v] of this._versions) out[key] = formatVersion(v)
    writeDurable(this._file, b4a.from(JSON.stringify(out)))
  }
}
