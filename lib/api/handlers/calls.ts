import type { Params, Result, Signal } from '../../contract'
import { PeerlineError } from '../../errors'
import { MAX_FRAME_BYTES, ROOM_GROUP } from '../../wire/schemas'
import { optBool, optStr, str } from '../params'
import type { RawParams } from '../params'
import { none } from './handler'
import type { HandlerContext, HandlerTable } from './handler'

const call = (p: RawParams): { call: string } => ({ call: str(p, 'call') })

/** Calls: the renderer runs WebRTC; these ring, answer and carry its signalling. */
export const callHandlers: HandlerTable<'calls'> = {
  startCall: { params: (p) => ({ to: str(p, 'to'), video: optBool(p, 'video') }), run: (ctx, p) => startCall(ctx, p.to, p.video ?? true, false) },
  startRoomCall: { params: (p) => ({ room: str(p, 'room'), video: optBool(p, 'video') }), run: (ctx, p) => startCall(ctx, p.room, p.video ?? true, true) },
  answerCall: { params: call, run: ({ core }, p) => core.calls.answer(p.call) },
  joinCall: { params: call, run: ({ core }, p) => core.calls.join(p.call) },
  currentCall: { params: none, run: ({ core }) => core.calls.status() },
  declineCall: { params: call, run: ({ core }, p) => core.calls.decline(p.call) },
  hangUp: { params: call, run: ({ core }, p) => core.calls.hangUp(p.call) },
  callSignal: { params: (p) => ({ ...call(p), peer: optStr(p, 'peer'), signal: signal(p) }), run: ({ core }, p) => core.calls.signal(p.call, p.peer, p.signal) },
  callChat: { params: (p) => ({ ...call(p), text: str(p, 'text') }), run: ({ core }, p) => core.calls.chat(p.call, p.text) },
  callTunnel: { params: (p) => ({ ...call(p), peer: optStr(p, 'peer') }), run: ({ core }, p) => core.calls.tunnel(p.call, p.peer) }
}

/** Rings a contact (`to` is their number) or, with `group`, every online member of a group room. */
async function startCall({ core, rooms }: HandlerContext, to: string, video: boolean, group: boolean): Promise<Result<'startCall'>> {
  const room = await rooms.resolve(to)
  const isGroup = core.rooms.kindOf(room.id) === ROOM_GROUP
  if (group !== isGroup) throw PeerlineError.BAD_REQUEST(group ? 'startRoomCall takes a group room id' : 'startCall takes a contact; use startRoomCall for a room')
  const { call } = await core.calls.start(room, video, group)
  return { call, room: room.id }
}

/** WebRTC signalling from the renderer: an offer or answer, or one ICE candidate. */
function signal(p: RawParams): Params<'callSignal'>['signal'] {
  const v = p.signal as Record<string, unknown> | null | undefined
  const bad = PeerlineError.BAD_REQUEST('"signal" must be {type: "offer"|"answer", sdp} or {type: "candidate", candidate, sdpMid, sdpMLineIndex}')
  if (typeof v !== 'object' || v === null) throw bad
  const text = (x: unknown): x is string => typeof x === 'string' && x.length < MAX_FRAME_BYTES - 1024
  if ((v.type === 'offer' || v.type === 'answer') && text(v.sdp)) return { type: v.type, sdp: v.sdp } satisfies Signal
  if (v.type !== 'candidate' || !text(v.candidate)) throw bad
  const mid = v.sdpMid ?? null
  const mline = v.sdpMLineIndex ?? null
  if ((mid !== null && !text(mid)) || (mline !== null && !(Number.isInteger(mline) && (mline as number) >= 0 && (mline as number) < 1024))) throw bad
  return { type: 'candidate', candidate: v.candidate, sdpMid: mid as string | null, sdpMLineIndex: mline as number | null }
}
