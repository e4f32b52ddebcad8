import { formatNumber, formatTime, h, plural, replace } from '../dom'
import type { ContactInfo, Model, RoomSummary } from '../model'
import { networkBadge } from './network-badge'

export interface SidebarActions {
  open(room: string): void
  addContact(): void
  newRoom(): void
  joinRoom(): void
  settings(): void
  accept(number: string): void
  decline(number: string): void
  /** Stop looking for a number nobody answered on yet. */
  cancelSearch(number: string): void
}

/** Your number, the network, contact requests and the conversation list with unread counts. */
export function renderSidebar(el: HTMLElement, model: Model, act: SidebarActions): void {
  const requests = model.contacts.filter((c) => c.state === 'incoming')
  const searching = model.contacts.filter((c) => c.state === 'searching')
  replace(
    el,
    h(
      'header.side-head',
      {},
      h('div.me', {}, h('strong', {}, model.me.name || 'Peerline'), h('span.my-number', { 'data-testid': 'my-number', title: 'Your number' }, formatNumber(model.me.number))),
      networkBadge(model.network),
      h('button.icon', { type: 'button', 'aria-label': 'Settings', title: 'Settings', onclick: act.settings }, '⚙')
    ),
    h(
      'nav.actions',
      { 'aria-label': 'Start' },
      h('button', { type: 'button', onclick: act.addContact }, '+ Contact'),
      h('button', { type: 'button', onclick: act.newRoom }, '+ Room'),
      h('button', { type: 'button', onclick: act.joinRoom }, 'Join room')
    ),
    requests.length ? h('section.requests', { 'aria-label': 'Contact requests' }, h('h3', {}, 'Requests'), ...requests.map((c) => requestCard(c, act))) : null,
    searching.length ? h('section.requests', { 'aria-label': 'Waiting to come online' }, h('h3', {}, 'Waiting'), ...searching.map((c) => searchCard(c, act))) : null,
    model.rooms.length
      ? h('ul.conversations', { role: 'list', 'aria-label': 'Conversations' }, ...sorted(model.rooms).map((r) => conversationItem(r, model, act)))
      : h('p.empty', {}, 'No conversations yet. Add a contact by their number, or create a room.')
  )
}

function requestCard(c: ContactInfo, act: SidebarActions): HTMLElement {
  return h(
    'div.request',
    { 'data-testid': 'request' },
    h('div', {}, h('strong', {}, c.name || 'Someone'), ' ', h('span.number', {}, formatNumber(c.number)), ' wants to chat'),
    h('div.safety', { title: 'Compare this code with theirs, in person or on a call' }, 'Safety code ', h('code', {}, c.safetyCode)),
    h('div.row', {}, h('button.primary', { type: 'button', onclick: () => act.accept(c.number) }, 'Accept'), h('button', { type: 'button', onclick: () => act.decline(c.number) }, 'Decline'))
  )
}

function searchCard(c: ContactInfo, act: SidebarActions): HTMLElement {
  return h(
    'div.request',
    { 'data-testid': 'searching' },
    h('div', {}, 'Waiting for ', h('span.number', {}, formatNumber(c.number)), ' to come online'),
    h('div.hint', {}, 'Nobody answered on this number yet: they may be offline, or it may be mistyped. Your request goes out when they appear.'),
    h('div.row', {}, h('button', { type: 'button', onclick: () => act.cancelSearch(c.number) }, 'Cancel'))
  )
}

function conversationItem(r: RoomSummary, model: Model, act: SidebarActions): HTMLElement {
  const contact = r.kind === 'direct' ? model.contacts.find((c) => c.room === r.room) : undefined
  const last = r.last ? (r.last.file ? `📎 ${r.last.file}` : r.last.call ? 'Call' : r.last.text || 'Deleted message') : r.kind === 'group' ? plural(r.members, 'member') : 'No messages yet'
  return h(
    'li',
    {},
    h(
      'button.conversation',
      { type: 'button', 'aria-current': model.current === r.room ? 'true' : null, 'data-room': r.room, onclick: () => act.open(r.room) },
      h('span.avatar', { 'aria-hidden': 'true' }, r.kind === 'group' ? '#' : initial(r.name)),
      h(
        'span.summary',
        {},
        h('span.title', {}, r.name || 'Unnamed', contact ? h(`span.dot.${contact.online ? 'on' : 'off'}`, { title: contact.online ? 'online' : 'offline' }) : null, !r.active ? h('span.tag', {}, 'removed') : null, contact?.state === 'pending' ? h('span.tag', { title: 'They have not accepted yet' }, 'pending') : null),
        h('span.preview', {}, last)
      ),
      h('span.meta', {}, r.last ? h('time', {}, formatTime(r.last.time)) : null, r.unread > 0 ? h('span.unread', { 'aria-label': `${r.unread} unread` }, String(r.unread)) : null)
    )
  )
}

function sorted(rooms: RoomSummary[]): RoomSummary[] {
  return [...rooms].sort((a, b) => (b.last?.time ?? 0) - (a.last?.time ?? 0))
}

function initial(name: string): string {
  return (name.trim()[0] ?? '?').toUpperCase()
}
