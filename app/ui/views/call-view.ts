import type { CallEngine, IncomingCall } from '../calls/call-engine'
import { dialog, formatNumber, h, sentence } from '../dom'
import type { Model } from '../model'

/** Ringing: who calls, with video or not, and the three answers. */
export function incomingCallDialog(engine: CallEngine, call: IncomingCall, onerror: (err: unknown) => void): () => void {
  const who = call.name || formatNumber(call.from)
  const answer = (video: boolean): void => {
    d.close()
    engine.answer(call.call, video).catch(onerror)
  }
  const d = dialog(
    call.group ? 'Group call' : call.video ? 'Video call' : 'Call',
    h('p.caller', { 'data-testid': 'incoming-call' }, h('strong', {}, who), call.group ? ' invites you to a group call' : ' is calling'),
    h(
      'div.row',
      {},
      h('button.primary', { type: 'button', onclick: () => answer(call.video) }, call.video ? 'Accept with video' : 'Accept'),
      call.video ? h('button', { type: 'button', onclick: () => answer(false) }, 'Accept audio only') : null,
      h(
        'button.danger',
        {
          type: 'button',
          onclick: () => {
            d.close()
            engine.decline(call.call).catch(onerror)
          }
        },
        'Decline'
      )
    )
  )
  return d.close
}

/**
 * The call screen over the app: everyone's video, our preview, mute, camera, screen share,
 * hang up, and the in-call chat (kept only in memory; gone when the call ends).
 */
export class CallScreen {
  readonly el: HTMLElement
  private readonly _grid = h('div.videos')
  private readonly _local = h('video.local', { autoplay: true, muted: true, playsinline: true, 'aria-label': 'Your camera' })
  private readonly _chat = h('ol.call-chat', { 'aria-label': 'Chat in this call', 'aria-live': 'polite' })
  private readonly _status = h('p.call-status', { role: 'status' })
  private readonly _off: Array<() => void> = []
  private _muted = false
  private _camera = true
  private _sharing = false

  constructor(
    _engine: CallEngine,
    readonly call: string,
    title: string,
    private readonly _model: Model,
    _onerror: (err: unknown) => void
  ) {
    const mute = h('button', { type: 'button', 'aria-pressed': 'false' }, 'Mute')
    const camera = h('button', { type: 'button', 'aria-pressed': 'false' }, 'Camera off')
    const share = h('button', { type: 'button', 'aria-pressed': 'false' }, 'Share screen')
    mute.onclick = () => {
      this._muted = !this._muted
      _engine.setMuted(call, this._muted)
      mute.textContent = this._muted ? 'Unmute' : 'Mute'
      mute.setAttribute('aria-pressed', String(this._muted))
    }
    camera.onclick = () => {
      this._camera = !this._camera
      _engine.setCamera(call, this._camera)
      camera.textContent = this._camera ? 'Camera off' : 'Camera on'
      camera.setAttribute('aria-pressed', String(!this._camera))
    }
    share.onclick = () => {
      const next = !this._sharing
      ;(next ? _engine.shareScreen(call) : _engine.stopScreen(call)).then(() => {
        this._sharing = next
        share.textContent = next ? 'Stop sharing' : 'Share screen'
        share.setAttribute('aria-pressed', String(next))
      }, _onerror)
    }
    const text = h('input', { 'aria-label': 'Message the call', placeholder: 'Message the call (not saved)' })
    this.el = h(
      'section.call-screen',
      { 'aria-label': `Call: ${title}` },
      h('header.call-head', {}, h('h2', {}, title), this._status),
      h('div.call-body', {}, h('div.stage', {}, this._grid, this._local), h('aside.call-side', {}, this._chat, h('form.row', {
        onsubmit: (e: Event) => {
          e.preventDefault()
          const t = text.value.trim()
          if (t) _engine.chat(call, t).catch(_onerror)
          text.value = ''
        }
      }, text, h('button', { type: 'submit' }, 'Send')))),
      h('div.call-controls.row', {}, mute, camera, share, h('button.danger.primary-danger', { type: 'button', onclick: () => _engine.hangUp(call).catch(_onerror) }, 'Hang up'))
    )
    this._off.push(
      _engine.on('stream', (p) => p.call === call && this._stream(p.peer, p.stream)),
      _engine.on('left', (p) => p.call === call && this.el.querySelector(`[data-peer="${p.peer}"]`)?.remove()),
      _engine.on('local', (p) => p.call === call && this._setLocal(p.stream)),
      _engine.on('chat', (p) => p.call === call && this._line(p.mine ? 'You' : this._name(p.from), p.text)),
      _engine.on('state', (p) => p.call === call && this.status(p.state === 'calling' ? 'Ringing…' : p.state === 'active' ? '' : p.state))
    )
    const current = _engine.call(call)
    if (current?.local) this._setLocal(current.local)
    this.status(current?.state === 'calling' ? 'Ringing…' : '')
  }

  status(text: string): void {
    this._status.textContent = text
  }

  close(): void {
    for (const off of this._off) off()
    this.el.remove()
  }

  private _setLocal(stream: MediaStream): void {
    this._local.srcObject = stream
  }

  private _stream(peer: string, stream: MediaStream): void {
    let tile = this._grid.querySelector<HTMLElement>(`[data-peer="${peer}"]`)
    if (!tile) {
      const video = h('video', { autoplay: true, playsinline: true })
      tile = h('figure.tile', { 'data-peer': peer }, video, h('figcaption', {}, this._name(peer)))
      this._grid.appendChild(tile)
    }
    const video = tile.querySelector('video') as HTMLVideoElement
    if (video.srcObject !== stream) {
      video.srcObject = stream
      video.play().catch(() => {})
    }
  }

  private _name(number: string): string {
    const c = this._model.contacts.find((x) => x.number === number) ?? this._model.members.find((x) => x.number === number)
    return c?.name || formatNumber(number)
  }

  private _line(from: string, text: string): void {
    this._chat.appendChild(h('li', {}, h('strong', {}, from + ' '), text))
    this._chat.scrollTop = this._chat.scrollHeight
  }
}

const ENDED: Record<string, string> = {
  declined: 'They declined the call.',
  busy: 'They are in another call.',
  missed: 'No answer.',
  full: 'The call is full (8 people).',
  lost: 'The connection was lost.'
}

export function endedSentence(reason: string | undefined): string | null {
  return reason ? ENDED[reason] ?? null : null
}

export function callError(err: unknown): string {
  const text = sentence(err)
  return /Permission|NotAllowed|NotFound/i.test(text) ? 'Peerline could not use your camera or microphone: ' + text : text
}

/** A call event in the conversation: "Missed video call", "Call · 2:05", ... */
export function callLabel(c: { outcome: string; video: boolean; group: boolean; duration: number }, mine: boolean): string {
  const kind = c.group ? 'Group call' : c.video ? 'Video call' : 'Call'
  if (c.outcome === 'missed') return mine ? `${kind}: no answer` : `Missed ${kind.toLowerCase()}`
  if (c.outcome === 'declined') return `${kind} declined`
  if (c.outcome === 'busy') return `${kind}: busy`
  const s = Math.round(c.duration / 1000)
  return `${kind} · ${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`
}
