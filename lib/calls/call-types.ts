/**
 * The shapes of call notifications and params, shared by the worker (lib/calls) and the renderer
 * (app/ui/calls): plain types with no imports, so the renderer can use them without any
 * Holepunch module.
 */

export type CallStateName = 'calling' | 'ringing' | 'active' | 'ended'
export type EndReason = 'hangup' | 'remote-hangup' | 'declined' | 'busy' | 'missed' | 'full' | 'lost' | 'closed'

/** WebRTC signalling as the renderer speaks it. */
export type Signal =
  | { type: 'offer' | 'answer'; sdp: string }
  | { type: 'candidate'; candidate: string; sdpMid: string | null; sdpMLineIndex: number | null }

export interface CallIncoming {
  call: string
  room: string
  from: string
  name: string
  video: boolean
  group: boolean
}
export interface CallState {
  call: string
  room: string
  state: CallStateName
  reason?: EndReason
  /** ms from the first answer to the end, when ended */
  duration?: number
}
/** A peer to connect with (`joined`) or gone; `offer`: this side makes the WebRTC offer. */
export interface CallPeer {
  call: string
  peer: string
  joined: boolean
  offer: boolean
}
export interface CallSignalNote {
  call: string
  peer: string
  signal: Signal
}
export interface CallChatNote {
  call: string
  from: string
  text: string
  time: number
}
export interface CallTunnelInfo {
  host: string
  port: number
  /** The remote ICE candidate to add to this peer's RTCPeerConnection (sdpMLineIndex 0). */
  candidate: string
  route: 'datagram' | 'channel'
}

/** The call in progress (`currentCall`). */
export interface CallStatus {
  call: string
  room: string
  state: CallStateName
  video: boolean
  group: boolean
  outgoing: boolean
  /** numbers of the people connected with us in the call */
  peers: string[]
}
