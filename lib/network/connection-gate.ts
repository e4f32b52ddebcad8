import type NoiseSecretStream from '@hyperswarm/secret-stream'

/** Connections at once, all told (Hyperswarm's maxServerConnections is not enforced upstream). */
const MAX_CONNECTIONS = 256
/** Connections from keys we do not know yet whose hello is still being checked. */
const MAX_UNVERIFIED = 32
const MAX_UNVERIFIED_PER_SOURCE = 4

export interface GateDecision {
  admitted: boolean
  /** why not, for the log */
  reason?: string
}

/**
 * Caps what strangers can hold open: every connection costs memory and a hello check, so a host
 * opening hundreds of connections from fresh keys is turned away at the door, by count, overall
 * and per source address. Keys we know (contacts, members of our rooms) always get in.
 */
export class ConnectionGate {
  private readonly _all = new Set<NoiseSecretStream>()
  private readonly _unverified = new Map<NoiseSecretStream, string>()
  private readonly _bySource = new Map<string, number>()

  get size(): number {
    return this._all.size
  }

  get unverified(): number {
    return this._unverified.size
  }

  /** Decides on a new connection; an admitted one is tracked until it closes. */
  admit(conn: NoiseSecretStream, known: boolean): GateDecision {
    const source = sourceOf(conn)
    if (!known) {
      if (this._all.size >= MAX_CONNECTIONS) return { admitted: false, reason: `${MAX_CONNECTIONS} connections open` }
      if (this._unverified.size >= MAX_UNVERIFIED) return { admitted: false, reason: `${MAX_UNVERIFIED} unverified connections open` }
      if ((this._bySource.get(source) ?? 0) >= MAX_UNVERIFIED_PER_SOURCE) {
        return { admitted: false, reason: `${MAX_UNVERIFIED_PER_SOURCE} unverified connections from ${source}` }
      }
      this._unverified.set(conn, source)
      this._bySource.set(source, (this._bySource.get(source) ?? 0) + 1)
    }
    this._all.add(conn)
    conn.once('close', () => {
      this._all.delete(conn)
      this.verified(conn)
    })
    return { admitted: true }
  }

  /** The connection's hello checked out (or it closed): it no longer counts as unverified. */
  verified(conn: NoiseSecretStream): void {
    const source = this._unverified.get(conn)
    if (source === undefined) return
    this._unverified.delete(conn)
    const left = (this._bySource.get(source) ?? 1) - 1
    if (left > 0) this._bySource.set(source, left)
    else this._bySource.delete(source)
  }
}

/** The remote host of a connection (its UDX stream's peer), or '?' when unknown. */
export function sourceOf(conn: NoiseSecretStream): string {
  return conn.rawStream?.remoteHost ?? '?'
}
