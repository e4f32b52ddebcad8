import type { ApiPort } from '../api-port'
import { dialog, formatNumber, formatTime, h, replace, sentence } from '../dom'
import type { SearchHit } from '../model'

/** Search in one conversation: type, Enter, pick a result to see it in the conversation. */
export function searchDialog(api: ApiPort, room: string, title: string, me: string, jump: (hit: SearchHit) => void): void {
  const input = h('input', { type: 'search', 'aria-label': 'Search messages', placeholder: 'Search messages', autocomplete: 'off' })
  const results = h('ol.search-results', { 'aria-label': 'Results', 'aria-live': 'polite' })
  const run = async (): Promise<void> => {
    const text = input.value.trim()
    if (!text) return replace(results)
    try {
      const hits = await api.call('search', { room, text })
      if (hits.length === 0) return replace(results, h('li.hint', {}, `Nothing here says “${text}”.`))
      replace(
        results,
        ...hits.map((hit) =>
          h(
            'li',
            {},
            h(
              'button.result',
              {
                type: 'button',
                onclick: () => {
                  d.close()
                  jump(hit)
                }
              },
              h('span.who', {}, hit.from === me ? 'You' : hit.name || formatNumber(hit.from)),
              h('span.when', {}, ' · ' + formatTime(hit.time)),
              h('span.what', {}, highlight(hit.text, text))
            )
          )
        )
      )
    } catch (err) {
      replace(results, h('li.error', { role: 'alert' }, sentence(err)))
    }
  }
  const form = h(
    'form.row.search-form',
    {
      onsubmit: (e: Event) => {
        e.preventDefault()
        void run()
      }
    },
    input,
    h('button.primary', { type: 'submit' }, 'Search')
  )
  const d = dialog(`Search in ${title}`, form, results)
  d.el.classList.add('search-dialog')
  input.focus()
}

/** The text with the first match marked, shortened around it. */
function highlight(text: string, query: string): HTMLElement {
  const at = text.toLocaleLowerCase().indexOf(query.toLocaleLowerCase())
  if (at === -1) return h('span', {}, text)
  const start = Math.max(0, at - 40)
  const before = (start > 0 ? '…' : '') + text.slice(start, at)
  const end = at + query.length
  const after = text.slice(end, end + 80) + (end + 80 < text.length ? '…' : '')
  return h('span', {}, before, h('mark', {}, text.slice(at, end)), after)
}
