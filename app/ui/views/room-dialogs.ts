import type { ApiPort } from '../api-port'
import { confirmAction, dialog, formatNumber, h, replace, sentence } from '../dom'
import type { MemberInfo, Model, RoomSummary } from '../model'
import { qrSvg } from '../qr'
import type { Params, ParamsArg } from '../../../lib/contract'

/** A room key, with a copy button and a QR code to show a phone or a camera. */
export function roomKeyBlock(invite: string, expires: number): HTMLElement {
  const copied = h('span.hint', { role: 'status' })
  return h(
    'div.room-key',
    {},
    h('textarea.key', { readonly: true, rows: 3, 'aria-label': 'Room key', 'data-testid': 'room-key' }, invite),
    h(
      'div.row',
      {},
      h(
        'button.primary',
        {
          type: 'button',
          onclick: () => {
            navigator.clipboard.writeText(invite).then(
              () => (copied.textContent = 'Copied.'),
              () => (copied.textContent = 'Select the key and copy it by hand.')
            )
          }
        },
        'Copy room key'
      ),
      copied
    ),
    qrSvg(invite, 'Room key as a QR code'),
    h('p.hint', {}, expires ? `Anyone with this key can join until ${new Date(expires).toLocaleString()}.` : 'Anyone with this key can join.')
  )
}

export function newRoomDialog(api: ApiPort, opened: (room: string) => void): void {
  const name = h('input', { id: 'room-name', maxlength: 64, placeholder: 'Family, Street 14, Shelter B…' })
  const out = h('div.result')
  const d = dialog(
    'New room',
    h(
      'form',
      {
        onsubmit: (e: Event) => {
          e.preventDefault()
          api.call('createRoom', { name: name.value.trim() }).then(
            (r) => {
              opened(r.room)
              replace(out, h('p', {}, 'Room created. Share this key with the people you want in it:'), roomKeyBlock(r.invite, r.expires))
              d.el.querySelector('form')?.remove()
            },
            (err) => replace(out, h('p.error', { role: 'alert' }, sentence(err)))
          )
        }
      },
      h('label', { for: 'room-name' }, 'Room name'),
      name,
      h('button.primary', { type: 'submit' }, 'Create')
    ),
    out
  )
}

export function joinRoomDialog(api: ApiPort, opened: (room: string) => void): void {
  const key = h('textarea', { id: 'join-key', rows: 3, placeholder: 'Paste the room key here', spellcheck: false, autocomplete: 'off' })
  const out = h('div.result', { role: 'status' })
  const submit = h('button.primary', { type: 'submit' }, 'Join')
  const d = dialog(
    'Join a room',
    h(
      'form',
      {
        onsubmit: (e: Event) => {
          e.preventDefault()
          submit.disabled = true
          replace(out, h('p.hint', {}, 'Asking a member of the room to let you in…'))
          api.call('joinRoom', { invite: key.value.trim() }).then(
            (r) => {
              d.close()
              opened(r.room)
            },
            (err) => {
              submit.disabled = false
              replace(out, h('p.error', { role: 'alert' }, sentence(err)))
            }
          )
        }
      },
      h('label', { for: 'join-key' }, 'Room key'),
      key,
      submit
    ),
    out
  )
}

/** Members with roles and admin actions, the room key, rename, and leave. */
export function roomInfoDialog(api: ApiPort, model: Model, room: RoomSummary, changed: () => void, left: () => void): void {
  const out = h('div.result', { role: 'status' })
  const fail = (err: unknown): void => replace(out, h('p.error', { role: 'alert' }, sentence(err)))
  const isAdmin = (list: MemberInfo[]): boolean => list.some((m) => m.number === model.me.number && m.role === 'admin')
  let admin = isAdmin(model.members)
  const run = <M extends 'setRole' | 'removeMember' | 'renameRoom' | 'leaveRoom'>(method: M, params: Omit<Params<M>, 'room'>, done = changed): void => {
    api.call(method, ...([{ room: room.room, ...params }] as ParamsArg<M>)).then(() => {
      d.close()
      done()
    }, fail)
  }
  const title = room.name || 'this room'
  const row = (m: MemberInfo): HTMLElement =>
    h(
      'li',
      { 'data-number': m.number },
      h(`span.dot.${m.online ? 'on' : 'off'}`, { title: m.online ? 'online' : 'offline' }),
      h('span.name', {}, m.name || formatNumber(m.number), m.number === model.me.number ? ' (you)' : ''),
      h('span.number', {}, formatNumber(m.number)),
      h(`span.role.${m.role}`, {}, m.role),
      admin && m.number !== model.me.number && room.kind === 'group'
        ? h(
            'span.row',
            {},
            h('button', { type: 'button', onclick: () => run('setRole', { number: m.number, role: m.role === 'admin' ? 'member' : 'admin' }) }, m.role === 'admin' ? 'Make member' : 'Make admin'),
            h('button.danger', { type: 'button', 'aria-label': `Remove ${m.name || m.number}`, onclick: () => void confirmAction(`Remove ${m.name || formatNumber(m.number)} from ${title}?`, 'They stop getting new messages. They can come back only with a new room key.', 'Remove').then((yes) => yes && run('removeMember', { number: m.number })) }, 'Remove')
          )
        : null
    )
  const members = h('ul.members', { 'aria-label': 'Members' }, ...model.members.map(row))
  // The list in the model may be a moment old: someone may have just joined.
  api.call('members', { room: room.room }).then((list) => {
    admin = isAdmin(list)
    replace(members, ...list.map(row))
  }, fail)
  const keyArea = h('div')
  const rename = h('input', { id: 'rename', value: room.name, maxlength: 64, 'aria-label': 'Room name' })
  const d = dialog(
    room.kind === 'group' ? room.name || 'Room' : 'Contact',
    members,
    room.kind === 'group' && room.active
      ? h(
          'div.section',
          {},
          h(
            'button',
            {
              type: 'button',
              onclick: () => {
                api.call('createInvite', { room: room.room }).then((r) => replace(keyArea, roomKeyBlock(r.invite, r.expires)), fail)
              }
            },
            'Share room key'
          ),
          keyArea
        )
      : null,
    admin && room.kind === 'group'
      ? h(
          'form.section.row',
          {
            onsubmit: (e: Event) => {
              e.preventDefault()
              run('renameRoom', { name: rename.value.trim() })
            }
          },
          rename,
          h('button', { type: 'submit' }, 'Rename')
        )
      : null,
    room.kind === 'group' && room.active ? h('button.danger.section', { type: 'button', onclick: () => void confirmAction(`Leave ${title}?`, 'You stop getting its messages and it goes from your list. You can come back with a room key from a member.', 'Leave').then((yes) => yes && run('leaveRoom', {}, left)) }, 'Leave room') : null,
    out
  )
}
