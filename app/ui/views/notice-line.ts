import { formatNumber, h } from '../dom'
import type { NoticeEntry } from '../model'
import { TIMERS } from './timers'

/** Kinds a two-person chat does not show: who made it and joined it is the chat itself. */
const DIRECT_HIDDEN = new Set(['created', 'joined', 'renamed', 'role'])

/** Whether a notice is shown in this kind of room. */
export function shownNotice(n: NoticeEntry, direct: boolean): boolean {
  return !(direct && DIRECT_HIDDEN.has(n.kind))
}

/** A notice as a centred grey line among the messages ("Ana removed Ben"). */
export function noticeLine(n: NoticeEntry, me: string, names: Map<string, string>): HTMLElement {
  const person = (number: string, name: string, self: string): string => (number === me ? self : names.get(number) || name || formatNumber(number))
  const by = person(n.by, n.byName, 'You')
  const who = person(n.who, n.whoName, 'you')
  return h('li.notice', { 'data-kind': n.kind, role: 'note' }, noticeText(n, by, who, n.who === me))
}

function noticeText(n: NoticeEntry, by: string, who: string, whoIsMe: boolean): string {
  switch (n.kind) {
    case 'created':
      return `${by} created this room`
    case 'joined':
      return `${cap(who)} joined`
    case 'added':
      return `${by} added ${who} back`
    case 'left':
      return `${by} left`
    case 'removed':
      return `${by} removed ${who}`
    case 'role':
      return n.role === 'admin' ? `${by} made ${who} an admin` : `${cap(who)} ${whoIsMe ? 'are' : 'is'} no longer an admin`
    case 'renamed':
      return `${by} named the room “${n.name}”`
    case 'timer':
      return n.seconds === 0 ? `${by} turned off disappearing messages` : `${by} set messages to disappear after ${timerLabel(n.seconds)}`
  }
}

function timerLabel(seconds: number): string {
  const known = TIMERS.find(([s]) => s === seconds)
  return known ? known[1] : `${seconds} seconds`
}

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1)
