import readline from 'readline'
import { formatNumber as format } from '../../lib/contract'
import type { Client, MemberInfo, Notifications } from '../../lib/contract'
import { terminalSafe } from './terminal-text'

/** Continuation lines of a message are indented, so a peer cannot fake a line of its own. */
const INDENT = '    '

const HELP = `Commands:
  /add NUMBER        add a contact by number (123 456 789)
  /accept NUMBER     accept a contact request      /decline NUMBER
  /cancel NUMBER     stop looking for a number, or withdraw a request not yet accepted
  /contacts          your contacts and requests
  /to NUMBER|NAME    talk to this contact or room (by number or name); plain lines go there
  /rooms             your rooms         /create NAME   a new group room (prints its room key)
  /join ROOMKEY      join a room        /invite        a new room key for the current room
  /members           who is in the current room
  /history [N]       the last N messages with them (default 20)
  /name NAME         your display name              /phrase   your recovery phrase
  /contacts-only on|off                             /quit`

export interface TerminalChatOptions {
  /** Our number, known before the core is ready (shown at once). */
  number: string
  /** Settles when the client answers calls. */
  ready: Promise<void>
}

/** A terminal messenger over the contract's client: what a person runs with `peerline chat`. */
export class TerminalChat {
  private readonly _api: Client
  private readonly _rl: readline.Interface
  private readonly _me: string
  private readonly _ready: Promise<void>
  private _to: string | null = null
  /** number -> display name, from contacts and the members of rooms seen (all cleaned). */
  private readonly _names = new Map<string, string>()

  constructor(api: Client, { number, ready }: TerminalChatOptions) {
    this._api = api
    this._me = number
    this._ready = ready
    this._rl = readline.createInterface({ input: process.stdin, output: process.stdout, prompt: '> ' })
  }

  async run(): Promise<void> {
    const api = this._api
    this._listen()
    this._print(`Peerline. Your number is ${format(this._me)}. Connecting ...`)
    await this._ready
    const me = await api.call('whoami')
    this._print(`Ready${me.name ? `, ${me.name}` : ''}. /help for commands.`)
    this._rl.prompt()
    this._rl.on('line', (line) => {
      this._command(line.trim())
        .catch((err: { code?: unknown; message: string }) => this._print(typeof err.code === 'string' ? err.message : `error: ${err.message}`))
        .finally(() => this._rl.prompt())
    })
    await new Promise<void>((resolve) => this._rl.once('close', resolve))
  }

  private async _command(line: string): Promise<void> {
    if (line === '') return
    const api = this._api
    if (!line.startsWith('/')) {
      if (this._to === null) return this._print('Pick someone first: /to NUMBER')
      await api.call('send', { to: this._to, text: line })
      return
    }
    const [cmd, ...rest] = line.split(/\s+/)
    const arg = rest.join(' ')
    switch (cmd) {
      case '/help':
        return this._print(HELP)
      case '/quit':
        return void this._rl.close()
      case '/add': {
        this._print(`Looking for ${arg} ...`)
        const r = await api.call('addContact', { number: arg })
        if (r.state === 'choose') {
          this._print('Two different keys answer on that number. Compare safety codes with the person, then /add NUMBER again once you know which:')
          for (const c of r.candidates) this._print(`  key ${c.publicKey.slice(0, 16)}…  safety code ${c.safetyCode}`)
          return
        }
        this._to = r.number
        if (r.state === 'searching') return this._print(`Nobody answered on ${format(r.number)} yet (offline, or a mistyped number). Still looking; the request goes out when they come online. /cancel ${format(r.number)} stops it.`)
        return this._print(`${format(r.number)} found. Safety code: ${r.safetyCode}. ${r.state === 'accepted' ? 'Already a contact.' : 'Request sent; waiting for them to accept.'}`)
      }
      case '/accept': {
        const r = await api.call('acceptContact', { number: arg })
        this._to = r.number
        return this._print(`Accepted ${format(r.number)}. You are now talking to them.`)
      }
      case '/decline':
        await api.call('declineContact', { number: arg })
        return this._print('Declined.')
      case '/cancel': {
        const r = await api.call('cancelContact', { number: arg })
        return this._print(r.cancelled ? 'Cancelled.' : `Nothing to cancel for ${terminalSafe(arg)}.`)
      }
      case '/contacts': {
        const list = await api.call('listContacts')
        if (list.length === 0) return this._print('No contacts yet: /add NUMBER')
        for (const c of list) {
          if (c.name) this._names.set(c.number, terminalSafe(c.name))
          this._print(`  ${format(c.number)}  ${terminalSafe(c.name) || '(no name)'}  ${c.state}${c.online ? '  online' : ''}  safety ${c.safetyCode}`)
        }
        return
      }
      case '/to':
        return this._pick(arg)
      case '/rooms': {
        const rooms = await api.call('listRooms')
        if (rooms.length === 0) return this._print('No rooms yet: /create NAME or /join ROOMKEY')
        for (const r of rooms) this._print(`  ${terminalSafe(r.name)} (${r.kind}, ${r.members} members${r.unread ? `, ${r.unread} unread` : ''})`)
        return
      }
      case '/create': {
        const r = await api.call('createRoom', { name: arg })
        this._to = r.room
        return this._print(`Room "${arg}" made; you are talking in it. Its room key (valid 7 days):\n  ${r.invite}`)
      }
      case '/join': {
        this._print('Asking the room to let you in ...')
        const r = await api.call('joinRoom', { invite: arg })
        this._to = r.room
        return this._print('Joined; you are talking in it.')
      }
      case '/invite': {
        if (this._to === null || /^\d+$/.test(this._to)) return this._print('Pick a room first: /to ROOM')
        const r = await api.call('createInvite', { room: this._to })
        return this._print(`Room key (valid 7 days):\n  ${r.invite}`)
      }
      case '/members': {
        if (this._to === null || /^\d+$/.test(this._to)) return this._print('Pick a room first: /to ROOM')
        const ms = await this._members(this._to)
        for (const m of ms) this._print(`  ${format(m.number)}  ${terminalSafe(m.name) || '(no name)'}  ${m.role}${m.online ? '  online' : ''}`)
        return
      }
      case '/history': {
        if (this._to === null) return this._print('Pick someone first: /to NUMBER')
        const limit = arg ? Number(arg) : 20
        const h = await api.call('history', { to: this._to, limit })
        if (!/^\d+$/.test(this._to)) await this._members(this._to)
        for (const m of h) this._print(`  [${new Date(m.time).toLocaleTimeString()}] ${this._who(m.from)}: ${body(m)}`)
        return
      }
      case '/name':
        await api.call('setProfile', { name: arg })
        return this._print(`Your name is now ${arg}.`)
      case '/phrase': {
        const { phrase } = await api.call('recoveryPhrase')
        return this._print(`Write these 24 words down and keep them safe; they restore your number:\n  ${phrase}`)
      }
      case '/contacts-only':
        await api.call('setContactsOnly', { enabled: arg === 'on' })
        return this._print(`Contacts-only mode ${arg === 'on' ? 'on: strangers cannot reach you' : 'off'}.`)
      default:
        return this._print(`Unknown command ${cmd}. /help lists them.`)
    }
  }

  private _listen(): void {
    const api = this._api
    api.on('contactRequest', (p) =>
      this._print(`Contact request from ${format(p.number)}${p.name ? ` (${terminalSafe(p.name)})` : ''}, safety code ${p.safetyCode}. /accept ${p.number} or /decline ${p.number}`)
    )
    api.on('contactAccepted', (p) => void this._learnContacts().then(() => this._print(`${this._who(p.number)} accepted your request.`)))
    api.on('message', (m) => {
      if (m.from !== this._me) void this._showMessage(m)
    })
    api.on('presence', (p) => this._print(`${this._who(p.number)} is ${p.online ? 'online' : 'offline'}.`))
    api.on('keyMismatch', (p) =>
      this._print(`WARNING: ${format(p.number)} answered with a different key than the one you trusted. Do not trust it until you compare safety codes in person.`)
    )
  }

  /** /to: a number, or a room or contact by name (rooms first); says who it picked. */
  private async _pick(arg: string): Promise<void> {
    const api = this._api
    if (arg === '') return this._print('Who? /to NUMBER or /to NAME')
    if (/^[\d -]+$/.test(arg)) {
      this._to = arg.replace(/[ -]/g, '')
      return this._print(`Talking to ${this._who(this._to)}.`)
    }
    const wanted = arg.toLowerCase()
    const rooms = await api.call('listRooms')
    const groups = rooms.filter((r) => r.kind === 'group')
    let found = groups.filter((r) => terminalSafe(r.name).toLowerCase() === wanted || r.room === arg)
    if (found.length === 0) found = groups.filter((r) => terminalSafe(r.name).toLowerCase().startsWith(wanted))
    if (found.length === 1) {
      this._to = found[0].room
      await this._members(this._to)
      return this._print(`Talking in ${terminalSafe(found[0].name)}${found[0].active ? '' : ' (you are no longer a member: read only)'}.`)
    }
    if (found.length > 1) return this._print(`Several rooms are called that: ${found.map((r) => terminalSafe(r.name)).join(', ')}. Type more of the name.`)
    await this._learnContacts()
    const people = [...this._names].filter(([, name]) => name.toLowerCase() === wanted)
    if (people.length === 1) {
      this._to = people[0][0]
      return this._print(`Talking to ${this._who(this._to)}.`)
    }
    if (people.length > 1) return this._print(`Several contacts are called that; use their number: ${people.map(([n]) => format(n)).join(', ')}`)
    return this._print(`No room or contact called "${terminalSafe(arg)}". /rooms and /contacts list them.`)
  }

  private async _showMessage(m: Notifications['message']): Promise<void> {
    if (!this._names.has(m.from)) {
      await this._learnContacts()
      if (!this._names.has(m.from)) await this._members(m.room).catch(() => [])
    }
    const rooms = await this._api.call('listRooms')
    const room = rooms.find((r) => r.room === m.room)
    const where = room && room.kind === 'group' && room.room !== this._to ? `[${terminalSafe(room.name)}] ` : ''
    this._print(`${where}${this._who(m.from)}: ${body({ ...m, deleted: false })}`)
  }

  private async _learnContacts(): Promise<void> {
    const list = await this._api.call('listContacts')
    for (const c of list) if (c.name) this._names.set(c.number, terminalSafe(c.name))
  }

  private async _members(room: string): Promise<MemberInfo[]> {
    const ms = await this._api.call('members', { room })
    for (const m of ms) if (m.name && !this._names.has(m.number)) this._names.set(m.number, terminalSafe(m.name))
    return ms
  }

  /** A person as shown: You, their name, or their number when they have none. */
  private _who(number: string): string {
    if (number === this._me) return 'You'
    return this._names.get(number) || format(number)
  }

  private _print(text: string): void {
    readline.clearLine(process.stdout, 0)
    readline.cursorTo(process.stdout, 0)
    process.stdout.write(text + '\n')
    this._rl.prompt(true)
  }
}

/** A message's text for the terminal: cleaned, continuation lines indented. */
function body(m: { text: string; deleted: boolean; file: { name: string } | null; call?: unknown }): string {
  if (m.deleted) return '(deleted)'
  if (m.call) return '(call)'
  if (m.file) return `[file] ${terminalSafe(m.file.name)}`
  return terminalSafe(m.text, INDENT)
}
