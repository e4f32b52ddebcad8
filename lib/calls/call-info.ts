import type { CallOutcome, CallRecord } from '../wire/schemas'

/** A call event as clients see it in history and messages. */
export interface CallInfo {
  call: string
  outcome: CallOutcome
  video: boolean
  group: boolean
  /** ms from the answer to the end; 0 if nobody answered */
  duration: number
}

export function callInfo(r: CallRecord): CallInfo {
  return { call: r.call, outcome: r.outcome, video: r.video, group: r.group, duration: r.duration }
}
