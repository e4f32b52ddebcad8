import Protomux from 'protomux'
import type NoiseSecretStream from '@hyperswarm/secret-stream'
import EventEmitter from 'bare-events'
import b4a from 'b4a'
import type { NumberVerifier } from '../identity/number-verifier'
import type { Log } from '../log'
import { GuardedChannel } from '../network/guarded-channel'
import { short } from '../network/swarm-network'
import { sourceOf } from '../network/connection-gate'
import { CONTACT_CHANNEL, HELLO_CHANNEL, MAX_FRAME_BYTES, MAX_NAME_LENGTH } from '../wire/messages'
import type { ContactAccept, ContactDecline, ContactRequest, Hello } from '../wire/messages'
import { compatibility, formatVersion, written } from '../wire/version'
import type { Compatibility, ProtocolVersion } from '../wire/version'
import { refuseCertificate } from '../identity/device-certificate'
import type { DeviceCertificate } from '../identity/device-certificate'

const HELLO_TIMEOUT = 10_000
const CONTACT_MESSAGES_PER_SECOND = 20

export interface PeerSessionOptions {
  /** Checks the hello's number against the key, within the budget for new keys. */
  verifier: NumberVerifier
  /** Our number and name; the hello adds the protocol version we speak. */
  self: Omit<Hello, 'version'>
  log: Log
  /** Protocols other parts open once the hello checks out (on 'authenticated'). */
  laterProtocols?: string[]
  /** A linked device's certificate is refused when this says no (a device its person removed). */
  deviceAllowed?: (identity: Buffer, device: Buffer) => boolean
}

/** A verified peer whose protocol version differs from ours. */
export interface PeerVersion {
  publicKey: Buffer
  number: string
  name: string
  version: ProtocolVersion
  compatibility: Exclude<Compatibility, 'same'>
}

/**
 * One verified peer on one connection. The hello channel proves the peer's number: its Noise key
 * must derive to the number it claims, or the connection is dropped. It also carries the protocol
 * version: a peer of another major version is reported ('version') and dropped, since neither side
 * could read the other. Then the contact channel carries requests, accepts and declines.
 *
 * Events: 'verified' (), 'request' (ContactRequest), 'accept' (ContactAccept),
 * 'decline' (ContactDecline), 'version' (PeerVersion), 'close' ().
 */
export interface PeerSessionEvents {
  /** The hello checked out; open further channels now, synchronously. */
  authenticated: []
  /** The contact channel is open both ways. */
  verified: []
  request: [ContactRequest]
  accept: [ContactAccept]
  decline: [ContactDecline]
  /** The verified peer speaks another protocol version (any but ours). */
  version: [PeerVersion]
  close: []
}

export class PeerSession extends EventEmitter<PeerSessionEvents> {
  readonly conn: NoiseSecretStream
  /**
   * The person: the connection's Noise key, or, for a linked device, the identity key its
   * certificate names (set when the hello checks out). Everything keyed by person uses this.
   */
  publicKey: Buffer
  /** The connection's own Noise key: the device (the same as publicKey unless it is a linked device). */
  readonly deviceKey: Buffer
  /** A linked device's certificate, once its hello checked out. */
  certificate: DeviceCertificate | null = null
  number: string | null = null
  name = ''
  /** The peer's protocol version, once its hello checked out. */
  version: ProtocolVersion | null = null
  verified = false
  closed = false
  private readonly _opts: PeerSessionOptions
  readonly mux: Protomux
  private _contact: GuardedChannel<null, typeof CONTACT_CHANNEL.messages> | null = null
  private readonly _timer: ReturnType<typeof setTimeout>
  private readonly _verifiedOrClosed: Promise<void>
  private readonly _settleVerified: () => void

  constructor(conn: NoiseSecretStream, opts: PeerSessionOptions) {
    super()
    this.conn = conn
    if (conn.remotePublicKey === null) throw new Error('a swarm connection always has a remote key')
    this.publicKey = conn.remotePublicKey
    this.deviceKey = conn.remotePublicKey
    this._opts = opts
    this.mux = Protomux.from(conn)
    this._timer = setTimeout(() => this._drop('no valid hello in time'), HELLO_TIMEOUT)
    conn.on('close', () => this._onclose())
    // Protomux rejects a channel the remote opens before we have one; ours opens only once the
    // hello checks out, so hold theirs until then.
    let onverified: () => void = () => {}
    this._verifiedOrClosed = new Promise<void>((resolve) => {
      onverified = resolve
    })
    this._settleVerified = onverified
    for (const protocol of [CONTACT_CHANNEL.protocol, ...(opts.laterProtocols ?? [])]) {
      this.mux.pair({ protocol }, () => this._verifiedOrClosed)
    }

    const hello = new GuardedChannel(this.mux, {
      spec: HELLO_CHANNEL,
      handlers: {},
      log: this._log,
      maxFrameBytes: 1024,
      maxPerSecond: 5,
      onopen: (remote) => this._onhello(remote),
      onclose: () => {
        if (!this.verified) this._drop('hello channel closed before a valid hello')
      }
    })
    hello.open({ ...opts.self, version: written() })
  }

  /** The connection's key in hex: one per device (a person's devices have a session each). */
  get id(): string {
    return b4a.toString(this.deviceKey, 'hex')
  }

  sendRequest(req: ContactRequest): boolean {
    return this._contact?.send('request', req) ?? false
  }

  sendAccept(acc: ContactAccept): boolean {
    return this._contact?.send('accept', acc) ?? false
  }

  sendDecline(dec: ContactDecline): boolean {
    return this._contact?.send('decline', dec) ?? false
  }

  destroy(): void {
    this.conn.destroy()
  }

  private readonly _log = (msg: string): void => this._opts.log(`peer ${short(this.publicKey)}: ${msg}`)

  private async _onhello(remote: Hello): Promise<void> {
    if (remote.name.length > MAX_NAME_LENGTH) remote.name = remote.name.slice(0, MAX_NAME_LENGTH)
    const cert = remote.certificate ?? null
    if (cert !== null) {
      // A linked device: the identity key must have signed this device key for this number.
      const refused = refuseCertificate(cert, this.deviceKey, remote.number)
      if (refused !== null) return this._drop(`hello carries ${refused}`)
      if (this._opts.deviceAllowed && !this._opts.deviceAllowed(cert.identity, cert.device)) return this._drop('hello from a device its person removed')
    }
    const person = cert === null ? this.publicKey : cert.identity
    const result = /^\d+$/.test(remote.number) ? await this._opts.verifier.verify(person, remote.number, sourceOf(this.conn)) : 'invalid'
    if (result === 'busy') return this._drop('too many new keys are being checked right now; turned away')
    if (result === 'invalid') return this._drop(`hello claims number ${remote.number}, which its key does not derive to`)
    // Reported even if the connection closed meanwhile: the other side drops it for the same reason.
    const fit = compatibility(remote.version)
    if (fit !== 'same') this.emit('version', { publicKey: person, number: remote.number, name: remote.name, version: remote.version, compatibility: fit })
    if (fit === 'newer-major' || fit === 'older-major') {
      return this._drop(`peer speaks protocol ${formatVersion(remote.version)}, we speak ${formatVersion(written())}: ${fit === 'newer-major' ? 'we' : 'they'} must update`)
    }
    if (this.closed) return
    this.version = remote.version
    clearTimeout(this._timer)
    this.publicKey = person
    this.certificate = cert
    this.number = remote.number
    this.name = remote.name
    this.verified = true
    this._contact = new GuardedChannel(this.mux, {
      spec: CONTACT_CHANNEL,
      handlers: {
        request: (m) => void this.emit('request', m),
        accept: (m) => void this.emit('accept', m),
        decline: (m) => void this.emit('decline', m)
      },
      log: this._log,
      maxFrameBytes: MAX_FRAME_BYTES,
      maxPerSecond: CONTACT_MESSAGES_PER_SECOND,
      onopen: () => {
        this._log('contact channel open')
        this.emit('verified')
      }
    })
    this._contact.open(null)
    this._log(`hello checks out: ${remote.number}${cert ? ' (a linked device)' : ''}, protocol ${formatVersion(remote.version)}`)
    this.emit('authenticated')
    this._settleVerified()
  }

  private _drop(reason: string): void {
    if (this.closed) return
    this._log('dropping connection: ' + reason)
    this.conn.destroy()
  }

  private _onclose(): void {
    if (this.closed) return
    this.closed = true
    clearTimeout(this._timer)
    this._settleVerified()
    this.emit('close')
  }
}
