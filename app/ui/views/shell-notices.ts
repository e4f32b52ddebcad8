import { h, formatNumber, sentence } from '../dom'
import type { ApiClient } from '../api-client'

/** What the Electron preload adds for updates and peerline:// links (absent in the web shell). */
export interface ShellNotices {
  onUpdateReady?(fn: (version: string) => void): void
  restartToUpdate?(): void
  onOpenLink?(fn: (link: unknown) => void): void
}

/** A banner at the top that stays until the person answers it (unlike a toast). */
export function banner(text: string, action: string, act: () => void, dismiss: string | null = 'Not now'): void {
  const el = h('div.toast.shell-notice', { role: 'status' }, text + ' ')
  el.append(h('button.primary', { onclick: () => (el.remove(), act()) }, action))
  if (dismiss !== null) el.append(' ', h('button', { onclick: () => el.remove() }, dismiss))
  document.body.append(el)
}

/** "Update ready", and links, which only propose until the person agrees. */
export function showShellNotices(shell: ShellNotices, api: ApiClient): void {
  shell.onUpdateReady?.((version) => banner(`Update ready${version ? ` (Peerline ${version})` : ''}.`, 'Restart to update', () => shell.restartToUpdate?.()))
  shell.onOpenLink?.((link) => {
    const l = link as { kind?: string; number?: string; invite?: string }
    const fail = (err: unknown): void => banner(sentence(err), 'OK', () => {})
    if (l.kind === 'number' && typeof l.number === 'string') {
      const number = l.number
      banner(`Add ${formatNumber(number)} as a contact?`, 'Add', () => void api.call('addContact', { number }).catch(fail))
    } else if (l.kind === 'room' && typeof l.invite === 'string') {
      const invite = l.invite
      banner('Join the conversation this room key opens?', 'Join', () => void api.call('joinRoom', { invite }).catch(fail))
    }
  })
}
