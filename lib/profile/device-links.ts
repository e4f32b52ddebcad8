import BlindPairing from 'blind-pairing'
import type Hyperswarm from 'hyperswarm'
import b4a from 'b4a'
import c from 'compact-encoding'
import type { Encoding } from 'compact-encoding'
import crypto from 'hypercore-crypto'
import ReadyResource from 'ready-resource'
import sodium from 'sodium-universal'
import z32 from 'z32'
import { PeerlineError } from '../errors'
import { certifyDevice, refuseCertificate } from '../identity/device-certificate'
import { deviceLink } from '../identity/device-link-file'
import type { DeviceLink } from '../identity/device-link-file'
import type { Identity } from '../identity/identity'
import type { NumberScheme } from '../identity/number-scheme'
import type { Log } from '../log'
import { deviceMemberSignable } from '../rooms/member-signature'
import { readInvite } from '../rooms/room-invites'
import type { Room } from '../rooms/room'
import type { Rooms } from '../rooms/rooms'
import type { PeerVersions } from '../contacts/peer-versions'
import type { PeerSession } from '../contacts/peer-session'
import { GuardedChannel } from '../network/guarded-channel'
import { DEVICE_CHANNEL } from '../wire/messages'
import type { DeviceRoom } from '../wire/messages'
import { ROLE_ADMIN, MEMBER_ACTIVE } from '../wire/schemas'
import { DEVICES_SINCE, atLeast, formatVersion } from '../wire/version'
import { writeDurable } from '../storage/durable-file'
import fs from 'fs'
import path from 'path'
import { growable, struct } from '../wire/struct'
import type { ProfileDevice } from '../wire/schemas'
import { profileEncryptionKey } from './profile-core'

const LINK_DOMAIN = 'peerline/device-link/v1'
/** How long a device link is good for, by default (s). */
const DEFAULT_EXPIRES = 600
const MAX_LINK_ROOMS = 512
const PAIRING_POLL = 2000

/** A room the new device opened under its own writer, for the first device to sign it in. */
interface LinkRoom {
  discoveryKey: Buffer
  writerKey: Buffer
}

/** The new device's request (blind-pairing userData): its Noise key, signed by itself, and its room writers. */
interface LinkRequest {
  device: Buffer
  name: string
  rooms: LinkRoom[]
  signature: Buffer
}
/** A room the first device did not sign the new device into (yet), and why. */
export interface SkippedRoom {
  discoveryKey: Buffer
  reason: string
}
const skippedRoom: Encoding<SkippedRoom> = struct<SkippedRoom>({ discoveryKey: c.fixed32, reason: c.string })

/** The first device's answer: the link, then (2.1, on the second round) the rooms it skipped. */
export interface LinkAnswer {
  link: DeviceLink
  skipped: SkippedRoom[]
}
const linkAnswer: Encoding<LinkAnswer> = {
  preencode(state, v) {
    deviceLink.preencode(state, v.link)
    c.array(skippedRoom).preencode(state, v.skipped)
  },
  encode(state, v) {
    deviceLink.encode(state, v.link)
    c.array(skippedRoom).encode(state, v.skipped)
  },
  decode(state) {
    const link = deviceLink.decode(state)
    return { link, skipped: state.start < state.end ? c.array(skippedRoom).decode(state) : [] }
  }
}

/** A sign-in waiting for a room's admins to run 2.1 (kept in device-signins.json). */
interface PendingSignIn {
  room: string
  writerKey: string
  device: string
  name: string
}
type DeviceChannel = GuardedChannel<null, typeof DEVICE_CHANNEL.messages>
const SIGNINS_FILE = 'device-signins.json'
const DEVICE_FRAME_BYTES = MAX_LINK_ROOMS * 64 + 64
const DEVICE_MESSAGES_PER_SECOND = 4
const MAX_PENDING = 4096

const linkRoom: Encoding<LinkRoom> = struct<LinkRoom>({ discoveryKey: c.fixed32, writerKey: c.fixed32 })
const linkRequest: Encoding<LinkRequest> = growable(struct<LinkRequest>({
  device: c.fixed32,
  name: c.string,
  rooms: c.array(linkRoom) as Encoding<LinkRoom[]>,
  signature: c.fixed64
}))

export interface DeviceLinksOptions {
  swarm: Hyperswarm
  identity: Identity
  scheme: NumberScheme
  rooms: Rooms
  /** Who runs which protocol version: a device is signed into a room only when all its admins run 2.1. */
  versions: PeerVersions
  /** The profile folder (pending sign-ins are kept there). */
  storage: string
  /** Our devices as the profile holds them (read at open). */
  devices: ProfileDevice[]
  /** The devices changed: write the profile now. */
  onchange: () => void
  log: Log
  /** How long linkDevice waits for the first device to answer (ms). */
  timeout: number
}

interface OpenLink {
  invite: BlindPairing.CreatedInvite
  key: Buffer
  expires: number
  member: BlindPairing.Member
}

/**
 * Device links: on the device with the identity key, a short-lived blind-pairing invite (on a
 * fresh random key, so its topic says nothing) that a new device answers with its own Noise key;
 * the answer is a certificate for that key and the profile encryption key (never the identity
 * seed). The new device comes back on the same invite with the writer keys it opened each room
 * under, and this device signs each into its room (OP_DEVICE).
 */
export class DeviceLinks extends ReadyResource {
  private readonly _o: DeviceLinksOptions
  private _pairing: BlindPairing | null = null
  private readonly _links = new Map<string, OpenLink>()
  private readonly _devices = new Map<string, ProfileDevice>()
  /** When each device of ours was last connected to this one (ms). */
  private readonly _seen = new Map<string, number>()
  /** Sign-ins skipped because an admin of the room runs an older (or unknown) version. */
  private _pending: PendingSignIn[] = []
  private _retrying: Promise<void> | null = null

  constructor(opts: DeviceLinksOptions) {
    super()
    this._o = opts
    for (const d of opts.devices) this._devices.set(b4a.toString(d.device, 'hex'), d)
    this._pending = readPending(path.join(opts.storage, SIGNINS_FILE))
  }

  protected override async _open(): Promise<void> {
    this._pairing = new BlindPairing(this._o.swarm, { poll: PAIRING_POLL })
  }

  get versions(): PeerVersions {
    return this._o.versions
  }

  /**
   * Another device of this person whose hello checked out: the device channel. The first device
   * takes sign-in requests on it from a linked device of ours that was not removed (its
   * certificate proved the key); a linked device asks the first device, each time they meet, to
   * sign it into every room it is not in yet (rooms that reached it through the profile since).
   */
  attach(session: PeerSession): void {
    const peerIsFirst = session.certificate === null
    const linked = this._o.identity.linked
    if (linked ? !peerIsFirst : peerIsFirst || !this.isOurs(session.deviceKey)) return
    const device = session.deviceKey
    const channel: DeviceChannel = new GuardedChannel(session.mux, {
      spec: DEVICE_CHANNEL,
      handlers: {
        signIn: (m) => {
          if (linked) return channel.close('a sign-in request to a linked device')
          return this._onsignin(device, m.rooms.slice(0, MAX_LINK_ROOMS))
        }
      },
      log: this._o.log,
      maxFrameBytes: DEVICE_FRAME_BYTES,
      maxPerSecond: DEVICE_MESSAGES_PER_SECOND,
      onopen: (): Promise<void> | undefined => (linked ? this._askSignIn(channel) : undefined)
    })
    channel.open(null)
  }

  /** On a linked device: the rooms whose writer of ours no device record names yet, sent. */
  private async _askSignIn(channel: DeviceChannel): Promise<void> {
    const rooms: DeviceRoom[] = []
    for (const entry of this._o.rooms.list()) {
      if (entry.broken !== null || rooms.length >= MAX_LINK_ROOMS) continue
      const room = await this._o.rooms.open(entry.id)
      if (!(await room.devices()).some((d) => b4a.equals(d.writerKey, room.writerKey))) rooms.push({ discoveryKey: room.discoveryKey, writerKey: room.writerKey })
    }
    if (rooms.length === 0) return
    this._o.log(`device link: asking the first device to sign us into ${rooms.length} room(s)`)
    channel.send('signIn', { rooms })
  }

  /** On the first device: a linked device of ours asks to be signed into rooms (now, or once their admins run 2.1). */
  private async _onsignin(device: Buffer, rooms: DeviceRoom[]): Promise<void> {
    if (!this.isOurs(device)) return
    const id = b4a.toString(device, 'hex')
    const name = this._devices.get(id)?.name ?? 'device'
    const waiting: PendingSignIn[] = []
    for (const r of rooms) {
      const room = await this._o.rooms.byDiscoveryKey(r.discoveryKey)
      if (room === null) continue
      if ((await room.devices()).some((d) => b4a.equals(d.writerKey, r.writerKey))) continue
      try {
        const why = await this._signIn(room, r.writerKey, device, name)
        if (why === null) this._o.log(`device link: room ${room.id}: device ${id.slice(0, 8)} signed in`)
        else waiting.push({ room: b4a.toString(r.discoveryKey, 'hex'), writerKey: b4a.toString(r.writerKey, 'hex'), device: id, name })
      } catch (err) {
        this._o.log(`device link: room ${room.id}: ${(err as Error).message}`)
      }
    }
    if (waiting.length > 0) this._setPending([...this._pending, ...waiting])
  }

  /** Sign-ins still waiting for a room's admins (room discovery key hex, device key hex). */
  get pending(): Array<{ room: string; device: string }> {
    return this._pending.map(({ room, device }) => ({ room, device }))
  }

  /**
   * A person's identity device said its version in a verified hello: sign-ins that waited for
   * it (or for anyone) are tried again. One pass at a time; a pass that finds nothing new is cheap.
   */
  retry(): Promise<void> {
    if (this._pending.length === 0 || this.closing) return Promise.resolve()
    if (this._retrying !== null) return this._retrying.then(() => this.retry())
    this._retrying = this._retryPending()
      .catch((err: Error) => this._o.log(`device link: retrying sign-ins: ${err.message}`))
      .finally(() => (this._retrying = null))
    return this._retrying
  }

  private async _retryPending(): Promise<void> {
    const done = new Set<string>()
    for (const p of [...this._pending]) {
      const device = b4a.from(p.device, 'hex')
      if (!this.isOurs(device)) {
        done.add(pendingId(p)) // removed meanwhile
        continue
      }
      const room = await this._o.rooms.byDiscoveryKey(b4a.from(p.room, 'hex'))
      if (room === null) continue
      try {
        if ((await this._signIn(room, b4a.from(p.writerKey, 'hex'), device, p.name)) !== null) continue
      } catch (err) {
        this._o.log(`device link: room ${room.id}: ${(err as Error).message}`)
        continue
      }
      done.add(pendingId(p))
      this._o.log(`device link: room ${room.id}: device ${p.device.slice(0, 8)} signed in now that every admin runs ${formatVersion(DEVICES_SINCE)} or later`)
    }
    // Sign-ins added while this pass ran stay.
    if (done.size > 0) this._setPending(this._pending.filter((p) => !done.has(pendingId(p))))
  }

  /**
   * Why `room` cannot take a device record now (null: it can). Apply on release 2.0 skips device
   * records, so an admin (indexer) on it would build another view than the others and the room's
   * indexers would never sign together again: every admin must be known to run 2.1 or later.
   */
  private async _blocked(room: Room): Promise<string | null> {
    for (const m of await room.members()) {
      if (m.role !== ROLE_ADMIN || m.state !== MEMBER_ACTIVE || b4a.equals(m.publicKey, this._o.identity.publicKey)) continue
      const why = this.whyNotIndexer(m.publicKey, 'admin ' + m.number)
      if (why !== null) return `${why} (signed in once they ${this._o.versions.get(m.publicKey) === null ? `connect with ${formatVersion(DEVICES_SINCE)} or later` : 'update'})`
    }
    return null
  }

  /**
   * Why this person cannot be an admin (an indexer) of a room that holds device records, or null:
   * a release before 2.1 skips those records, so its view would differ from every other indexer's.
   */
  whyNotIndexer(publicKey: Buffer, who: string): string | null {
    const v = this._o.versions.get(publicKey)
    if (v === null) return `the Peerline version of ${who} is not known yet`
    if (!atLeast(v, DEVICES_SINCE)) return `${who} runs Peerline ${formatVersion(v)}, which does not know linked devices`
    return null
  }

  /** Signs a device's writer into a room: null when done (or already there), else why not yet. */
  private async _signIn(room: Room, writerKey: Buffer, device: Buffer, name: string): Promise<string | null> {
    const why = await this._blocked(room)
    if (why !== null) return why
    const { identity, scheme } = this._o
    const signature = identity.sign(deviceMemberSignable(room.discoveryKey, writerKey, await scheme.derive(identity.publicKey), device))
    await room.addDevice({ writerKey, publicKey: identity.publicKey, device, name, signature })
    return null
  }

  private _setPending(list: PendingSignIn[]): void {
    const seen = new Set<string>()
    this._pending = list.filter((p) => !seen.has(pendingId(p)) && seen.add(pendingId(p))).slice(-MAX_PENDING)
    writeDurable(path.join(this._o.storage, SIGNINS_FILE), b4a.from(JSON.stringify(this._pending)))
  }

  protected override async _close(): Promise<void> {
    for (const l of this._links.values()) await l.member.close()
    if (this._pairing) await this._pairing.close()
  }

  /** Devices we linked, removed ones included (removed > 0). */
  list(): ProfileDevice[] {
    return [...this._devices.values()]
  }

  /** True for a linked device of ours that was not removed (our firewall lets it in). */
  isOurs(device: Buffer): boolean {
    const d = this._devices.get(b4a.toString(device, 'hex'))
    return d !== undefined && d.removed === 0
  }

  /** True while a link is open: the new device's key is unknown until it asks. */
  get waiting(): boolean {
    const now = Date.now()
    for (const l of this._links.values()) if (l.expires > now) return true
    return false
  }

  /** Removes a device we linked: the profile says so, and its connections to us end. */
  markRemoved(device: Buffer): void {
    const id = b4a.toString(device, 'hex')
    const d = this._devices.get(id)
    if (d === undefined || d.removed > 0) return
    this._devices.set(id, { ...d, removed: Date.now() })
    if (this._pending.some((p) => p.device === id)) this._setPending(this._pending.filter((p) => p.device !== id))
    this._o.onchange()
    for (const conn of this._o.swarm.connections) if (conn.remotePublicKey && b4a.equals(conn.remotePublicKey, device)) conn.destroy()
  }

  /** Another device of this person was connected to us just now. */
  saw(device: Buffer): void {
    this._seen.set(b4a.toString(device, 'hex'), Date.now())
  }

  /** When that device was last connected to this one: now if it is; null if never seen. */
  lastSeen(device: Buffer): number | null {
    for (const conn of this._o.swarm.connections) if (conn.remotePublicKey && b4a.equals(conn.remotePublicKey, device)) return Date.now()
    return this._seen.get(b4a.toString(device, 'hex')) ?? null
  }

  /** A new link; `expires` in seconds from now. */
  create(expires = DEFAULT_EXPIRES): { link: string; expires: number } {
    if (this._pairing === null) throw PeerlineError.CLOSED()
    if (this._o.identity.linked) throw PeerlineError.NOT_ALLOWED('Link new devices from the device that holds the recovery phrase.')
    if (!(expires > 0) || !Number.isFinite(expires)) throw PeerlineError.BAD_REQUEST('expires must be a number of seconds > 0')
    const expiresAt = Math.ceil(Date.now() / 1000 + expires)
    const key = crypto.randomBytes(32)
    const invite = BlindPairing.createInvite(key, { expires: expiresAt * 1000 }) // blind-pairing takes ms
    const id = b4a.toString(invite.id, 'hex')
    const member = this._pairing.addMember({
      discoveryKey: invite.discoveryKey,
      onadd: (request) => this._onrequest(request).catch((err: Error) => this._o.log(`device link: ${err.message}`))
    })
    this._links.set(id, { invite, key, expires: expiresAt * 1000, member })
    return { link: z32.encode(invite.invite), expires: expiresAt * 1000 }
  }

  /**
   * On the new device: asks the first device behind `text`, sending our Noise key and the rooms
   * we opened (none on the first call). Answers the link the first device signed for us.
   */
  async link(text: string, rooms: LinkRoom[] = []): Promise<LinkAnswer> {
    if (this._pairing === null) throw PeerlineError.CLOSED()
    const { invite, decoded } = readInvite(text, () => PeerlineError.INVITE_INVALID('That is not a device link.'))
    const { keyPair } = this._o.identity
    const unsigned = { device: keyPair.publicKey, name: 'device', rooms: rooms.slice(0, MAX_LINK_ROOMS) }
    const signature = b4a.alloc(sodium.crypto_sign_BYTES)
    sodium.crypto_sign_detached(signature, requestSignable(decoded.id, unsigned), keyPair.secretKey)
    const candidate = this._pairing.addCandidate({ invite, userData: c.encode(linkRequest, { ...unsigned, signature }) })
    let timer: ReturnType<typeof setTimeout> | null = null
    try {
      const result = await Promise.race([
        candidate.pairing,
        new Promise<never>((_resolve, reject) => {
          candidate.request.on('rejected', (err) => reject(err.code === 'INVITE_EXPIRED' ? PeerlineError.INVITE_EXPIRED() : PeerlineError.INVITE_INVALID('The device link was refused.')))
          timer = setTimeout(() => reject(PeerlineError.INVITE_INVALID('Nobody answered this device link: is the other device online with it open?')), this._o.timeout)
        })
      ])
      if (!result || result.data === null) throw PeerlineError.INVITE_INVALID('The device link was refused.')
      const answer = c.decode(linkAnswer, result.data)
      const { link } = answer
      // What we were handed must make us speak for the number it names, with our own key.
      if (refuseCertificate(link.certificate, keyPair.publicKey, link.number) !== null) throw PeerlineError.INVITE_INVALID('The device link answered with a certificate that does not check out.')
      if ((await this._o.scheme.derive(link.certificate.identity)) !== link.number) throw PeerlineError.INVITE_INVALID('The device link answered with a number its key does not derive to.')
      return answer
    } finally {
      if (timer) clearTimeout(timer)
      await candidate.close()
    }
  }

  private async _onrequest(request: BlindPairing.MemberRequest): Promise<void> {
    const open = this._links.get(b4a.toString(request.inviteId, 'hex'))
    if (open === undefined) return
    let req: LinkRequest
    try {
      req = c.decode(linkRequest, request.open(open.invite.publicKey))
    } catch {
      return request.deny({ status: 1 })
    }
    if (open.expires < Date.now()) return request.deny({ status: 3 })
    if (!sodium.crypto_sign_verify_detached(req.signature, requestSignable(request.inviteId, req), req.device)) return request.deny({ status: 1 })
    const id = b4a.toString(req.device, 'hex')
    const known = this._devices.get(id)
    if (known !== undefined && known.removed > 0) return request.deny({ status: 1 }) // removed stays removed
    if (b4a.equals(req.device, this._o.identity.keyPair.publicKey)) return request.deny({ status: 1 })
    const { identity } = this._o
    if (known === undefined) {
      this._devices.set(id, { device: req.device, name: req.name.slice(0, 64), added: Date.now(), removed: 0 })
      this._o.onchange()
      this._o.log(`device link: linked device ${id.slice(0, 8)}`)
    }
    const skipped: SkippedRoom[] = []
    const waiting: PendingSignIn[] = []
    const name = req.name.slice(0, 64)
    for (const r of req.rooms) {
      const room = await this._o.rooms.byDiscoveryKey(r.discoveryKey)
      if (room === null) continue
      try {
        const why = await this._signIn(room, r.writerKey, req.device, name)
        if (why === null) continue
        this._o.log(`device link: room ${room.id}: not signed in yet: ${why}`)
        skipped.push({ discoveryKey: r.discoveryKey, reason: why })
        waiting.push({ room: b4a.toString(r.discoveryKey, 'hex'), writerKey: b4a.toString(r.writerKey, 'hex'), device: id, name })
      } catch (err) {
        this._o.log(`device link: room ${room.id}: ${(err as Error).message}`)
      }
    }
    if (waiting.length > 0) this._setPending([...this._pending, ...waiting])
    const link: DeviceLink = {
      certificate: certifyDevice(identity.keyPair, identity.number, req.device),
      number: identity.number,
      profileEncryptionKey: profileEncryptionKey(identity.seed)
    }
    const data = c.encode(linkAnswer, { link, skipped })
    const inviteKeys = crypto.keyPair(open.invite.seed)
    request.confirm({ key: open.key, encryptionKey: link.profileEncryptionKey, additional: { data, signature: crypto.sign(data, inviteKeys.secretKey) } })
  }
}

function requestSignable(inviteId: Buffer, req: Omit<LinkRequest, 'signature'>): Buffer {
  const out = b4a.alloc(32)
  sodium.crypto_generichash(out, b4a.concat([b4a.from(LINK_DOMAIN), inviteId, c.encode(linkRequest, { ...req, signature: b4a.alloc(64) })]))
  return out
}

function pendingId(p: PendingSignIn): string {
  return p.room + p.writerKey
}

/** The pending sign-ins file; damaged or foreign entries are dropped (the link can be made again). */
function readPending(file: string): PendingSignIn[] {
  let raw: unknown
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch {
    return []
  }
  if (!Array.isArray(raw)) return []
  const hex32 = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v)
  return raw.filter((p): p is PendingSignIn => typeof p === 'object' && p !== null && hex32(p.room) && hex32(p.writerKey) && hex32(p.device) && typeof p.name === 'string')
}
