import Autobase from 'autobase'
import BlindPairing from 'blind-pairing'
import type Corestore from 'corestore'
import type Hyperswarm from 'hyperswarm'
import b4a from 'b4a'
import c from 'compact-encoding'
import crypto from 'hypercore-crypto'
import ReadyResource from 'ready-resource'
import sodium from 'sodium-universal'
import z32 from 'z32'
import { PeerlineError } from '../errors'
import { sleep } from '../sleep'
import type { Identity } from '../identity/identity'
import type { NumberScheme } from '../identity/number-scheme'
import type { NumberVerifier } from '../identity/number-verifier'
import type { Log } from '../log'
import * as schema from '../wire/schemas'
import type { JoinRequest } from '../wire/schemas'
import { roomStore } from './room'
import type { Room } from './room'
import type { Rooms } from './rooms'

const JOIN_DOMAIN = 'peerline/join/v1'
/** How long a join request waits for the verifier when it is busy, and how often it asks again. */
const JOIN_WAIT = 20_000
const BUSY_RETRY = 500
/** Join requests of one room waiting for the verifier at once; past this, refused. */
const MAX_WAITING = 16
/** How often a pending join re-checks the DHT for an answer when no member is connected. */
const PAIRING_POLL = 5000

export interface RoomInvitesOptions {
  swarm: Hyperswarm
  store: Corestore
  rooms: Rooms
  identity: Identity
  scheme: NumberScheme
  /** Bounds the derivations join requests make us run (one per joiner's key). */
  verifier: NumberVerifier
  name: () => string
  log: Log
  /** How long joinRoom waits for a member to answer (ms). */
  timeout: number
}

/**
 * Room keys: blind-pairing invites in z32 with an expiry. Any member online answers a join
 * request whose invite is in the room's view and not expired, checks the joiner's signed
 * identity, adds its writer and hands over the room key and encryption key.
 */
export class RoomInvites extends ReadyResource {
  private readonly _o: RoomInvitesOptions
  private _pairing: BlindPairing | null = null
  private readonly _members = new Map<string, BlindPairing.Member>()
  /** Join requests waiting for the verifier, by room id. */
  private readonly _waiting = new Map<string, number>()

  constructor(opts: RoomInvitesOptions) {
    super()
    this._o = opts
  }

  protected override async _open(): Promise<void> {
    this._pairing = new BlindPairing(this._o.swarm, { poll: PAIRING_POLL })
  }

  protected override async _close(): Promise<void> {
    for (const m of this._members.values()) await m.close()
    if (this._pairing) await this._pairing.close()
  }

  /** Answer join requests for this room. */
  listen(room: Room): void {
    if (this._members.has(room.id) || this._pairing === null) return
    const member = this._pairing.addMember({
      discoveryKey: room.discoveryKey,
      onadd: (request) => this._onrequest(room, request).catch((err: Error) => this._o.log(`invite for ${room.id}: ${err.message}`))
    })
    this._members.set(room.id, member)
  }

  unlisten(room: Room): void {
    const m = this._members.get(room.id)
    this._members.delete(room.id)
    if (m) m.close().catch(() => {})
  }

  /** A new room key; `expires` in seconds from now (0 or absent: never). */
  async create(room: Room, expires = 0): Promise<{ invite: string; expires: number }> {
    if (expires < 0 || !Number.isFinite(expires)) throw PeerlineError.BAD_REQUEST('expires must be a number of seconds >= 0')
    const me = await room.me()
    if (me === null || me.state !== schema.MEMBER_ACTIVE) throw PeerlineError.NOT_A_MEMBER()
    const expiresAt = expires > 0 ? Math.ceil(Date.now() / 1000 + expires) : 0
    const inv = BlindPairing.createInvite(room.key, { expires: expiresAt * 1000 }) // blind-pairing takes ms
    await room.act({ type: schema.OP_ADD_INVITE, id: inv.id, publicKey: inv.publicKey, expires: expiresAt * 1000 })
    return { invite: z32.encode(inv.invite), expires: expiresAt * 1000 }
  }

  /** Joins with a room key: INVITE_INVALID, INVITE_EXPIRED, or the room once a member let us in. */
  async join(text: string): Promise<Room> {
    if (this._pairing === null) throw PeerlineError.CLOSED()
    const { invite, decoded } = readInvite(text, invalid)
    const already = await this._o.rooms.byDiscoveryKey(decoded.discoveryKey)
    if (already) return already

    // The writer key must go with the request, so pick the room's local namespace now.
    const namespace = crypto.randomBytes(32)
    const local = Autobase.getLocalCore(roomStore(this._o.store, namespace))
    await local.ready()
    const writerKey = local.key
    await local.close()
    if (writerKey === null) throw new Error('local writer core has no key')

    const memberSignature = await this._o.rooms.memberSignature(decoded.discoveryKey, writerKey)
    const userData = c.encode(schema.joinRequest, { ...this._signedRequest(decoded.id, writerKey), memberSignature })
    const candidate = this._pairing.addCandidate({ invite, userData })
    let timer: ReturnType<typeof setTimeout> | null = null
    try {
      const result = await Promise.race([
        candidate.pairing,
        new Promise<never>((_resolve, reject) => {
          candidate.request.on('rejected', (err) => reject(err.code === 'INVITE_EXPIRED' ? expired() : invalid()))
          timer = setTimeout(() => reject(unanswered()), this._o.timeout)
        })
      ])
      if (!result) throw invalid()
      return await this._o.rooms.join(result.key, result.encryptionKey, schema.ROOM_GROUP, namespace)
    } finally {
      if (timer) clearTimeout(timer)
      await candidate.close()
    }
  }

  /**
   * The joiner's number within the verifier's budget. People who got one room key join together
   * (a neighbourhood room shared at once): past the budget a request waits its turn, up to
   * JOIN_WAIT (the joiner waits 30 s), rather than being refused; at most MAX_WAITING per room wait.
   */
  private async _derive(room: Room, publicKey: Buffer): Promise<string | null | 'busy'> {
    const source = 'invite ' + room.id
    let number = await this._o.verifier.derive(publicKey, source)
    if (number !== 'busy') return number
    const waiting = this._waiting.get(room.id) ?? 0
    if (waiting >= MAX_WAITING) return 'busy'
    this._waiting.set(room.id, waiting + 1)
    try {
      const end = Date.now() + JOIN_WAIT
      while (number === 'busy' && Date.now() < end && !this.closing) {
        await sleep(BUSY_RETRY)
        number = await this._o.verifier.derive(publicKey, source)
      }
      return number
    } finally {
      const left = (this._waiting.get(room.id) ?? 1) - 1
      if (left > 0) this._waiting.set(room.id, left)
      else this._waiting.delete(room.id)
    }
  }

  private _signedRequest(inviteId: Buffer, writerKey: Buffer): Omit<JoinRequest, 'memberSignature'> {
    const signature = this._o.identity.sign(signable(inviteId, writerKey))
    return { writerKey, publicKey: this._o.identity.publicKey, name: this._o.name(), signature }
  }

  private async _onrequest(room: Room, request: BlindPairing.MemberRequest): Promise<void> {
    const invite = await room.invite(request.inviteId)
    if (invite === null) return // not this room's invite (or revoked): stay silent
    let data: Buffer
    try {
      data = request.open(invite.publicKey)
    } catch {
      return this._o.log(`room ${room.id}: a join request that does not open with its invite`)
    }
    if (invite.expires > 0 && invite.expires < Date.now()) return request.deny({ status: 3 })
    let join: JoinRequest
    try {
      join = c.decode(schema.joinRequest, data)
    } catch {
      return request.deny({ status: 1 })
    }
    if (!sodium.crypto_sign_verify_detached(join.signature, signable(request.inviteId, join.writerKey), join.publicKey)) {
      this._o.log(`room ${room.id}: a join request whose identity signature does not verify`)
      return request.deny({ status: 1 })
    }
    const name = join.name.slice(0, schema.MAX_NAME_LENGTH)
    // apply checks the member signature on every member; an invalid one would add nobody.
    const { writerKey, publicKey, memberSignature: signature } = join
    // Checking the member signature costs a derivation of the joiner's key: within the budget.
    const number = await this._derive(room, publicKey)
    if (number === 'busy' || number === null) {
      this._o.log(`room ${room.id}: a join request turned away: ${number === null ? 'its key did not derive' : 'too many new keys are being checked right now'}`)
      return request.deny({ status: 1 })
    }
    try {
      await room.addMember({ writerKey, publicKey, name, role: schema.ROLE_MEMBER, signature })
    } catch (err) {
      this._o.log(`room ${room.id}: a join request refused: ${(err as Error).message}`)
      return request.deny({ status: 1 })
    }
    request.confirm({ key: room.key, encryptionKey: room.encryptionKey })
  }
}

/** A blind-pairing invite from its z32 text: `bad()` when it is not one, INVITE_EXPIRED when it is past its expiry. */
export function readInvite(text: string, bad: () => PeerlineError): { invite: Buffer; decoded: BlindPairing.DecodedInvite } {
  let invite: Buffer
  let decoded: BlindPairing.DecodedInvite
  try {
    invite = z32.decode(String(text).trim())
    decoded = BlindPairing.decodeInvite(invite)
  } catch {
    throw bad()
  }
  if (decoded.expires > 0 && expiresAt(decoded.expires) < Date.now()) throw expired()
  return { invite, decoded }
}

/**
 * When an invite expires (ms). blind-pairing stores whole seconds of the ms it is given; before
 * 2.1 we gave it seconds, so those invites read back as about a thousandth of the time, rounded
 * down by up to 999 s: checked as ms, every such invite would look long expired, and checked as
 * seconds (as we did) one could read as expired up to 999 s early. Read them leniently.
 */
function expiresAt(decoded: number): number {
  return decoded < 1e11 ? (decoded + 1000) * 1000 : decoded
}

function signable(inviteId: Buffer, writerKey: Buffer): Buffer {
  const out = b4a.alloc(32)
  sodium.crypto_generichash(out, b4a.concat([b4a.from(JOIN_DOMAIN), inviteId, writerKey]))
  return out
}

const invalid = (): PeerlineError => PeerlineError.INVITE_INVALID()
const expired = (): PeerlineError => PeerlineError.INVITE_EXPIRED()
const unanswered = (): PeerlineError =>
  PeerlineError.INVITE_INVALID('Nobody in that room answered this room key: it may be wrong or revoked, or no member is online right now.')
