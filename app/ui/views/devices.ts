import type { DeviceInfo } from '../../../lib/contract'
import type { ApiPort } from '../api-port'
import { formatNumber, h, replace, sentence } from '../dom'
import { qrSvg } from '../qr'

/**
 * Settings -> Devices: this person's devices (remove a linked one), a device link (text and QR)
 * to make on the device with the recovery phrase, and linking this (fresh) device with one.
 */
export function devicesSection(api: ApiPort): HTMLElement {
  const list = h('ul.devices', { 'aria-label': 'Devices' })
  const linkOut = h('div.device-link')
  const status = h('div.devices-status', { role: 'status' })
  const fail = (err: unknown): void => replace(status, h('span.error', { role: 'alert' }, sentence(err)))
  const when = (d: DeviceInfo): string => (d.current ? 'this device' : d.lastSeen === null ? 'not seen yet' : `last here ${new Date(d.lastSeen).toLocaleString()}`)

  /** Fills the list; resolves once it shows them, so "Removed." comes when the list agrees. */
  const load = (): Promise<void> =>
    api.call('listDevices').then((devices) => {
      replace(
        list,
        ...devices.map((d, i) =>
          h(
            'li',
            {},
            h('span', {}, `${d.name} · ${when(d)}`),
            i === 0 || d.current
              ? null
              : h('button', { type: 'button', class: 'remove-device', onclick: () => api.call('removeDevice', { device: d.device }).then(() => load().then(() => replace(status, 'Removed.')), fail) }, 'Remove')
          )
        )
      )
    }, fail)
  void load()

  const linkIn = h('input', { id: 'device-link-input', placeholder: 'The link shown on your other device' })
  return h(
    'div.section.devices-section',
    {},
    h('h3', {}, 'Devices'),
    list,
    h(
      'button',
      {
        type: 'button',
        id: 'create-device-link',
        onclick: () =>
          api.call('createDeviceLink', {}).then((r) => {
            replace(linkOut, h('code.device-link-text', {}, r.link), qrSvg(r.link, 'Device link as a QR code'), h('p.hint', {}, `Good until ${new Date(r.expires).toLocaleTimeString()}. Enter it on the new device.`))
          }, fail)
      },
      'Link a new device'
    ),
    linkOut,
    h(
      'form',
      {
        onsubmit: (e: Event) => {
          e.preventDefault()
          replace(status, 'Linking…')
          api.call('linkDevice', { link: linkIn.value.trim() }).then((r) => {
            replace(status, `Linked: this device is now ${formatNumber(r.number)}. Starting again on it…`)
            setTimeout(() => location.reload(), 1500)
          }, fail)
        }
      },
      h('label', { for: 'device-link-input' }, 'Make this new device one of yours'),
      h('div.row', {}, linkIn, h('button', { type: 'submit', id: 'link-device-button' }, 'Link'))
    ),
    status
  )
}
