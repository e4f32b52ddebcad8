import b4a from 'b4a'
import crypto from 'hypercore-crypto'
import UDX from 'udx-native'
import type NoiseSecretStream from '@hyperswarm/secret-stream'
import type Protomux from 'protomux'
import { PeerlineError } from '../errors'
import type { Log } from '../log'
import type { Room } from '../rooms/room'
import type { Rooms } from '../rooms/rooms'
import * as schema from '../wire/schemas'
import type { CallChat, CallDecline, CallElsewhere, CallOutcome, CallParticipants, CallRef, CallRing, CallSignal } from '../wire/schemas'
import { CallLink, tagOf } from './call-link'
import type { CallLinkHandlers } from './call-link'
import { CallTunnel, TUNNEL_HOST } from './tunnel'
import type { CallChatNote, CallIncoming, CallPeer, CallSignalNote, CallState, CallStateName, CallStatus, CallTunnelInfo, EndReason, Signal } from '../contract'
import { Resource } from '../resource'

/** A mesh of 8: each member sends its media to the 7 others. */
export const MAX_PARTICIPANTS = 8
const DEFAULT_RING_TIMEOUT = 30_000
/** Group calls remembered for a late joinCall. */
const MAX_MISSED = 16
/** Devices of one person rung for one call (each is a connection of theirs). */
const MAX_DEVICES_RUNG = 8


export interface CallManagerOptions {
  rooms: Rooms
  self: Buffer
  log: Log
  ringTimeout?: number
  /** Tunnel datagrams on the media channel even on UDX streams (tests of the fallback). */
  tunnelOverChannel?: boolean
}

interface Member {
  number: string
  name: string
}

class Call {
  readonly id: Buffer
  readonly hex: string
  readonly room: Room
  readonly video: boolean
  readonly group: boolean
  readonly outgoing: boolean
  readonly starter: string
  state: CallStateName
  answeredAt = 0
  lastDecline: EndReason = 'missed'
  timer: ReturnType<typeof setTimeout> | null = null
  /** by person: everyone in the call with us */
  readonly peers = new Map<string, CallTunnel | null>()
  /** by person: the devices (links) of theirs we rang, until one answers or the person declines */
  readonly ringing = new Map<string, Set<CallLink>>()
  /**
   * by person: the one device (link) that speaks for them in this call: the caller's device, and
   * for each peer the device that answered or joined. Anything from their other devices is not
   * part of the call, so one person is never two peers.
   */
  readonly via = new Map<string, CallLink>()
  members: Map<string, Member>

  constructor(id: Buffer, room: Room, o: { video: boolean; group: boolean; outgoing: boolean; starter: string; members: Map<string, Member> }) {
    this.id = id
    this.hex = b4a.toString(id, 'hex')
    this.room = room
    this.video = o.video
    this.group = o.group
    this.outgoing = o.outgoing
    this.starter = o.starter
    this.state = o.outgoing ? 'calling' : 'ringing'
    this.members = o.members
  }
}

/** What the call manager emits: the Api passes each on as the call notification of that name. */
export interface CallManagerEvents {
  incoming: [CallIncoming]
  state: [CallState]
  peer: [CallPeer]
  signal: [CallSignalNote]
  chat: [CallChatNote]
}

/**
 * Calls: ringing, answering and hanging up with contacts and room members over each connection's
 * call channel, WebRTC signalling passed between renderers, in-call chat (never stored), and the
 * media tunnels. One call at a time: a ring while in a call is answered busy.
 *
 * Group calls are a mesh: the starter rings every online member; whoever accepts gets the list
 * of who is in the call from the starter and joins each of them; the joiner makes the offers.
 * The caller records how the call went (missed, declined, busy, duration) in the conversation.
 *
 * A person may have several devices (linked devices: one connection, so one link, each): a ring
 * goes to every connected device of theirs; the first to answer is the person in the call and the
 * others are told it was answered elsewhere; a decline on one device declines for the person (as
 * Signal does); busy or full from one device leaves the others ringing.
 *
 * Events: 'incoming' (CallIncoming), 'state' (CallState), 'peer' (CallPeer),
 * 'signal' (CallSignalNote), 'chat' (CallChatNote).
 */
export class CallManager extends Resource<CallManagerEvents> {
  private readonly _o: CallManagerOptions
  private readonly _self: string
  /** by person: one link per connection, so one per device of theirs */
  private readonly _links = new Map<string, Set<CallLink>>()
  private readonly _calls = new Map<string, Call>()
  private readonly _byTag = new Map<string, Call>()
  private readonly _missed = new Map<string, Call>()
  private readonly _udx = new UDX()
  private readonly _handlers: CallLinkHandlers

  constructor(opts: CallManagerOptions) {
    super()
    this._o = opts
    this._self = b4a.toString(opts.self, 'hex')
    this._handlers = {
      ring: (l, m) => this._onring(l, m),
      accept: (l, m) => this._onaccept(l, m),
      decline: (l, m) => this._ondecline(l, m),
      hangup: (l, m) => this._onhangup(l, m),
      participants: (l, m) => this._onparticipants(l, m),
      join: (l, m) => this._onjoin(l, m),
      signal: (l, m) => this._onsignal(l, m),
      chat: (l, m) => this._onchat(l, m),
      elsewhere: (l, m) => this._onelsewhere(l, m),
      datagram: (l, tag, data) => {
        const call = this._byTag.get(tag)
        if (call !== undefined && call.via.get(l.id) === l) call.peers.get(l.id)?.deliver(data)
      },
      close: (l) => this._onlinkclose(l)
    }
  }

  protected async _open(): Promise<void> {}

  protected async _close(): Promise<void> {
    for (const call of [...this._calls.values()]) {
      for (const link of this._everyone(call)) link.hangup(call.id)
      await this._end(call, 'closed')
    }
  }

  /** Opens the call channels on an authenticated connection (on 'authenticated', synchronously). */
  attach(publicKey: Buffer, mux: Protomux, conn: NoiseSecretStream): void {
    const link = new CallLink(publicKey, mux, conn, (msg) => this._o.log(`call ${link.deviceId.slice(0, 8)}: ${msg}`), this._handlers, this._o.tunnelOverChannel)
    const links = this._links.get(link.id) ?? new Set<CallLink>()
    links.add(link)
    this._links.set(link.id, links)
  }

  /** The call in progress (ringing, calling or active), if any. */
  get current(): Call | null {
    for (const call of this._calls.values()) return call
    return null
  }

  /** Rings the other member of a direct room, or every online member of a group room. */
  async start(room: Room, video: boolean, group: boolean): Promise<{ call: string }> {
    if (this.closing) throw PeerlineError.CLOSED()
    if (this.current) throw PeerlineError.BUSY()
    const members = await membersOf(room)
    const online = [...members.keys()].filter((k) => k !== this._self && this._online(k).length > 0)
    if (online.length === 0) {
      throw PeerlineError.NOT_ONLINE(group ? 'Nobody else in this room is online to call.' : 'They are not online right now.')
    }
    const call = new Call(crypto.randomBytes(32), room, { video, group, outgoing: true, starter: this._self, members })
    this._track(call)
    for (const key of online.slice(0, MAX_PARTICIPANTS - 1)) {
      // Every device of theirs rings; the first to answer takes the call.
      const rung = this._online(key).slice(0, MAX_DEVICES_RUNG).filter((link) => link.ring({ call: call.id, room: room.key, video, group }))
      if (rung.length > 0) call.ringing.set(key, new Set(rung))
    }
    call.timer = setTimeout(() => this._ringTimeout(call), this._ringTimeout_ms)
    this._state(call)
    return { call: call.hex }
  }

  async answer(id: string): Promise<Record<string, never>> {
    const call = this._get(id)
    if (call.state !== 'ringing') throw PeerlineError.BAD_REQUEST('That call is not ringing.')
    return this._enter(call)
  }

  /** Joins a group call whose ring was missed or declined, if its starter is still in it. */
  async join(id: string): Promise<Record<string, never>> {
    if (this.current) throw PeerlineError.BUSY()
    const missed = typeof id === 'string' ? this._missed.get(id.toLowerCase()) : undefined
    if (!missed) throw PeerlineError.NO_SUCH_CALL('No group call with that id rang here.')
    this._missed.delete(missed.hex)
    const call = new Call(missed.id, missed.room, { video: missed.video, group: true, outgoing: false, starter: missed.starter, members: missed.members })
    const starter = missed.via.get(missed.starter)
    if (starter !== undefined) call.via.set(missed.starter, starter)
    this._track(call)
    return this._enter(call)
  }

  /** The call in progress, for a renderer that (re)connects. */
  status(): CallStatus | null {
    const call = this.current
    if (!call) return null
    const peers = [...call.peers.keys()].map((k) => this._number(call, k))
    return { call: call.hex, room: call.room.id, state: call.state, video: call.video, group: call.group, outgoing: call.outgoing, peers }
  }

  /** Accepts toward the starter; the joiner makes the offers (starter now, the others on `participants`). */
  private async _enter(call: Call): Promise<Record<string, never>> {
    let link = call.via.get(call.starter)
    // The caller's device came back on a new connection since it rang (a late joinCall).
    if (link !== undefined && !link.opened) {
      const device = link.deviceId
      link = this._online(call.starter).find((l) => l.deviceId === device)
      if (link !== undefined) call.via.set(call.starter, link)
    }
    if (!link || !link.accept(call.id)) {
      await this._end(call, 'lost')
      throw PeerlineError.NO_SUCH_CALL('The caller is gone.')
    }
    this._clearTimer(call)
    call.state = 'active'
    call.answeredAt = Date.now()
    this._state(call)
    this._addPeer(call, call.starter, true)
    return {}
  }

  async decline(id: string): Promise<Record<string, never>> {
    const call = this._get(id)
    if (call.state !== 'ringing') throw PeerlineError.BAD_REQUEST('That call is not ringing: use hangUp.')
    call.via.get(call.starter)?.decline(call.id, 'declined')
    await this._end(call, 'declined')
    return {}
  }

  async hangUp(id: string): Promise<Record<string, never>> {
    const call = this._get(id)
    if (call.state === 'ringing') return this.decline(id)
    for (const link of this._everyone(call)) link.hangup(call.id)
    await this._end(call, 'hangup')
    return {}
  }

  /** Passes an offer, answer or ICE candidate from our renderer to one peer's renderer. */
  signal(id: string, peer: string | undefined, signal: Signal): Record<string, never> {
    const call = this._get(id)
    const key = this._peerKey(call, peer)
    const link = call.via.get(key)
    if (!link) throw PeerlineError.NOT_ONLINE()
    const m: CallSignal =
      signal.type === 'candidate'
        ? { call: call.id, kind: 'candidate', text: signal.candidate, mid: signal.sdpMid ?? '', mline: signal.sdpMLineIndex === null ? 0 : signal.sdpMLineIndex + 1 }
        : { call: call.id, kind: signal.type, text: signal.sdp, mid: '', mline: 0 }
    link.signal(m)
    return {}
  }

  /** In-call chat to everyone in the call. Nothing of it is stored, here or there. */
  chat(id: string, text: string): { time: number } {
    const call = this._get(id)
    if (call.state !== 'active') throw PeerlineError.BAD_REQUEST('The call is not active.')
    if (text.length === 0 || text.length > schema.MAX_TEXT_LENGTH) throw PeerlineError.BAD_REQUEST(`text must be 1..${schema.MAX_TEXT_LENGTH} characters`)
    const time = Date.now()
    for (const key of call.peers.keys()) call.via.get(key)?.chat({ call: call.id, text, time })
    return { time }
  }

  /** The local tunnel socket for one peer of a call, made on first use. */
  tunnel(id: string, peer: string | undefined): CallTunnelInfo {
    const call = this._get(id)
    const key = this._peerKey(call, peer)
    const link = call.via.get(key)
    if (!link) throw PeerlineError.NOT_ONLINE()
    let tunnel = call.peers.get(key) ?? null
    if (tunnel === null) {
      tunnel = new CallTunnel(this._udx.createSocket(), (data) => call.via.get(key)?.datagram(call.id, data))
      call.peers.set(key, tunnel)
    }
    return { host: TUNNEL_HOST, port: tunnel.port, candidate: tunnel.candidate(), route: link.route }
  }

  /** Datagram counts of a peer's tunnel (tests, bench). */
  tunnelStats(id: string, peer: string | undefined): { out: number; in: number; dropped: number } | null {
    const call = this._get(id)
    return call.peers.get(this._peerKey(call, peer))?.stats ?? null
  }

  private get _ringTimeout_ms(): number {
    return this._o.ringTimeout ?? DEFAULT_RING_TIMEOUT
  }

  private _get(id: string): Call {
    const call = typeof id === 'string' ? this._calls.get(id.toLowerCase()) : undefined
    if (!call) throw PeerlineError.NO_SUCH_CALL()
    return call
  }

  private _peerKey(call: Call, peer: string | undefined): string {
    if (peer === undefined) {
      if (call.peers.size !== 1) throw PeerlineError.BAD_REQUEST('"peer" is needed in a call with several people')
      return call.peers.keys().next().value as string
    }
    for (const key of call.peers.keys()) if (call.members.get(key)?.number === peer.replace(/[ -]/g, '')) return key
    throw PeerlineError.NOT_A_MEMBER(`${peer} is not in this call.`)
  }

  /** The person's devices connected now (one link each). */
  private _online(person: string): CallLink[] {
    return [...(this._links.get(person) ?? [])].filter((l) => l.opened)
  }

  /** Every device we speak to in this call: each peer's, and each one still ringing. */
  private _everyone(call: Call): CallLink[] {
    const out = new Set<CallLink>()
    for (const key of call.peers.keys()) {
      const link = call.via.get(key)
      if (link) out.add(link)
    }
    for (const rung of call.ringing.values()) for (const link of rung) out.add(link)
    return [...out]
  }

  /** Stops the rest of a person's rung devices: another device of theirs answered or declined. */
  private _elsewhere(call: Call, rung: Iterable<CallLink> | undefined, except: CallLink, answered: boolean): void {
    for (const other of rung ?? []) if (other !== except) other.elsewhere(call.id, answered)
  }

  private _track(call: Call): void {
    this._calls.set(call.hex, call)
    this._byTag.set(tagOf(call.id), call)
  }

  private _clearTimer(call: Call): void {
    if (call.timer) clearTimeout(call.timer)
    call.timer = null
  }

  private _ringTimeout(call: Call): void {
    call.timer = null
    if (call.state === 'ringing') return void this._end(call, 'missed')
    for (const rung of call.ringing.values()) for (const link of rung) link.hangup(call.id)
    call.ringing.clear()
    if (call.peers.size === 0) void this._end(call, 'missed')
  }

  private _addPeer(call: Call, key: string, offer: boolean): void {
    if (call.peers.has(key)) return
    call.peers.set(key, null)
    this.emit('peer', { call: call.hex, peer: this._number(call, key), joined: true, offer } satisfies CallPeer)
  }

  private async _removePeer(call: Call, key: string, reason: EndReason): Promise<void> {
    // Only someone rung or in the call can leave it.
    if (!call.ringing.has(key) && !call.peers.has(key)) return
    call.ringing.delete(key)
    call.via.delete(key)
    if (call.peers.has(key)) {
      const tunnel = call.peers.get(key)
      call.peers.delete(key)
      if (tunnel) await tunnel.close()
      this.emit('peer', { call: call.hex, peer: this._number(call, key), joined: false, offer: false } satisfies CallPeer)
    }
    if (call.peers.size === 0 && call.ringing.size === 0) await this._end(call, reason)
  }

  private _number(call: Call, key: string): string {
    return call.members.get(key)?.number ?? key
  }

  private _state(call: Call, extra: Partial<CallState> = {}): void {
    this.emit('state', { call: call.hex, room: call.room.id, state: call.state, ...extra } satisfies CallState)
  }

  private async _end(call: Call, reason: EndReason): Promise<void> {
    if (call.state === 'ended') return
    this._clearTimer(call)
    const wasAnswered = call.answeredAt > 0
    call.state = 'ended'
    this._calls.delete(call.hex)
    this._byTag.delete(tagOf(call.id))
    const tunnels = [...call.peers.values()]
    call.peers.clear()
    call.ringing.clear()
    for (const t of tunnels) if (t) await t.close()
    const duration = wasAnswered ? Date.now() - call.answeredAt : 0
    this._state(call, { reason, duration })
    // (Answered on another device of ours: that device is in it; this one never joins it as well.)
    if (call.group && !call.outgoing && !wasAnswered && (reason === 'missed' || reason === 'declined' || reason === 'declined-elsewhere')) {
      // A group call goes on without us: keep what joinCall needs.
      this._missed.set(call.hex, call)
      if (this._missed.size > MAX_MISSED) this._missed.delete(this._missed.keys().next().value as string)
    }
    if (call.outgoing && reason !== 'closed') {
      const outcome: CallOutcome = wasAnswered ? 'ended' : reason === 'declined' || reason === 'busy' ? reason : 'missed'
      const record = { call: call.hex, outcome, video: call.video, group: call.group, duration }
      call.room.recordCall(record).catch((err: Error) => this._o.log(`call ${call.hex.slice(0, 8)}: not recorded: ${err.message}`))
    }
  }

  private async _onring(link: CallLink, m: CallRing): Promise<void> {
    const hex = b4a.toString(m.call, 'hex')
    if (this._calls.has(hex) || this.closing) return
    const id = this._o.rooms.idOf(m.room)
    if (!this._o.rooms.list().some((r) => r.id === id)) return void this._o.log('ring for a room we are not in: ignored')
    const room = await this._o.rooms.open(id)
    let members = await membersOf(room)
    if (!members.has(link.id)) {
      // Just after a contact accept the room may not have caught up with who is in it yet.
      await room.update()
      members = await membersOf(room)
    }
    // Only members of the room the call belongs to may ring (a direct room's member is a contact).
    if (!members.has(link.id)) return void this._o.log('ring from someone who is not a member: ignored')
    if (this._calls.has(hex) || this.current) return void link.decline(m.call, 'busy')
    const call = new Call(m.call, room, { video: m.video, group: m.group, outgoing: false, starter: link.id, members })
    call.via.set(link.id, link)
    this._track(call)
    call.timer = setTimeout(() => this._ringTimeout(call), this._ringTimeout_ms)
    const from = members.get(link.id)
    this.emit('incoming', { call: hex, room: room.id, from: from?.number ?? '', name: from?.name ?? '', video: m.video, group: m.group } satisfies CallIncoming)
    this._state(call)
  }

  private _onaccept(link: CallLink, m: CallRef): void {
    const call = this._calls.get(b4a.toString(m.call, 'hex'))
    if (!call) return void link.hangup(m.call) // over already: say so, or a late joiner waits
    const bound = call.via.get(link.id)
    // Another device of this person answered first (or joined): this one is not in the call.
    if (bound !== undefined && bound !== link) return void link.elsewhere(call.id, true)
    const rung = call.ringing.get(link.id)
    const late = call.group && call.state === 'active' && call.members.has(link.id) && !call.peers.has(link.id)
    if (!rung?.has(link) && !late) return
    call.ringing.delete(link.id)
    if (call.peers.size >= MAX_PARTICIPANTS - 1) {
      for (const other of rung ?? [link]) other.decline(call.id, 'full')
      return
    }
    call.via.set(link.id, link)
    this._elsewhere(call, rung, link, true)
    // Each peer as the device that is in the call, so the joiner reaches that one.
    link.participants(call.id, [...call.peers.keys()].map((k) => call.via.get(k)?.device ?? b4a.from(k, 'hex')))
    if (call.state === 'calling') {
      call.state = 'active'
      call.answeredAt = Date.now()
      this._state(call)
    }
    // 1:1: nobody else was rung. Group: the others may still answer until the ring times out.
    this._addPeer(call, link.id, false)
  }

  private _onparticipants(link: CallLink, m: CallParticipants): void {
    const call = this._calls.get(b4a.toString(m.call, 'hex'))
    if (!call || call.starter !== link.id || call.via.get(link.id) !== link || call.state !== 'active') return
    for (const device of m.peers.map((p) => b4a.toString(p, 'hex'))) {
      // The device in the call (a caller from before linked devices names the person: the same
      // key for a person's own device).
      const peer = this._device(device)
      if (peer === undefined) continue
      const key = peer.id
      if (key === this._self || call.peers.has(key) || !call.members.has(key)) continue
      if (call.peers.size >= MAX_PARTICIPANTS - 1) break
      if (peer.join(call.id)) {
        call.via.set(key, peer)
        this._addPeer(call, key, true)
      }
    }
  }

  private async _onjoin(link: CallLink, m: CallRef): Promise<void> {
    const call = this._calls.get(b4a.toString(m.call, 'hex'))
    if (!call || call.state !== 'active' || !call.group) return
    // Someone who joined the room after the call began is looked up again.
    if (!call.members.has(link.id)) call.members = await membersOf(call.room)
    if (!call.members.has(link.id) || call.state !== 'active') return
    const bound = call.via.get(link.id)
    if (bound !== undefined && bound !== link) return void link.elsewhere(call.id, true)
    if (call.peers.size >= MAX_PARTICIPANTS - 1) return void link.decline(call.id, 'full')
    this._elsewhere(call, call.ringing.get(link.id), link, true)
    call.ringing.delete(link.id)
    call.via.set(link.id, link)
    this._addPeer(call, link.id, false)
  }

  private _ondecline(link: CallLink, m: CallDecline): void {
    const call = this._calls.get(b4a.toString(m.call, 'hex'))
    if (!call) return
    const reason: EndReason = m.reason
    const rung = call.ringing.get(link.id)
    if (rung?.has(link)) {
      call.lastDecline = reason
      // Busy or full on one device: the person's other devices still ring.
      if (reason !== 'declined') {
        rung.delete(link)
        if (rung.size > 0) return
      } else {
        // Declined on one device declines for the person (as Signal does): the others stop.
        this._elsewhere(call, rung, link, false)
      }
    } else if (call.via.get(link.id) !== link) return
    if (!call.outgoing && link.id === call.starter && call.peers.size <= 1) return void this._end(call, reason)
    void this._removePeer(call, link.id, call.state === 'active' ? 'remote-hangup' : call.lastDecline)
  }

  private _onhangup(link: CallLink, m: CallRef): void {
    const call = this._calls.get(b4a.toString(m.call, 'hex'))
    if (!call) return
    // The caller gave up before we answered: a missed call.
    if (call.state === 'ringing') return void (call.via.get(call.starter) === link && this._end(call, 'missed'))
    const rung = call.ringing.get(link.id)
    if (rung?.has(link) === true) {
      rung.delete(link)
      if (rung.size > 0) return
    } else if (call.via.get(link.id) !== link) return // another device of theirs: not in the call
    void this._removePeer(call, link.id, 'remote-hangup')
  }

  private _onsignal(link: CallLink, m: CallSignal): void {
    const call = this._calls.get(b4a.toString(m.call, 'hex'))
    if (!call || !call.peers.has(link.id) || call.via.get(link.id) !== link) return
    const signal: Signal =
      m.kind === 'candidate'
        ? { type: 'candidate', candidate: m.text, sdpMid: m.mid === '' ? null : m.mid, sdpMLineIndex: m.mline === 0 ? null : m.mline - 1 }
        : { type: m.kind, sdp: m.text }
    this.emit('signal', { call: call.hex, peer: this._number(call, link.id), signal } satisfies CallSignalNote)
  }

  private _onchat(link: CallLink, m: CallChat): void {
    const call = this._calls.get(b4a.toString(m.call, 'hex'))
    if (!call || !call.peers.has(link.id) || call.via.get(link.id) !== link || m.text.length === 0 || m.text.length > schema.MAX_TEXT_LENGTH) return
    this.emit('chat', { call: call.hex, from: this._number(call, link.id), text: m.text, time: m.time } satisfies CallChatNote)
  }

  /**
   * The caller says another device of ours answered or declined this call: stop ringing (or, if
   * we answered too and lost the race, leave). Only the caller's device in the call may say it.
   */
  private _onelsewhere(link: CallLink, m: CallElsewhere): void {
    const call = this._calls.get(b4a.toString(m.call, 'hex'))
    if (!call || call.outgoing || call.starter !== link.id || call.via.get(link.id) !== link) return
    void this._end(call, m.answered ? 'answered-elsewhere' : 'declined-elsewhere')
  }

  /** The open link of the connection whose remote key is `device` (hex), if any. */
  private _device(device: string): CallLink | undefined {
    for (const links of this._links.values()) for (const l of links) if (l.opened && l.deviceId === device) return l
    return undefined
  }

  private _onlinkclose(link: CallLink): void {
    const links = this._links.get(link.id)
    links?.delete(link)
    if (links?.size === 0) this._links.delete(link.id)
    for (const call of [...this._calls.values()]) {
      const rung = call.ringing.get(link.id)
      if (call.state === 'ringing' && call.via.get(call.starter) === link) void this._end(call, 'lost')
      else if (call.via.get(link.id) === link) void this._removePeer(call, link.id, 'lost')
      else if (rung?.delete(link) === true && rung.size === 0) void this._removePeer(call, link.id, 'lost')
    }
  }
}

/** The room's active members by hex key. */
async function membersOf(room: Room): Promise<Map<string, Member>> {
  const out = new Map<string, Member>()
  for (const m of await room.members()) if (m.state === schema.MEMBER_ACTIVE) out.set(b4a.toString(m.publicKey, 'hex'), { number: m.number, name: m.name })
  return out
}
