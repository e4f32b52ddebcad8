import type { CallInfo } from '../contract'
import type { CallRecord } from '../wire/schemas'

/** A stored call record as clients see it (CallInfo in the contract). */
export function callInfo(r: CallRecord): CallInfo {
  return { call: r.call, outcome: r.outcome, video: r.video, group: r.group, duration: r.duration }
}
