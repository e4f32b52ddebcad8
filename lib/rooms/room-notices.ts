import c from 'compact-encoding'
import { NOTICE_KINDS } from '../contract'
import type { NoticeKind } from '../contract'
import { oneOf, struct } from '../wire/struct'

export type { NoticeKind }

/**
 * What happened to a room besides messages (who joined, left or was removed, role changes,
 * renames, timer changes), recorded by apply in the view's bee so every member shows the same
 * notices in the same places. A notice sits at the messages' length when it was applied: it goes
 * after message `at - 1` and before message `at`, which orders it among messages without a clock
 * (state ops carry no time).
 *
 * Bee key `notice/<at>/<event index>` (the event index makes it unique within one `at`).
 */

export interface NoticeRecord {
  kind: NoticeKind
  /** Who did it (the member's public key); for 'created', 'joined' and 'left' the member themself. */
  by: Buffer
  /** Whom it was done to, for 'joined', 'added', 'removed' and 'role'; else `by`. */
  who: Buffer
  /** The room's new name ('renamed'), else ''. */
  name: string
  /** Timer seconds ('timer') or the new role ('role': 1 admin, 0 member), else 0. */
  value: number
}

export const noticeRecord = struct<NoticeRecord>({ kind: oneOf(NOTICE_KINDS), by: c.fixed32, who: c.fixed32, name: c.string, value: c.uint })

const pad = (n: number): string => String(n).padStart(12, '0')

export const NOTICE_PREFIX = 'notice/'

export function noticeKey(at: number, event: number): string {
  return NOTICE_PREFIX + pad(at) + '/' + pad(event)
}

/** The bee range of notices with `from <= at < to`. */
export function noticeRange(from: number, to: number): { gte: string; lt: string } {
  return { gte: NOTICE_PREFIX + pad(Math.max(0, from)), lt: NOTICE_PREFIX + pad(Math.max(0, to)) }
}

/** `at` of a notice's bee key. */
export function noticeAt(key: string): number {
  return Number(key.slice(NOTICE_PREFIX.length, NOTICE_PREFIX.length + 12))
}
