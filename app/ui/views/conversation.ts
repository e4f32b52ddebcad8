import { confirmAction, dialog, formatCountdown, formatNumber, formatSize, formatTime, h, plural } from '../dom'
import type { FileState, HistoryEntry, Model, ReplyQuote, RoomSummary } from '../model'
import { callLabel } from './call-view'
import { noticeLine, shownNotice } from './notice-line'
import { TIMERS } from './timers'

export interface ConversationActions {
  /** Resolves true once sent; the composer is cleared only then. */
  send(text: string): Promise<boolean>
  /** Resolves true once saved; the editor stays open otherwise. */
  edit(id: string, text: string): Promise<boolean>
  /** The composer's text, kept by the app across re-renders until it is sent. */
  draft(text: string): void
  /** The message being edited and its unsaved text, kept across re-renders like the draft. */
  editing: Editing | null
  setEditing(e: Editing | null): void
  /** The message the composer answers (the quote bar shows it), kept across re-renders like the draft. */
  replying: HistoryEntry | null
  setReplying(m: HistoryEntry | null): void
  remove(id: string): void
  react(id: string, emoji: string): void
  download(file: string): void
  pause(file: string): void
  /** A whole local image's blob: address, or null (and asks for it, re-rendering when it comes). */
  preview(file: string, name: string): string | null
  /** Opens the file manager at a downloaded file; null where the shell cannot (the web shell). */
  showInFolder: ((path: string) => void) | null
  attach(file: File): void
  info(): void
  setTimer(seconds: number): void
  call(video: boolean): void
  /** Narrow windows: back to the conversation list. */
  back(): void
  /** Loads a page of older messages (the list keeps its place). */
  older(): void
  search(): void
  /** A message to bring into view and mark (a search result), or null. */
  jumpTo: string | null
}

const REACTIONS = ['👍', '❤️', '😂', '😮', '😢']
/** As much of the original as a quote shows (the core sends the first 100 characters). */
const QUOTE_CHARS = 100
/** Scrolled this close to the top (px), the list asks for older messages. */
const OLDER_MARGIN = 300
/** Names that may be images; the worker checks the bytes before it hands any over. */
const IMAGE_NAME = /\.(png|jpe?g|gif|webp)$/i

/** One conversation: header, messages (edits, deletes, reactions, files) and the composer. */
export interface Editing {
  id: string
  text: string
}

/** Where the message list was before a re-render of the same conversation. */
export interface ListPosition {
  /** Distance from the list's end: kept when older messages are put above. */
  fromBottom: number
  /** Keep the distance from the end (a page of older messages went in above). */
  anchorEnd?: boolean
  atBottom: boolean
  /** False when the reader was elsewhere (say, in a dialog): do not move focus to the composer. */
  focus: boolean
  /** The message list itself had focus (keyboard scrolling): the new list gets it back. */
  listFocused?: boolean
}

/**
 * A message list's scroll state. The list element and this state live as long as the conversation
 * is open: a re-render patches the list's items, so a scroll in flight (a keyboard End, a wheel)
 * goes on, and the pinned flag and the reader's last input are not lost with the old element.
 */
interface ListState {
  /** The newest message is in view and is kept there (new messages, resizes, reflows). */
  atBottom: boolean
  /** End was pressed and its (smooth) scroll may still be on its way down: stay pinned meanwhile. */
  toEnd: boolean
  /** The list's size when the resize observer last ran. */
  size: string
  /** When the reader last wheeled, pressed a key, pointed or touched in the list. */
  lastInput: number
  /** A page of older messages was asked for since the last render. */
  loading: boolean
  hasOlder: boolean
  older: () => void
}

const listStates = new WeakMap<HTMLElement, ListState>()

const atEnd = (list: HTMLElement): boolean => list.scrollHeight - list.scrollTop - list.clientHeight < 40

/** Reads a rendered conversation's list position, to keep it across a re-render. */
export function listPosition(el: HTMLElement): ListPosition | null {
  const list = el.querySelector<HTMLElement>('.messages')
  if (!list) return null
  // The list's own pinned flag, not its geometry: in the middle of a resize the text has re-wrapped
  // but the resize callback has not re-pinned yet, and geometry would say "not at the bottom".
  const atBottom = listStates.get(list)?.atBottom ?? atEnd(list)
  return { fromBottom: list.scrollHeight - list.scrollTop, atBottom, listFocused: document.activeElement === list, focus: el.contains(document.activeElement) || document.activeElement === document.body }
}

/** The open conversation's list (kept, its items patched) or a new one with its scroll listeners. */
function messageList(el: HTMLElement, keep: ListPosition | null): { list: HTMLElement; state: ListState; kept: boolean } {
  const shown = keep === null ? null : el.querySelector<HTMLElement>('ol.messages')
  const known = shown === null ? undefined : listStates.get(shown)
  if (shown !== null && known !== undefined) return { list: shown, state: known, kept: true }
  const list = h('ol.messages', { 'aria-label': 'Messages', 'aria-live': 'polite', tabindex: 0 })
  const state: ListState = { atBottom: true, toEnd: false, size: '', lastInput: 0, loading: false, hasOlder: false, older: () => {} }
  listStates.set(list, state)
  const sizeOf = (): string => `${list.clientWidth}x${list.clientHeight}`
  // Only the reader unpins: a scroll counts as theirs within a second of their wheel, key, touch or
  // pointer. Reflows (a narrower window re-wraps 300 messages, late) move scrollTop too.
  for (const type of ['wheel', 'keydown', 'pointerdown', 'touchmove']) {
    list.addEventListener(
      type,
      (e) => {
        state.lastInput = Date.now()
        // End asks for the newest: pinned from now, not from whenever its smooth scroll lands
        // (on a busy machine the last scroll event can come after a resize or a re-render).
        state.toEnd = type === 'keydown' && (e as KeyboardEvent).key === 'End'
        if (state.toEnd) state.atBottom = true
      },
      { passive: true }
    )
  }
  list.addEventListener('scroll', () => {
    const bottom = atEnd(list)
    if (bottom) state.toEnd = false
    else if (state.toEnd) return // End's scroll on its way down
    // A scroll seen at a new size, before the observer ran, is the resize's reflow, not the reader.
    if (!bottom && (sizeOf() !== state.size || Date.now() - state.lastInput > 1000)) {
      if (state.atBottom) list.scrollTop = list.scrollHeight
      return
    }
    state.atBottom = bottom
    // Near the top with more above: the next page (the app keeps the place; one request at a time).
    if (state.hasOlder && list.scrollTop < OLDER_MARGIN && !state.loading) {
      state.loading = true
      state.older()
    }
  })
  // The window resizing (narrow <-> wide) keeps the newest message in view when it was.
  new ResizeObserver(() => {
    state.size = sizeOf()
    if (state.atBottom) list.scrollTop = list.scrollHeight
  }).observe(list)
  return { list, state, kept: false }
}

/**
 * Puts `items` in `list`, keeping each shown item whose markup is unchanged (the reader's scroll,
 * focus and live-region announcements see only what changed).
 */
function patchItems(list: HTMLElement, items: HTMLElement[]): void {
  const old = new Map<string, Element[]>()
  for (const child of list.children) {
    const same = old.get(child.outerHTML)
    if (same) same.push(child)
    else old.set(child.outerHTML, [child])
  }
  const next = items.map((item) => old.get(item.outerHTML)?.shift() ?? item)
  const keep = new Set<Element>(next)
  for (const child of [...list.children]) if (!keep.has(child)) child.remove()
  let at = list.firstElementChild
  for (const item of next) {
    if (item === at) at = at.nextElementSibling
    else list.insertBefore(item, at)
  }
}

export function renderConversation(el: HTMLElement, model: Model, room: RoomSummary, act: ConversationActions, keep: ListPosition | null = null, draft = ''): void {
  const names = new Map<string, string>()
  for (const [number, name] of model.names) names.set(number, name)
  for (const c of model.contacts) if (c.name) names.set(c.number, c.name)
  for (const m of model.members) if (m.name) names.set(m.number, m.name)
  const isAdmin = model.members.some((m) => m.number === model.me.number && m.role === 'admin')
  const contact = room.kind === 'direct' ? model.contacts.find((c) => c.room === room.room) : undefined
  const status = contact ? (contact.online ? 'online' : 'offline') : `${plural(room.members, 'member')}, ${model.members.filter((m) => m.online).length} online`

  const { list, state, kept } = messageList(el, keep)
  const items: HTMLElement[] = []
  if (model.hasOlder) items.push(h('li.older', {}, h('button', { type: 'button', onclick: act.older }, 'Load earlier messages')))
  // Notices go before the message whose seq is their `at`; the "New messages" line before the first unread one.
  const notices = model.notices.filter((n) => shownNotice(n, room.kind === 'direct'))
  let next = 0
  let separated = false
  const delivery = { contact }
  for (const m of model.messages) {
    while (next < notices.length && notices[next].at <= m.seq) items.push(noticeLine(notices[next++], model.me.number, names))
    if (!separated && model.unreadFrom !== null && m.seq >= model.unreadFrom && m.from !== model.me.number) {
      separated = true
      items.push(h('li.unread-separator', { role: 'separator', 'aria-label': 'New messages' }, h('span', {}, 'New messages')))
    }
    items.push(message(m, model, names, isAdmin, act, delivery))
  }
  while (next < notices.length) items.push(noticeLine(notices[next++], model.me.number, names))
  if (kept) patchItems(list, items)
  else list.append(...items)
  state.hasOlder = model.hasOlder
  state.older = act.older
  state.loading = false

  const input = h('textarea', { id: 'composer', rows: 1, placeholder: room.active ? 'Message' : 'You are no longer a member of this room', 'aria-label': 'Message', disabled: !room.active })
  input.value = draft
  input.addEventListener('input', () => act.draft(input.value))
  // Cleared only once the message is sent: a failed send keeps every character.
  const submit = (): void => {
    const text = input.value.trim()
    if (!text) return
    void act.send(text).then((sent) => {
      if (sent && input.value.trim() === text) {
        input.value = ''
        act.draft('')
      }
      // Your own message takes you to the newest, as in every messenger (the re-render keeps the pin).
      // The list shown now: the sent message may have re-rendered the conversation already.
      const shown = el.querySelector<HTMLElement>('.messages') ?? list
      const shownState = listStates.get(shown)
      if (sent) {
        if (shownState) shownState.atBottom = true
        shown.scrollTop = shown.scrollHeight
      }
    })
  }
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault()
      submit()
    }
  })
  const picker = h('input', { type: 'file', hidden: true, 'aria-hidden': 'true', tabindex: -1 })
  picker.addEventListener('change', () => {
    const file = picker.files?.[0]
    if (file) act.attach(file)
    picker.value = ''
  })

  const timer = h('select', { 'aria-label': 'Disappearing messages', title: 'Disappearing messages', disabled: !isAdmin })
  // A timer set elsewhere (another client, the CLI) to a value not on the list is shown as it is.
  const timers = TIMERS.some(([s]) => s === room.timer) ? TIMERS : [...TIMERS, [room.timer, plural(room.timer, 'second')] as [number, string]]
  for (const [seconds, label] of timers) timer.appendChild(h('option', { value: seconds, selected: seconds === room.timer }, seconds ? `Disappear after ${label}` : 'Messages stay'))
  timer.addEventListener('change', () => act.setTimer(Number(timer.value)))

  const replying = act.replying
  const quoteBar = replying
    ? h(
        'div.quote-bar',
        { 'data-testid': 'quote-bar' },
        h('div.quote-body', {}, h('span.quote-from', {}, 'Replying to ', replying.from === model.me.number ? 'yourself' : names.get(replying.from) || replying.name || formatNumber(replying.from)), h('span.quote-text', {}, snippet(replying))),
        h('button.icon', { type: 'button', 'aria-label': 'Cancel reply', title: 'Cancel reply', onclick: () => act.setReplying(null) }, '✕')
      )
    : null
  const composer = h(
    'form.composer',
    {
      onsubmit: (e: Event) => {
        e.preventDefault()
        submit()
        input.focus()
      }
    },
    h('button', { type: 'button', title: 'Send a file (or drop it here)', disabled: !room.active, onclick: () => picker.click() }, 'Attach'),
    picker,
    input,
    h('button.primary', { type: 'submit', disabled: !room.active }, 'Send')
  )
  el.ondragover = (e) => e.preventDefault()
  el.ondrop = (e) => {
    e.preventDefault()
    const file = e.dataTransfer?.files[0]
    if (file && room.active) act.attach(file)
  }

  // Around the list, not through it: taking the list out of the page would end a scroll in flight.
  for (const child of [...el.childNodes]) if (child !== list) el.removeChild(child)
  if (list.parentNode !== el) el.append(list)
  el.insertBefore(
    h(
      'header.conv-head',
      {},
      h('button.icon.back', { type: 'button', 'aria-label': 'Back', title: 'Conversations', onclick: act.back }, '‹'),
      h('div', {}, h('h2', { 'data-testid': 'conversation-title' }, room.name || 'Unnamed'), h('span.status', {}, status)),
      timer,
      h('button.icon.search', { type: 'button', onclick: act.search, 'aria-label': 'Search in this conversation', title: 'Search' }, '🔍'),
      room.active ? h('button', { type: 'button', onclick: () => act.call(false), title: room.kind === 'group' ? 'Start a group call (up to 8)' : 'Voice call' }, room.kind === 'group' ? 'Group call' : 'Call') : null,
      room.active ? h('button', { type: 'button', onclick: () => act.call(true) }, 'Video', h('span.wide', {}, ' call')) : null,
      // Narrow windows show the short label (styles.css hides span.wide there, span.narrow elsewhere).
      h('button', { type: 'button', onclick: act.info, 'aria-label': room.kind === 'group' ? 'Room info' : 'Contact info' }, h('span.wide', {}, room.kind === 'group' ? 'Room info' : 'Contact info'), h('span.narrow', {}, 'Info'))
    ),
    list
  )
  if (quoteBar) el.append(quoteBar)
  el.append(composer)
  // Re-rendered in place: the list stays where the reader has it (a scroll in flight goes on), by
  // the end when older messages went in above, or at the newest message if they were there.
  // Opened afresh: at the "New messages" line when there is one, else at the newest message.
  const target = act.jumpTo ? list.querySelector<HTMLElement>(`[data-id="${CSS.escape(act.jumpTo)}"]`) : null
  const separator = keep === null && !target ? list.querySelector<HTMLElement>('.unread-separator') : null
  if (target) {
    target.classList.add('found')
    list.scrollTop = Math.max(0, target.offsetTop - list.offsetTop - Math.round(list.clientHeight / 3))
  } else if (separator) list.scrollTop = Math.max(0, separator.offsetTop - list.offsetTop - 8)
  else if (keep?.atBottom === false) {
    if (keep.anchorEnd) list.scrollTop = list.scrollHeight - keep.fromBottom
  } else list.scrollTop = list.scrollHeight
  state.atBottom = target || separator ? atEnd(list) : keep?.atBottom !== false
  // Focus inside a kept list (an edit being typed, a message) stays where it is.
  const inList = kept && document.activeElement !== list && list.contains(document.activeElement)
  if (inList) return
  if (keep?.listFocused) list.focus({ preventScroll: true })
  else if (room.active && keep?.focus !== false) input.focus()
}

/** What a sent message's mark needs: the other person in a direct chat. */
interface Delivery {
  contact: Model['contacts'][number] | undefined
}

/** Sent ✓, delivered ✓✓ (the other device holds it), or queued while they are offline. */
function deliveryMark(m: HistoryEntry, d: Delivery): HTMLElement | null {
  if (m.delivered === null || m.delivered === undefined) return null
  if (m.read) return h('span.mark.read', { title: 'Read', 'aria-label': 'Read' }, ' · ✓✓ Read')
  if (m.delivered) return h('span.mark.delivered', { title: 'Delivered: it is on their device', 'aria-label': 'Delivered' }, ' · ✓✓')
  if (d.contact && !d.contact.online) return h('span.mark.queued', { title: 'It goes when they come online', 'aria-label': 'Queued' }, ` · Queued: ${d.contact.name || formatNumber(d.contact.number)} is offline`)
  return h('span.mark.sent', { title: 'Sent from this device; not on theirs yet', 'aria-label': 'Sent' }, ' · ✓')
}

function message(m: HistoryEntry, model: Model, names: Map<string, string>, isAdmin: boolean, act: ConversationActions, delivery: Delivery): HTMLElement {
  const mine = m.from === model.me.number
  if (m.call) return h('li.call-event', { 'data-id': m.id }, callLabel(m.call, mine), ' · ', formatTime(m.time), m.expires ? timerMark(m.expires) : null)
  const body = m.deleted
    ? h('p.text.deleted', {}, 'This message was deleted')
    : m.file
      ? fileCard(m.file.id, m.file.name, m.file.size, model.files.get(m.file.id), mine, act)
      : h('p.text', {}, m.text)
  const reactions = Object.entries(m.reactions)
  const tools = m.deleted
    ? null
    : h(
        'div.tools',
        {},
        ...REACTIONS.map((e) => h('button.icon', { type: 'button', 'aria-label': `React ${e}`, onclick: () => act.react(m.id, m.reactions[model.me.number] === e ? '' : e) }, e)),
        h('button.icon', { type: 'button', 'aria-label': 'Reply', title: 'Reply', onclick: () => act.setReplying(m) }, '↩'),
        mine && !m.file ? h('button.icon', { type: 'button', 'aria-label': 'Edit', title: 'Edit', onclick: () => editInPlace(li, m, act, m.text) }, '✎') : null,
        mine || isAdmin ? h('button.icon', { type: 'button', 'aria-label': 'Delete', title: 'Delete for everyone', onclick: () => void confirmAction('Delete this message for everyone?', 'It is removed from every member\'s screen. This cannot be undone.', 'Delete').then((yes) => yes && act.remove(m.id)) }, '🗑') : null
      )
  const li = h(
    `li.message.${mine ? 'mine' : 'theirs'}`,
    { 'data-id': m.id, tabindex: 0 },
    mine ? null : h('span.from', {}, names.get(m.from) || m.name || formatNumber(m.from)),
    m.quote && !m.deleted ? quoteBlock(m.quote, model.me.number, names) : null,
    body,
    h('span.time', {}, formatTime(m.time), m.edited && !m.deleted ? ' · edited' : '', m.expires ? timerMark(m.expires) : null, mine ? deliveryMark(m, delivery) : null),
    reactions.length ? h('div.reactions', {}, ...reactions.map(([who, e]) => h('span', { title: names.get(who) ?? formatNumber(who) }, e))) : null,
    tools
  )
  if (act.editing?.id === m.id && !m.deleted) editInPlace(li, m, act, act.editing.text)
  if (flash !== null && flash.id === m.id && Date.now() < flash.until) li.classList.add('found')
  return li
}

/**
 * The original a quote was clicked for, outlined for a moment. Kept here, not only on the element:
 * a re-render (a delivered or read mark coming in) builds the items afresh, and patchItems keeps
 * an old element only if it reads the same as the new one.
 */
let flash: { id: string; until: number } | null = null
const FLASH_MS = 1500

/** What the quote bar shows of the message being answered. */
function snippet(m: HistoryEntry): string {
  if (m.file) return `📎 ${m.file.name}`
  if (m.call) return 'a call'
  return m.text.length > QUOTE_CHARS ? m.text.slice(0, QUOTE_CHARS) + '…' : m.text
}

/**
 * The quoted original inside a reply. Clicking it brings the original into view when it is loaded
 * (older pages are not fetched for it). The quote comes from the sender's device: when it names
 * nothing here it says so.
 */
function quoteBlock(q: ReplyQuote, me: string, names: Map<string, string>): HTMLElement {
  if (!q.available) return h('div.quote.unavailable', { 'data-testid': 'quote' }, 'Original message not available')
  const who = q.from === me ? 'You' : names.get(q.from) || q.name || formatNumber(q.from)
  const what = q.file !== null ? `📎 ${q.file}` : q.call ? 'a call' : q.text
  const show = (e: Event): void => {
    const list = (e.currentTarget as HTMLElement).closest('.messages')
    const original = list?.querySelector<HTMLElement>(`[data-id="${CSS.escape(q.id)}"]`)
    if (!list || !original) return
    list.scrollTop = Math.max(0, original.offsetTop - (list as HTMLElement).offsetTop - 16)
    flash = { id: q.id, until: Date.now() + FLASH_MS }
    original.classList.add('found')
    setTimeout(() => {
      // The element may have been rebuilt meanwhile: find it again.
      list.querySelector(`[data-id="${CSS.escape(q.id)}"]`)?.classList.remove('found')
    }, FLASH_MS)
  }
  return h('button.quote', { type: 'button', 'data-testid': 'quote', title: 'Show the original', onclick: show }, h('span.quote-from', {}, who), h('span.quote-text', {}, what))
}

/** The countdown on a disappearing message; the app ticks every [data-expires] and drops it at 0. */
function timerMark(expires: number): HTMLElement {
  const at = new Date(expires).toLocaleString()
  return h('span.timer', { 'data-expires': String(expires), title: `Disappears at ${at}`, 'aria-label': `Disappears at ${at}` }, ' · ⏱ ', h('span.left', {}, formatCountdown(expires - Date.now())))
}

/** An image shown inline: click or Open shows it large; the bytes come from this device only. */
function imagePreview(src: string, name: string): HTMLElement {
  const show = (): void => {
    dialog(name, h('img.viewer', { src, alt: name }))
  }
  return h(
    'div.preview',
    {},
    h('img.thumb', { src, alt: name, loading: 'lazy', onclick: show }),
    h('button', { type: 'button', onclick: show, 'aria-label': `Open ${name}` }, 'Open')
  )
}

function fileCard(id: string, name: string, size: number, state: FileState | undefined, mine: boolean, act: ConversationActions): HTMLElement {
  const here = mine || state?.state === 'done'
  const src = here && IMAGE_NAME.test(name) ? act.preview(id, name) : null
  let status: HTMLElement
  if (mine) status = h('span.hint', {}, 'Sent')
  else if (state?.state === 'done') {
    const reveal = act.showInFolder
    const at = state.path
    status = h(
      'span.progress-row',
      {},
      h('span.hint', { title: at ?? '' }, `Saved to ${at ?? 'Downloads'}`),
      reveal && at ? h('button', { type: 'button', onclick: () => reveal(at), 'aria-label': `Show ${name} in its folder` }, 'Show in folder') : null
    )
  }
  else if (state?.state === 'waiting') {
    status = h(
      'span.progress-row',
      {},
      h('span.hint', { role: 'status' }, `Waiting for someone who has this file to come online (${formatSize(state.bytes)} of ${formatSize(state.total)} here).`),
      h('button', { type: 'button', onclick: () => act.pause(id) }, 'Pause')
    )
  } else if (state?.state === 'downloading') {
    status = h(
      'span.progress-row',
      {},
      h('progress', { max: state.total || 1, value: state.bytes, 'aria-label': `Downloading ${name}` }),
      h('span.hint', {}, `${formatSize(state.bytes)} of ${formatSize(state.total)} · ${formatSize(state.rate)}/s`),
      h('button', { type: 'button', onclick: () => act.pause(id) }, 'Pause')
    )
  } else {
    status = h(
      'span.progress-row',
      {},
      state?.state === 'failed' ? stopped(state, size) : null,
      h('button', { type: 'button', onclick: () => act.download(id) }, state ? 'Resume' : 'Download')
    )
  }
  const card = h('div.file', {}, h('span.file-icon', { 'aria-hidden': 'true' }, IMAGE_NAME.test(name) ? '🖼' : '📄'), h('div', {}, h('strong', {}, name), h('span.hint', {}, ' ' + formatSize(size)), h('div', {}, status)))
  return src ? h('div.file-with-preview', {}, imagePreview(src, name), card) : card
}

/** A download that stopped: paused or cancelled by the reader is a plain note (with how far it got), a failure is an error. */
function stopped(state: FileState, size: number): HTMLElement {
  if (state.code === 'FILE_PAUSED' || state.code === 'FILE_CANCELLED') {
    // Paused before the first progress event: the announced size is the total.
    const total = state.total > 0 ? state.total : size
    const got = total > 0 ? ` ${formatSize(state.bytes)} of ${formatSize(total)} here.` : ''
    return h('span.hint.stopped', { role: 'status' }, failure(state.code) + got)
  }
  return h('span.error', { role: 'alert' }, failure(state.code))
}

function failure(code: string | undefined): string {
  switch (code) {
    case 'FILE_CORRUPT':
      return 'The file arrived damaged and was deleted.'
    case 'FILE_BLOCKED':
      return 'This file is on your blocklist.'
    case 'FILE_PAUSED':
      return 'Paused.'
    case 'FILE_CANCELLED':
      return 'Cancelled.'
    default:
      return `Download failed (${code ?? 'unknown'}).`
  }
}

function editInPlace(li: HTMLElement, m: HistoryEntry, act: ConversationActions, text: string): void {
  // Multi-line like the composer: Enter saves, Shift+Enter starts a new line, Escape cancels.
  const input = h('textarea', { 'aria-label': 'Edit message', rows: Math.min(8, text.split('\n').length + 1) })
  input.value = text
  act.setEditing({ id: m.id, text })
  input.addEventListener('input', () => act.setEditing({ id: m.id, text: input.value }))
  const save = (): void => {
    const text = input.value.trim()
    if (!text || text === m.text) return cancel()
    void act.edit(m.id, text).then((saved) => {
      // A failed edit leaves the editor open with the text; a saved one re-renders the list.
      if (saved) cancel()
    })
  }
  const cancel = (): void => {
    act.setEditing(null)
    form.replaceWith(h('p.text', {}, m.text))
  }
  const form = h(
    'form.edit',
    {
      onsubmit: (e: Event) => {
        e.preventDefault()
        save()
      }
    },
    input,
    h('div.row', {}, h('button.primary', { type: 'submit' }, 'Save'), h('button', { type: 'button', onclick: cancel }, 'Cancel'))
  )
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') cancel()
    else if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault()
      save()
    }
  })
  li.querySelector('.text')?.replaceWith(form)
  // After the list is in the page (a re-render builds it detached).
  queueMicrotask(() => input.focus())
}
