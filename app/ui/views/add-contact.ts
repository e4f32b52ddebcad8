import type { ApiPort } from '../api-port'
import { dialog, formatNumber, h, replace, sentence } from '../dom'

interface AddResult {
  number: string
  state: 'searching' | 'pending' | 'accepted' | 'choose' | 'incoming' | 'declined'
  name?: string
  safetyCode?: string
  candidates?: Array<{ publicKey: string; name: string; safetyCode: string }>
}

/** Add a contact by number: the request goes out, and the safety code is shown to compare. */
export function addContactDialog(api: ApiPort, onadded: () => void): void {
  const number = h('input', { id: 'add-number', inputmode: 'numeric', autocomplete: 'off', placeholder: '123 456 789', 'aria-describedby': 'add-hint' })
  const out = h('div.result', { role: 'status' })
  const submit = h('button.primary', { type: 'submit' }, 'Add')

  const add = (publicKey?: string): void => {
    submit.disabled = true
    replace(out, h('p.hint', {}, `Looking for ${formatNumber(number.value.replace(/\D/g, ''))} on the network…`))
    api.call('addContact', publicKey ? { number: number.value, publicKey } : { number: number.value }).then(
      (r) => {
        submit.disabled = false
        onadded()
        if (r.state === 'choose') return choose(r)
        if (r.state === 'searching') {
          return replace(
            out,
            h('p', { 'data-testid': 'add-result' }, `Nobody answered on ${formatNumber(r.number)} yet. They may be offline, or the number may be mistyped. Peerline keeps looking and sends your request when they come online; you can cancel it from the list.`)
          )
        }
        const said = r.state === 'accepted' ? `${r.name || formatNumber(r.number)} is in your contacts.` : `Request sent to ${r.name || formatNumber(r.number)}. The chat opens when they accept.`
        replace(out, h('p', { 'data-testid': 'add-result' }, said), safety(r.safetyCode))
      },
      (err) => {
        submit.disabled = false
        replace(out, h('p.error', { role: 'alert' }, sentence(err)))
      }
    )
  }

  const choose = (r: AddResult): void => {
    replace(
      out,
      h('p.error', {}, 'Two different devices answer for this number. Only one is the person you mean: ask them for their safety code and pick the one that matches.'),
      ...(r.candidates ?? []).map((c) => h('div.candidate', {}, h('strong', {}, c.name || 'Unnamed'), safety(c.safetyCode), h('button', { type: 'button', onclick: () => add(c.publicKey) }, 'This one')))
    )
  }

  dialog(
    'Add a contact',
    h(
      'form',
      {
        onsubmit: (e: Event) => {
          e.preventDefault()
          add()
        }
      },
      h('label', { for: 'add-number' }, 'Their Peerline number'),
      number,
      h('p.hint', { id: 'add-hint' }, 'They get a request with your name and number, and the chat starts when they accept.'),
      submit
    ),
    out
  )
}

function safety(code: string | undefined): HTMLElement | null {
  if (!code) return null
  return h('p.safety', {}, 'Safety code ', h('code', { 'data-testid': 'safety-code' }, code), h('br'), h('span.hint', {}, 'The same code shows on their side. Compare them in person or on a call to be sure nobody is in between.'))
}
