import type { ApiPort } from '../api-port'
import type { CallChatNote, CallIncoming as IncomingCall, CallPeer, CallSignalNote, CallState as CallStateNote, CallStateName, Signal } from '../../../lib/contract'
import type { Params, ParamsArg } from '../../../lib/contract'

export type { IncomingCall, CallStateNote }

/**
 * The renderer's half of calls: WebRTC with no ICE servers. Signalling goes through the Api
 * (callSignal); the worker adds a second route, a tunnel over the Hyperswarm connection, which
 * this engine offers to ICE as an extra remote candidate. Group calls are a mesh: one
 * RTCPeerConnection per peer, all sending the same local tracks.
 *
 * Nothing here is stored: in-call chat lives in `chat` until the call ends.
 */

export interface ChatLine {
  from: string
  text: string
  time: number
  mine: boolean
}

export interface CallEngineOptions {
  /** Offer the worker's tunnel as a candidate (default true). */
  tunnel?: boolean
  /** Test switch: send the peer no candidates of ours, so only the tunnel can connect. */
  tunnelOnly?: boolean
  audioDeviceId?: string
  videoDeviceId?: string
}

/** What getStats says about one peer's connection. */
export interface PeerStats {
  framesDecoded: number
  /** of the last decoded video frame */
  frameWidth: number
  frameHeight: number
  totalSamplesReceived: number
  packetsReceived: number
  packetsLost: number
  /** seconds: the selected pair's last STUN round trip */
  rtt: number | null
  /** seconds: mean STUN round trip on the selected pair, and mean RTCP round trip of our media */
  stunRtt: number | null
  rtcpRtt: number | null
  route: 'host' | 'tunnel' | 'other' | null
  local: string | null
  remote: string | null
}

export interface CallEngineEvents {
  incoming: IncomingCall
  state: CallStateNote
  /** a peer's media arrived (or changed) */
  stream: { call: string; peer: string; stream: MediaStream }
  /** a peer left the call */
  left: { call: string; peer: string }
  chat: { call: string } & ChatLine
  /** the local preview (camera or screen) changed */
  local: { call: string; stream: MediaStream }
  /** ICE on one peer connection */
  connection: { call: string; peer: string; state: RTCIceConnectionState }
}

class PeerLink {
  readonly pc: RTCPeerConnection
  readonly peer: string
  readonly offerer: boolean
  readonly remote = new MediaStream()
  tunnelPort: number | null = null
  private _pending: RTCIceCandidateInit[] = []
  private _makingOffer = false
  private _negotiated = false

  constructor(
    peer: string,
    offerer: boolean,
    private readonly _send: (signal: Signal) => void,
    private readonly _addTunnel: (link: PeerLink) => Promise<void>,
    private readonly _o: CallEngineOptions
  ) {
    this.peer = peer
    this.offerer = offerer
    this.pc = new RTCPeerConnection({ iceServers: [], bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' })
    this.pc.onicecandidate = (e) => {
      if (!e.candidate || this._o.tunnelOnly) return
      this._send({ type: 'candidate', candidate: e.candidate.candidate, sdpMid: e.candidate.sdpMid, sdpMLineIndex: e.candidate.sdpMLineIndex })
    }
    this.pc.ontrack = (e) => {
      if (!this.remote.getTracks().includes(e.track)) this.remote.addTrack(e.track)
    }
    // Later changes (a screen share in an audio call) renegotiate; the first offer is the offerer's.
    this.pc.onnegotiationneeded = () => {
      if (!this._negotiated && !this.offerer) return
      void this._offer()
    }
  }

  async _offer(): Promise<void> {
    try {
      this._makingOffer = true
      await this.pc.setLocalDescription()
      const desc = this.pc.localDescription
      if (desc) this._send({ type: 'offer', sdp: this._strip(desc.sdp) })
    } finally {
      this._makingOffer = false
    }
  }

  /** Perfect negotiation: on an offer collision the answerer of the first exchange yields. */
  async onsignal(signal: Signal, addTracks: () => void): Promise<void> {
    if (signal.type === 'candidate') {
      const init: RTCIceCandidateInit = { candidate: signal.candidate, sdpMid: signal.sdpMid, sdpMLineIndex: signal.sdpMLineIndex }
      if (this.pc.remoteDescription) await this.pc.addIceCandidate(init).catch(() => {})
      else this._pending.push(init)
      return
    }
    const collision = signal.type === 'offer' && (this._makingOffer || this.pc.signalingState !== 'stable')
    if (collision && this.offerer) return // impolite: ignore theirs, ours wins
    await this.pc.setRemoteDescription({ type: signal.type, sdp: signal.sdp })
    const first = !this._negotiated
    if (signal.type === 'offer') {
      // After the remote offer, so our tracks ride the transceivers it created.
      if (first) addTracks()
      await this.pc.setLocalDescription()
      const desc = this.pc.localDescription
      if (desc) this._send({ type: 'answer', sdp: this._strip(desc.sdp) })
    }
    this._negotiated = true
    if (first) {
      if (this._o.tunnel !== false) await this._addTunnel(this)
      for (const c of this._pending.splice(0)) await this.pc.addIceCandidate(c).catch(() => {})
    }
  }

  /** With tunnelOnly, no candidate of ours may reach the peer, not even inside the SDP. */
  private _strip(sdp: string): string {
    if (!this._o.tunnelOnly) return sdp
    return sdp
      .split('\r\n')
      .filter((l) => !l.startsWith('a=candidate:') && !l.startsWith('a=end-of-candidates'))
      .join('\r\n')
  }

  close(): void {
    this.pc.close()
  }
}

class ActiveCall {
  readonly links = new Map<string, PeerLink>()
  readonly chat: ChatLine[] = []
  state: CallStateName
  local: MediaStream | null = null
  screen: MediaStream | null = null
  constructor(
    readonly id: string,
    readonly video: boolean,
    state: CallStateName
  ) {
    this.state = state
  }
}

export class CallEngine {
  readonly api: ApiPort
  readonly options: CallEngineOptions
  private readonly _calls = new Map<string, ActiveCall>()
  private readonly _incoming = new Map<string, IncomingCall>()
  private readonly _listeners = new Map<keyof CallEngineEvents, Set<(payload: never) => void>>()
  private readonly _off: Array<() => void> = []

  constructor(api: ApiPort, options: CallEngineOptions = {}) {
    this.api = api
    this.options = { ...options }
    this._off.push(
      api.on('callIncoming', (p: IncomingCall) => {
        this._incoming.set(p.call, p)
        this._emit('incoming', p)
      }),
      api.on('callState', (p: CallStateNote) => this._onstate(p)),
      api.on('callPeer', (p: CallPeer) => void this._onpeer(p)),
      api.on('callSignal', (p: CallSignalNote) => void this._onsignal(p)),
      api.on('callChat', (p: CallChatNote) => {
        const call = this._calls.get(p.call)
        if (!call) return
        const line = { from: p.from, text: p.text, time: p.time, mine: false }
        call.chat.push(line)
        this._emit('chat', { call: p.call, ...line })
      })
    )
  }

  on<K extends keyof CallEngineEvents>(event: K, fn: (payload: CallEngineEvents[K]) => void): () => void {
    let set = this._listeners.get(event)
    if (!set) this._listeners.set(event, (set = new Set()))
    set.add(fn as (payload: never) => void)
    return () => set.delete(fn as (payload: never) => void)
  }

  /** Cameras and microphones to choose from (labels appear once media permission is given). */
  static async devices(): Promise<{ audio: MediaDeviceInfo[]; video: MediaDeviceInfo[] }> {
    const all = await navigator.mediaDevices.enumerateDevices()
    return { audio: all.filter((d) => d.kind === 'audioinput'), video: all.filter((d) => d.kind === 'videoinput') }
  }

  call(id: string): { state: CallStateName; video: boolean; chat: readonly ChatLine[]; peers: string[]; local: MediaStream | null } | null {
    const c = this._calls.get(id)
    return c ? { state: c.state, video: c.video, chat: c.chat, peers: [...c.links.keys()], local: c.screen ?? c.local } : null
  }

  /** Calls a contact (their number). */
  async start(to: string, video = true): Promise<string> {
    return this._begin('startCall', { to, video }, video)
  }

  /** Rings every online member of a group room. */
  async startRoom(room: string, video = true): Promise<string> {
    return this._begin('startRoomCall', { room, video }, video)
  }

  private async _begin<M extends 'startCall' | 'startRoomCall'>(method: M, params: Params<M>, video: boolean): Promise<string> {
    const local = await this._media(video)
    try {
      const { call } = await this.api.call(method, ...([params] as ParamsArg<M>))
      return this._track(call, video, 'calling', local)
    } catch (err) {
      stop(local)
      throw err
    }
  }

  async answer(id: string, video?: boolean): Promise<void> {
    return this._enter('answerCall', id, video)
  }

  /** Joins a group call whose ring was missed or declined (while its starter is still in it). */
  async join(id: string, video?: boolean): Promise<void> {
    return this._enter('joinCall', id, video)
  }

  private async _enter(method: 'answerCall' | 'joinCall', id: string, video: boolean | undefined): Promise<void> {
    const incoming = this._incoming.get(id)
    const withVideo = video ?? incoming?.video ?? true
    const local = await this._media(withVideo)
    this._track(id, withVideo, 'active', local)
    try {
      await this.api.call(method, { call: id })
    } catch (err) {
      this._teardown(id)
      throw err
    }
  }

  async decline(id: string): Promise<void> {
    this._incoming.delete(id)
    await this.api.call('declineCall', { call: id })
  }

  async hangUp(id: string): Promise<void> {
    try {
      await this.api.call('hangUp', { call: id })
    } finally {
      this._teardown(id)
    }
  }

  setMuted(id: string, muted: boolean): void {
    for (const t of this._calls.get(id)?.local?.getAudioTracks() ?? []) t.enabled = !muted
  }

  setCamera(id: string, on: boolean): void {
    for (const t of this._calls.get(id)?.local?.getVideoTracks() ?? []) t.enabled = on
  }

  /** Sends the screen instead of the camera to every peer; stopScreen (or the browser's stop) ends it. */
  async shareScreen(id: string): Promise<void> {
    const call = this._need(id)
    const screen = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false })
    const track = screen.getVideoTracks()[0]
    if (!track) return stop(screen)
    call.screen = screen
    track.onended = () => void this.stopScreen(id)
    for (const link of call.links.values()) await sendVideo(link.pc, track, screen)
    this._emit('local', { call: id, stream: screen })
  }

  async stopScreen(id: string): Promise<void> {
    const call = this._calls.get(id)
    if (!call || !call.screen) return
    stop(call.screen)
    call.screen = null
    const camera = call.local?.getVideoTracks()[0] ?? null
    for (const link of call.links.values()) {
      const sender = link.pc.getSenders().find((s) => s.track?.kind === 'video' || (s.track === null && isVideoSender(link.pc, s)))
      if (sender) await sender.replaceTrack(camera)
    }
    if (call.local) this._emit('local', { call: id, stream: call.local })
  }

  async chat(id: string, text: string): Promise<void> {
    const call = this._need(id)
    const { time } = await this.api.call('callChat', { call: id, text })
    const line = { from: '', text, time, mine: true }
    call.chat.push(line)
    this._emit('chat', { call: id, ...line })
  }

  /** getStats of one peer's connection, reduced to what tests, benchmarks and the UI show. */
  async stats(id: string, peer?: string): Promise<PeerStats> {
    const call = this._need(id)
    const link = peer === undefined ? [...call.links.values()][0] : call.links.get(peer)
    if (!link) throw new Error('no such peer in the call')
    return peerStats(link.pc, link.tunnelPort)
  }

  close(): void {
    for (const id of [...this._calls.keys()]) this._teardown(id)
    for (const off of this._off.splice(0)) off()
  }

  private _track(id: string, video: boolean, state: CallStateName, local: MediaStream): string {
    const call = new ActiveCall(id, video, state)
    call.local = local
    this._calls.set(id, call)
    this._emit('local', { call: id, stream: local })
    return id
  }

  private _need(id: string): ActiveCall {
    const call = this._calls.get(id)
    if (!call) throw new Error('no such call')
    return call
  }

  private async _media(video: boolean): Promise<MediaStream> {
    const { audioDeviceId, videoDeviceId } = this.options
    return navigator.mediaDevices.getUserMedia({
      audio: audioDeviceId ? { deviceId: { exact: audioDeviceId } } : true,
      video: video ? (videoDeviceId ? { deviceId: { exact: videoDeviceId } } : true) : false
    })
  }

  private _onstate(p: CallStateNote): void {
    const call = this._calls.get(p.call)
    if (call) call.state = p.state
    if (p.state === 'ended') {
      if (!this._incoming.get(p.call)?.group) this._incoming.delete(p.call) // group calls can be joined later
      this._teardown(p.call)
    }
    this._emit('state', p)
  }

  private async _onpeer(p: CallPeer): Promise<void> {
    const call = this._calls.get(p.call)
    if (!call) return
    if (!p.joined) {
      call.links.get(p.peer)?.close()
      call.links.delete(p.peer)
      this._emit('left', { call: p.call, peer: p.peer })
      return
    }
    if (call.links.has(p.peer)) return
    const link = new PeerLink(
      p.peer,
      p.offer,
      (signal) => void this.api.call('callSignal', { call: p.call, peer: p.peer, signal }).catch(() => {}),
      (l) => this._addTunnel(p.call, l),
      this.options
    )
    call.links.set(p.peer, link)
    link.pc.addEventListener('track', () => this._emit('stream', { call: p.call, peer: p.peer, stream: link.remote }))
    link.pc.addEventListener('iceconnectionstatechange', () =>
      this._emit('connection', { call: p.call, peer: p.peer, state: link.pc.iceConnectionState })
    )
    // The offerer sends its tracks with the offer (negotiationneeded makes it); the answerer adds
    // its own once the offer is in.
    if (p.offer) addTracks(link.pc, call)
  }

  private async _onsignal(p: CallSignalNote): Promise<void> {
    const call = this._calls.get(p.call)
    const link = call?.links.get(p.peer)
    if (!call || !link) return
    await link.onsignal(p.signal, () => addTracks(link.pc, call))
  }

  /**
   * The tunnel route: our worker's local socket for this peer, added as a remote candidate. Our
   * WebRTC sends checks and media there; the peer's worker replays them to the peer's WebRTC.
   */
  private async _addTunnel(id: string, link: PeerLink): Promise<void> {
    const t = await this.api.call('callTunnel', { call: id, peer: link.peer })
    link.tunnelPort = t.port
    const mid = /^a=mid:(\S+)/m.exec(link.pc.remoteDescription?.sdp ?? '')?.[1] ?? '0'
    await link.pc.addIceCandidate({ candidate: t.candidate, sdpMid: mid, sdpMLineIndex: 0 })
  }

  private _teardown(id: string): void {
    const call = this._calls.get(id)
    if (!call) return
    this._calls.delete(id)
    for (const link of call.links.values()) link.close()
    call.links.clear()
    if (call.local) stop(call.local)
    if (call.screen) stop(call.screen)
    call.chat.length = 0 // in-call chat ends with the call
  }

  private _emit<K extends keyof CallEngineEvents>(event: K, payload: CallEngineEvents[K]): void {
    for (const fn of this._listeners.get(event) ?? []) (fn as (p: CallEngineEvents[K]) => void)(payload)
  }
}

function addTracks(pc: RTCPeerConnection, call: ActiveCall): void {
  const stream = call.local
  if (!stream) return
  for (const track of stream.getTracks()) {
    const sent = call.screen && track.kind === 'video' ? call.screen.getVideoTracks()[0] ?? track : track
    pc.addTrack(sent, stream)
  }
}

async function sendVideo(pc: RTCPeerConnection, track: MediaStreamTrack, stream: MediaStream): Promise<void> {
  const sender = pc.getSenders().find((s) => s.track?.kind === 'video')
  if (sender) await sender.replaceTrack(track)
  else pc.addTrack(track, stream) // an audio call: renegotiates
}

function isVideoSender(pc: RTCPeerConnection, s: RTCRtpSender): boolean {
  return pc.getTransceivers().some((t) => t.sender === s && t.receiver.track.kind === 'video')
}

function stop(stream: MediaStream): void {
  for (const t of stream.getTracks()) t.stop()
}

export async function peerStats(pc: RTCPeerConnection, tunnelPort: number | null): Promise<PeerStats> {
  const report = await pc.getStats()
  const out: PeerStats = { framesDecoded: 0, frameWidth: 0, frameHeight: 0, totalSamplesReceived: 0, packetsReceived: 0, packetsLost: 0, rtt: null, stunRtt: null, rtcpRtt: null, route: null, local: null, remote: null }
  const byId = new Map<string, Record<string, unknown>>()
  report.forEach((s: Record<string, unknown>) => byId.set(s.id as string, s))
  let pairId: string | null = null
  const rtcp = { total: 0, count: 0 }
  for (const s of byId.values()) {
    if (s.type === 'inbound-rtp') {
      out.framesDecoded += Number(s.framesDecoded ?? 0)
      if (s.kind === 'video') {
        out.frameWidth = Number(s.frameWidth ?? 0)
        out.frameHeight = Number(s.frameHeight ?? 0)
      }
      out.totalSamplesReceived += Number(s.totalSamplesReceived ?? 0)
      out.packetsReceived += Number(s.packetsReceived ?? 0)
      out.packetsLost += Number(s.packetsLost ?? 0)
    }
    if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') pairId = s.selectedCandidatePairId
    if (s.type === 'remote-inbound-rtp' && Number(s.roundTripTimeMeasurements) > 0) {
      rtcp.total += Number(s.totalRoundTripTime)
      rtcp.count += Number(s.roundTripTimeMeasurements)
    }
  }
  const pair = pairId ? byId.get(pairId) : undefined
  if (pair) {
    out.rtt = typeof pair.currentRoundTripTime === 'number' ? pair.currentRoundTripTime : null
    if (Number(pair.responsesReceived) > 0) out.stunRtt = Number(pair.totalRoundTripTime) / Number(pair.responsesReceived)
    const local = byId.get(pair.localCandidateId as string)
    const remote = byId.get(pair.remoteCandidateId as string)
    const addr = (c: Record<string, unknown> | undefined): string | null => (c ? `${String(c.address ?? c.ip)}:${String(c.port)}` : null)
    out.local = addr(local)
    out.remote = addr(remote)
    if (remote) {
      const isTunnel = tunnelPort !== null && remote.port === tunnelPort && (remote.address ?? remote.ip) === '127.0.0.1'
      out.route = isTunnel ? 'tunnel' : remote.candidateType === 'host' ? 'host' : 'other'
    }
  }
  if (rtcp.count > 0) out.rtcpRtt = rtcp.total / rtcp.count
  return out
}
