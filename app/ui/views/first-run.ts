import type { ApiPort } from '../api-port'
import { formatNumber, h, replace, sentence } from '../dom'
import type { Me } from '../model'

/**
 * The first run: your number, your name, then the recovery phrase to write down. Restoring an
 * earlier identity from its phrase is offered on the first screen, before anything is made.
 */
export function showFirstRun(root: HTMLElement, api: ApiPort, initial: Me, done: (me: Me) => void): void {
  let me = initial
  const error = h('p.error', { role: 'alert' })

  const welcome = (): void => {
    const name = h('input', { id: 'first-name', name: 'name', autocomplete: 'nickname', maxlength: 64, placeholder: 'Your name', required: true })
    const form = h(
      'form.card',
      {
        onsubmit: (e: Event) => {
          e.preventDefault()
          const value = name.value.trim()
          if (!value) return void (error.textContent = 'Type the name your contacts will see.')
          api.call('setProfile', { name: value }).then(() => {
            me = { ...me, name: value }
            phrase()
          }, (err) => (error.textContent = sentence(err)))
        }
      },
      h('h1', {}, 'Welcome to Peerline'),
      h('p', {}, 'Your number is'),
      h('p.big-number', { 'data-testid': 'my-number' }, formatNumber(me.number)),
      h('p.hint', {}, 'Give it to people so they can add you. It comes from a key made on this device: no phone number, no account, no server.'),
      h('label', { for: 'first-name' }, 'What should your contacts call you?'),
      name,
      error,
      h('button.primary', { type: 'submit' }, 'Continue'),
      h('button.link', { type: 'button', onclick: restore }, 'I have a recovery phrase')
    )
    replace(root, h('div.first-run', {}, form))
    name.focus()
  }

  const phrase = (): void => {
    const words = h('ol.phrase', { 'data-testid': 'phrase' })
    api.call('recoveryPhrase').then((r) => {
      for (const w of r.phrase.split(' ')) words.appendChild(h('li', {}, w))
    }, (err) => (error.textContent = sentence(err)))
    const card = h(
      'div.card',
      {},
      h('h1', {}, 'Your recovery phrase'),
      h('p', {}, 'These 24 words are the only way to get your number back on a new device. Write them down and keep them somewhere safe. Anyone with them can be you.'),
      words,
      error,
      h('button.primary', { type: 'button', onclick: () => done(me) }, 'I wrote it down'),
      h('p.hint', {}, 'You can see them again in Settings.')
    )
    replace(root, h('div.first-run', {}, card))
    card.querySelector('button')?.focus()
  }

  function restore(): void {
    const text = h('textarea', { id: 'restore-phrase', rows: 4, placeholder: 'twenty four words separated by spaces', spellcheck: false, autocomplete: 'off' })
    const form = h(
      'form.card',
      {
        onsubmit: (e: Event) => {
          e.preventDefault()
          error.textContent = 'Restoring…'
          api.call('restoreIdentity', { phrase: text.value }).then((restored) => {
            me = restored
            error.textContent = ''
            if (restored.name) done(me)
            else welcome()
          }, (err) => (error.textContent = sentence(err)))
        }
      },
      h('h1', {}, 'Restore your number'),
      h('label', { for: 'restore-phrase' }, 'Type your 24-word recovery phrase'),
      text,
      error,
      h('button.primary', { type: 'submit' }, 'Restore'),
      h('button.link', { type: 'button', onclick: welcome }, 'Back')
    )
    replace(root, h('div.first-run', {}, form))
    text.focus()
  }

  welcome()
}
