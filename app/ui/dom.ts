/** Tiny DOM helpers: the renderer builds its views from these, with no framework. */

type Child = Node | string | null | undefined | false
type Attrs = Record<string, string | number | boolean | EventListener | null | undefined>

/** h('button.primary', { onclick }, 'Send'): a tag with optional classes, attributes and children. */
export function h<K extends keyof HTMLElementTagNameMap>(spec: K | `${K}.${string}`, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const [tag, ...classes] = spec.split('.') as [K, ...string[]]
  const el = document.createElement(tag)
  if (classes.length) el.className = classes.join(' ')
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v)
    else if (v === true) el.setAttribute(k, '')
    else el.setAttribute(k, String(v))
  }
  append(el, children)
  return el
}

export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue
    el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c)
  }
}

export function replace(el: Node, ...children: Child[]): void {
  while (el.firstChild) el.removeChild(el.firstChild)
  append(el, children)
}

/** `123456789` -> `123 456 789` (numbers arrive as digits). */
export function formatNumber(n: string): string {
  return n.length === 9 ? `${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}` : n
}

export function formatTime(ms: number): string {
  const d = new Date(ms)
  const today = new Date()
  const sameDay = d.toDateString() === today.toDateString()
  return sameDay ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : d.toLocaleDateString([], { month: 'short', day: 'numeric' })
}

/** Time left on a disappearing message: 45s, 12m, 3h, 2d (rounded up, never 0). */
export function formatCountdown(ms: number): string {
  const s = Math.max(1, Math.ceil(ms / 1000))
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.ceil(s / 60)}m`
  if (s < 86400) return `${Math.ceil(s / 3600)}h`
  return `${Math.ceil(s / 86400)}d`
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

export function formatSize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let i = 0
  let v = bytes
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000
    i++
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`
}

/** A modal dialog: Escape or the Close button closes it, focus starts on the first field. */
export function dialog(title: string, ...body: Child[]): { el: HTMLDialogElement; close: () => void } {
  const el = h('dialog', { 'aria-label': title }, h('h2', {}, title), ...body)
  const close = (): void => {
    el.close()
    el.remove()
  }
  el.addEventListener('close', () => el.remove())
  el.appendChild(h('button.close', { type: 'button', 'aria-label': 'Close', onclick: close }, '×'))
  document.body.appendChild(el)
  el.showModal()
  const first = el.querySelector<HTMLElement>('input, textarea, select, button:not(.close)')
  first?.focus()
  return { el, close }
}

/**
 * Asks before something that cannot be undone. Resolves true only for the action button; Cancel,
 * Escape and the close button resolve false. Focus starts on Cancel, so Enter does no harm.
 */
export function confirmAction(question: string, detail: string, action: string): Promise<boolean> {
  return new Promise((resolve) => {
    let answered = false
    const answer = (yes: boolean): void => {
      if (answered) return
      answered = true
      d.close()
      resolve(yes)
    }
    const cancel = h('button', { type: 'button', onclick: () => answer(false) }, 'Cancel')
    const d = dialog(question, detail ? h('p', {}, detail) : null, h('div.row.confirm-actions', {}, cancel, h('button.danger', { type: 'button', onclick: () => answer(true) }, action)))
    d.el.dataset.testid = 'confirm'
    d.el.addEventListener('close', () => answer(false))
    cancel.focus()
  })
}

/** A sentence for people from whatever was thrown. */
export function sentence(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
