import type { ApiPort } from '../api-port'
import { dialog, formatNumber, h, replace, sentence } from '../dom'
import type { Model } from '../model'
import { networkBadge } from './network-badge'
import { backupSection } from './backup'
import { devicesSection } from './devices'

export function settingsDialog(api: ApiPort, model: Model, changed: () => void): void {
  const out = h('p.result', { role: 'status' })
  const fail = (err: unknown): void => void (out.textContent = sentence(err))
  const name = h('input', { id: 'settings-name', value: model.me.name, maxlength: 64 })
  const contactsOnly = h('input', { id: 'contacts-only', type: 'checkbox' })
  contactsOnly.addEventListener('change', () => {
    api.call('setContactsOnly', { enabled: contactsOnly.checked }).then(() => (out.textContent = contactsOnly.checked ? 'Only contacts can reach you now.' : 'Anyone with your number can send you a request.'), fail)
  })
  // Off means neither way, as in Signal: no marks sent, none shown.
  const receipts = h('input', { id: 'read-receipts', type: 'checkbox' })
  // Usable once they show the real settings: a box shown unchecked before that is a lie (and a
  // click on it would set the opposite of what the person saw).
  contactsOnly.disabled = receipts.disabled = true
  api.call('settings').then((s) => {
    contactsOnly.checked = s.contactsOnly === true
    receipts.checked = s.readReceipts !== false
    contactsOnly.disabled = receipts.disabled = false
  }, fail)
  receipts.addEventListener('change', () => {
    api.call('setReadReceipts', { enabled: receipts.checked }).then(() => {
      out.textContent = receipts.checked ? 'Read receipts are on.' : 'Read receipts are off: others do not see when you read, and you do not see when they do.'
      changed()
    }, fail)
  })
  const phrase = h('div.phrase-box')
  const n = model.network
  dialog(
    'Settings',
    h(
      'form.section',
      {
        onsubmit: (e: Event) => {
          e.preventDefault()
          api.call('setProfile', { name: name.value.trim() }).then(() => {
            out.textContent = 'Name saved.'
            changed()
          }, fail)
        }
      },
      h('label', { for: 'settings-name' }, 'Your name'),
      h('div.row', {}, name, h('button', { type: 'submit' }, 'Save'))
    ),
    h('div.section', {}, h('p', {}, 'Your number ', h('strong', {}, formatNumber(model.me.number))), h('p.hint.key', {}, 'Key ', h('code', {}, model.me.publicKey))),
    h(
      'div.section',
      {},
      h('label.check', { for: 'contacts-only' }, contactsOnly, ' Contacts only'),
      h('p.hint', {}, 'Strangers are turned away before they can connect, so they never learn your address. New people cannot send you requests.')
    ),
    h(
      'div.section',
      {},
      h('label.check', { for: 'read-receipts' }, receipts, ' Send read receipts'),
      h('p.hint', {}, 'People see when you have read their messages. If you turn this off, you will not see read receipts from others either.')
    ),
    h(
      'div.section',
      {},
      h(
        'button',
        {
          type: 'button',
          onclick: () => {
            api.call('recoveryPhrase').then((r) => replace(phrase, h('ol.phrase', {}, ...r.phrase.split(' ').map((w) => h('li', {}, w)))), fail)
          }
        },
        'Show recovery phrase'
      ),
      phrase
    ),
    devicesSection(api),
    backupSection(api),
    h(
      'div.section',
      {},
      h('p', {}, 'Network ', networkBadge(n)),
      n ? h('p.hint', {}, `${n.peers} peers connected · ${n.dhtNodes} DHT nodes · ${n.lanPeers} Peerline devices on this LAN`) : null
    ),
    out
  )
}
