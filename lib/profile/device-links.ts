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
import type { Rooms } from '../rooms/rooms'
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

  constructor(opts: DeviceLinksOptions) {
    super()
    this._o = opts
    for (const d of opts.devices) this._devices.set(b4a.toString(d.device, 'hex'), d)
  }

  protected override async _open(): Promise<void> {
    this._pairing = new BlindPairing(this._o.swarm, { poll: PAIRING_POLL })
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
    const invite = BlindPairing.createInvite(key, { expires: expiresAt })
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
  async link(text: string, rooms: LinkRoom[] = []): Promise<DeviceLink> {
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
      const link = c.decode(deviceLink, result.data)
      // What we were handed must make us speak for the number it names, with our own key.
      if (refuseCertificate(link.certificate, keyPair.publicKey, link.number) !== null) throw PeerlineError.INVITE_INVALID('The device link answered with a certificate that does not check out.')
      if ((await this._o.scheme.derive(link.certificate.identity)) !== link.number) throw PeerlineError.INVITE_INVALID('The device link answered with a number its key does not derive to.')
      return link
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
    const { identity, scheme } = this._o
    if (known === undefined) {
      this._devices.set(id, { device: req.device, name: req.name.slice(0, 64), added: Date.now(), removed: 0 })
      this._o.onchange()
      this._o.log(`device link: linked device ${id.slice(0, 8)}`)
    }
    for (const r of req.rooms) {
      const room = await this._o.rooms.byDiscoveryKey(r.discoveryKey)
      if (room === null) continue
      try {
        const signature = identity.sign(deviceMemberSignable(room.discoveryKey, r.writerKey, await scheme.derive(identity.publicKey), req.device))
        await room.addDevice({ writerKey: r.writerKey, publicKey: identity.publicKey, device: req.device, name: req.name.slice(0, 64), signature })
      } catch (err) {
        this._o.log(`device link: room ${room.id}: ${(err as Error).message}`)
      }
    }
    const link: DeviceLink = {
      certificate: certifyDevice(identity.keyPair, identity.number, req.device),
      number: identity.number,
      profileEncryptionKey: profileEncryptionKey(identity.seed)
    }
    const data = c.encode(deviceLink, link)
    const inviteKeys = crypto.keyPair(open.invite.seed)
    request.confirm({ key: open.key, encryptionKey: link.profileEncryptionKey, additional: { data, signature: crypto.sign(data, inviteKeys.secretKey) } })
  }
}

function requestSignable(inviteId: Buffer, req: Omit<LinkRequest, 'signature'>): Buffer {
  const out = b4a.alloc(32)
  sodium.crypto_generichash(out, b4a.concat([b4a.from(LINK_DOMAIN), inviteId, c.encode(linkRequest, { ...req, signature: b4a.alloc(64) })]))
  return out
}
