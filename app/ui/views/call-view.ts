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
  /** An audio call: people are shown by avatar and name, not by empty video tiles. */
  private readonly _video: boolean
  private _state = ''
  /** Peers whose media connection is up; the timer starts with the first. */
  private readonly _connected = new Set<string>()
  private _since = 0
  private readonly _clock: ReturnType<typeof setInterval>

  constructor(
    _engine: CallEngine,
    readonly call: string,
    title: string,
    private readonly _model: Model,
    _onerror: (err: unknown) => void
  ) {
    const current = _engine.call(call)
    this._video = current?.video ?? true
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
      { 'aria-label': `Call: ${title}`, 'data-kind': this._video ? 'video' : 'audio' },
      h('header.call-head', {}, h('h2', {}, title), this._status),
      h('div.call-body', {}, h('div.stage', {}, this._grid, this._video ? this._local : null), h('aside.call-side', {}, this._chat, h('form.row', {
        onsubmit: (e: Event) => {
          e.preventDefault()
          const t = text.value.trim()
          if (t) _engine.chat(call, t).catch(_onerror)
          text.value = ''
        }
      }, text, h('button', { type: 'submit' }, 'Send')))),
      h('div.call-controls.row', {}, mute, this._video ? camera : null, share, h('button.danger.primary-danger', { type: 'button', onclick: () => _engine.hangUp(call).catch(_onerror) }, 'Hang up'))
    )
    this._off.push(
      _engine.on('stream', (p) => p.call === call && this._stream(p.peer, p.stream)),
      _engine.on('left', (p) => p.call === call && this.el.querySelector(`[data-peer="${p.peer}"]`)?.remove()),
      _engine.on('local', (p) => p.call === call && this._setLocal(p.stream)),
      _engine.on('chat', (p) => p.call === call && this._line(p.mine ? 'You' : this._name(p.from), p.text)),
      _engine.on('state', (p) => {
        if (p.call !== call) return
        this._state = p.state
        this._paint()
      }),
      _engine.on('connection', (p) => {
        if (p.call !== call) return
        if (p.state === 'connected' || p.state === 'completed') {
          this._connected.add(p.peer)
          if (this._since === 0) this._since = Date.now()
        } else this._connected.delete(p.peer)
        this._paint()
      })
    )
    // Before anyone's media arrives, the person called (the title) is shown.
    if (!this._video) this._grid.appendChild(personCard(title, null))
    if (current?.local) this._setLocal(current.local)
    this._state = current?.state ?? ''
    this._clock = setInterval(() => this._paint(), 1000)
    this._paint()
  }

  status(text: string): void {
    this._status.textContent = text
  }

  close(): void {
    clearInterval(this._clock)
    for (const off of this._off) off()
    this.el.remove()
  }

  /** Ringing…, Connecting…, or Connected with the time since the media came up; on the cards too. */
  private _paint(): void {
    let text = ''
    if (this._state === 'calling') text = 'Ringing…'
    else if (this._state === 'ringing') text = 'Incoming call'
    else if (this._state === 'active') text = this._connected.size > 0 ? 'Connected · ' + duration(Date.now() - this._since) : this._since > 0 ? 'Reconnecting…' : 'Connecting…'
    this.status(text)
    for (const el of this._grid.querySelectorAll<HTMLElement>('.person .state')) el.textContent = text
    // Someone in an audio call shares their screen: their card shows the picture while it lasts.
    for (const video of this._grid.querySelectorAll<HTMLVideoElement>('.person video')) {
      const live = video.videoWidth > 0 && (video.srcObject as MediaStream | null)?.getVideoTracks().some((tr) => tr.readyState === 'live' && !tr.muted) === true
      video.parentElement?.classList.toggle('showing', live)
    }
  }

  private _setLocal(stream: MediaStream): void {
    this._local.srcObject = stream
  }

  private _stream(peer: string, stream: MediaStream): void {
    let tile = this._grid.querySelector<HTMLElement>(`[data-peer="${peer}"]`)
    if (!tile) {
      const video = h('video', { autoplay: true, playsinline: true })
      // Audio only: the video element just plays the sound; the tile is the person.
      tile = this._video ? h('figure.tile', { 'data-peer': peer }, video, h('figcaption', {}, this._name(peer))) : personCard(this._name(peer), peer, video)
      this._grid.querySelector('.person:not([data-peer])')?.remove()
      this._grid.appendChild(tile)
      this._paint()
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

/** An audio call's tile: initials in a circle, the name, and the call's state or time. */
function personCard(name: string, peer: string | null, audio: HTMLVideoElement | null = null): HTMLElement {
  return h(
    'figure.tile.person',
    peer ? { 'data-peer': peer } : {},
    h('span.call-avatar', { 'aria-hidden': 'true' }, initials(name)),
    h('figcaption.name', {}, name),
    h('span.state', { 'aria-hidden': 'true' }),
    audio
  )
}

function initials(name: string): string {
  const words = name.replace(/[^\p{L}\p{N} ]/gu, '').trim().split(/\s+/).filter(Boolean)
  if (words.length === 0) return '#'
  return (words.length === 1 ? words[0].slice(0, 1) : words[0].slice(0, 1) + words[words.length - 1].slice(0, 1)).toUpperCase()
}

/** m:ss, or h:mm:ss past an hour. */
function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  const mm = String(Math.floor(s / 60) % 60)
  const ss = String(s % 60).padStart(2, '0')
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mm.padStart(2, '0')}:${ss}` : `${mm}:${ss}`
}

const ENDED: Record<string, string> = {
  declined: 'They declined the call.',
  busy: 'They are in another call.',
  missed: 'No answer.',
  full: 'The call is full (8 people).',
  lost: 'The connection was lost.',
  'answered-elsewhere': 'Answered on another of your devices.',
  'declined-elsewhere': 'Declined on another of your devices.'
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
