import type { ArchiveProgress } from '../../../lib/contract'
import type { ApiPort } from '../api-port'
import { formatNumber, formatSize, h, replace, sentence } from '../dom'

/**
 * Settings -> Back up and move: the encrypted archive (export, import into a new profile) and
 * the readable copy, each with a progress bar fed by exportProgress / importProgress.
 */
export function backupSection(api: ApiPort): HTMLElement {
  const status = h('div.backup-status', { role: 'status' })
  const bar = h('progress', { max: 1, value: 0, hidden: true, 'aria-label': 'Progress' })
  let busy = false
  const run = async (label: string, event: 'exportProgress' | 'importProgress', work: () => Promise<string>): Promise<void> => {
    if (busy) return
    busy = true
    replace(status, label + '…')
    bar.hidden = false
    bar.value = 0
    const off = api.on(event, (p: ArchiveProgress) => {
      bar.max = Math.max(1, p.total)
      bar.value = p.done
    })
    try {
      replace(status, await work())
      bar.value = bar.max
    } catch (err) {
      bar.hidden = true
      replace(status, h('span.error', { role: 'alert' }, sentence(err)))
    } finally {
      off()
      busy = false
    }
  }

  const exportPass = h('input', { id: 'export-passphrase', type: 'password', autocomplete: 'new-password', minlength: 8, placeholder: 'At least 8 characters' })
  const withFiles = h('input', { id: 'export-files', type: 'checkbox' })
  const importPath = h('input', { id: 'import-path', placeholder: '/path/to/peerline-….peerline' })
  const importPass = h('input', { id: 'import-passphrase', type: 'password', autocomplete: 'current-password', placeholder: 'Its passphrase' })

  return h(
    'div.section.backup',
    {},
    h('h3', {}, 'Back up and move'),
    h(
      'form',
      {
        onsubmit: (e: Event) => {
          e.preventDefault()
          void run('Exporting', 'exportProgress', async () => {
            const r = await api.call('exportProfile', { passphrase: exportPass.value, files: withFiles.checked })
            exportPass.value = ''
            return `Saved ${formatSize(r.bytes)} to ${r.path}. Keep the passphrase: without it the archive cannot be opened.`
          })
        }
      },
      h('label', { for: 'export-passphrase' }, 'Export everything (encrypted)'),
      h('div.row', {}, exportPass, h('button', { type: 'submit', id: 'export-button' }, 'Export')),
      h('label.check', { for: 'export-files' }, withFiles, ' Include the files on this device')
    ),
    h(
      'form',
      {
        onsubmit: (e: Event) => {
          e.preventDefault()
          void run('Importing', 'importProgress', async () => {
            const r = await api.call('importProfile', { path: importPath.value.trim(), passphrase: importPass.value })
            importPass.value = ''
            // The core restarted on the imported profile: start the page over on it.
            setTimeout(() => location.reload(), 1500)
            return `Imported: this is now ${formatNumber(r.number)}. Starting again on it…`
          })
        }
      },
      h('label', { for: 'import-path' }, 'Import an archive (into a new profile)'),
      importPath,
      h('div.row', {}, importPass, h('button', { type: 'submit', id: 'import-button' }, 'Import'))
    ),
    h(
      'div.row',
      {},
      h(
        'button',
        {
          type: 'button',
          id: 'export-readable',
          onclick: () =>
            void run('Writing a readable copy', 'exportProgress', async () => {
              const r = await api.call('exportReadable', {})
              return `Wrote ${r.conversations} conversations and ${r.files} files to ${r.path} (not encrypted).`
            })
        },
        'Export a readable copy'
      )
    ),
    h('p.hint', {}, 'After moving to a new device with an archive, stop using this one: both would write as the same device.'),
    bar,
    status
  )
}
