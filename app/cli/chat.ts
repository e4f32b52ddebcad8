import readline from 'readline'
import type { Api, NotificationName, Notifications } from '../../lib/api/api'
import type { ContactInfo } from '../../lib/contacts/contacts'
import { isPeerlineError } from '../../lib/errors'
import { Identity } from '../../lib/identity/identity'

const HELP = `Commands:
  /add NUMBER        add a contact by number (123 456 789)
  /accept NUMBER     accept a contact request      /decline NUMBER
  /contacts          your contacts and requests
  /to NUMBER|ROOM    talk to this contact or room; plain lines are sent there
  /rooms             your rooms         /create NAME   a new group room (prints its room key)
  /join ROOMKEY      join a room        /invite        a new room key for the current room
  /members           who is in the current room
  /history [N]       the last N messages with them (default 20)
  /name NAME         your display name              /phrase   your recovery phrase
  /contacts-only on|off                             /quit`

/** A terminal messenger over the Api: what a person runs when they type `peerline`. */
export class TerminalChat {
  private readonly _api: Api
  private readonly _rl: readline.Interface
  private _to: string | null = null

  private readonly _storage: string

  constructor(api: Api, storage: string) {
    this._api = api
    this._storage = storage
    this._rl = readline.createInterface({ input: process.stdin, output: process.stdout, prompt: '> ' })
  }

  async run(): Promise<void> {
    const api = this._api
    api.on('notification', (name, params) => this._onnotification(name, params))
    // Say who you are at once; joining the DHT can take seconds (or longer, offline).
    const early = await Identity.open(this._storage, api.core.scheme)
    const format = (n: string): string => api.core.scheme.format(n)
    this._print(`Peerline. Your number is ${format(early.number)}. Connecting ...`)
    await api.ready()
    const me = await api.whoami()
    this._print(`Ready${me.name ? `, ${me.name}` : ''}. /help for commands.`)
    this._rl.prompt()
    this._rl.on('line', (line) => {
      this._command(line.trim())
        .catch((err: unknown) => this._print(isPeerlineError(err) ? err.message : `error: ${(err as Error).message}`))
        .finally(() => this._rl.prompt())
    })
    await new Promise<void>((resolve) => this._rl.once('close', resolve))
  }

  private async _command(line: string): Promise<void> {
    if (line === '') return
    const api = this._api
    const format = (n: string): string => api.core.scheme.format(n)
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
        const r = (await api.call('addContact', { number: arg })) as ContactInfo | { state: 'choose'; candidates: Array<{ publicKey: string; safetyCode: string }> }
        if (r.state === 'choose') {
          this._print('Two different keys answer on that number. Compare safety codes with the person, then /add NUMBER again once you know which:')
          for (const c of r.candidates) this._print(`  key ${c.publicKey.slice(0, 16)}…  safety code ${c.safetyCode}`)
          return
        }
        this._to = r.number
        return this._print(`${format(r.number)} found. Safety code: ${r.safetyCode}. ${r.state === 'accepted' ? 'Already a contact.' : 'Request sent; waiting for them to accept.'}`)
      }
      case '/accept': {
        const r = (await api.call('acceptContact', { number: arg })) as ContactInfo
        this._to = r.number
        return this._print(`Accepted ${format(r.number)}. You are now talking to them.`)
      }
      case '/decline':
        await api.call('declineContact', { number: arg })
        return this._print('Declined.')
      case '/contacts': {
        const list = (await api.call('listContacts', {})) as ContactInfo[]
        if (list.length === 0) return this._print('No contacts yet: /add NUMBER')
        for (const c of list) {
          this._print(`  ${format(c.number)}  ${c.name || '(no name)'}  ${c.state}${c.online ? '  online' : ''}  safety ${c.safetyCode}`)
        }
        return
      }
      case '/to':
        this._to = /^[\d -]+$/.test(arg) ? api.core.scheme.parse(arg) : arg
        return this._print(`Talking to ${/^\d+$/.test(this._to) ? format(this._to) : 'room ' + this._to}.`)
      case '/rooms': {
        const rooms = (await api.call('listRooms', {})) as Array<{ room: string; name: string; kind: string; members: number; unread: number }>
        if (rooms.length === 0) return this._print('No rooms yet: /create NAME or /join ROOMKEY')
        for (const r of rooms) this._print(`  ${r.name} (${r.kind}, ${r.members} members${r.unread ? `, ${r.unread} unread` : ''})  /to ${r.room}`)
        return
      }
      case '/create': {
        const r = (await api.call('createRoom', { name: arg })) as { room: string; invite: string }
        this._to = r.room
        return this._print(`Room "${arg}" made; you are talking in it. Its room key (valid 7 days):\n  ${r.invite}`)
      }
      case '/join': {
        this._print('Asking the room to let you in ...')
        const r = (await api.call('joinRoom', { invite: arg })) as { room: string }
        this._to = r.room
        return this._print('Joined; you are talking in it.')
      }
      case '/invite': {
        if (this._to === null || /^\d+$/.test(this._to)) return this._print('Pick a room first: /to ROOM')
        const r = (await api.call('createInvite', { room: this._to })) as { invite: string }
        return this._print(`Room key (valid 7 days):\n  ${r.invite}`)
      }
      case '/members': {
        if (this._to === null || /^\d+$/.test(this._to)) return this._print('Pick a room first: /to ROOM')
        const ms = (await api.call('members', { room: this._to })) as Array<{ number: string; name: string; role: string; online: boolean }>
        for (const m of ms) this._print(`  ${format(m.number)}  ${m.name || '(no name)'}  ${m.role}${m.online ? '  online' : ''}`)
        return
      }
      case '/history': {
        if (this._to === null) return this._print('Pick someone first: /to NUMBER')
        const limit = arg ? Number(arg) : 20
        const h = (await api.call('history', { to: this._to, limit })) as Array<{ from: string; text: string; time: number }>
        for (const m of h) this._print(`  [${new Date(m.time).toLocaleTimeString()}] ${format(m.from)}: ${m.text}`)
        return
      }
      case '/name':
        await api.call('setProfile', { name: arg })
        return this._print(`Your name is now ${arg}.`)
      case '/phrase': {
        const { phrase } = (await api.call('recoveryPhrase', {})) as { phrase: string }
        return this._print(`Write these 24 words down and keep them safe; they restore your number:\n  ${phrase}`)
      }
      case '/contacts-only':
        await api.call('setContactsOnly', { enabled: arg === 'on' })
        return this._print(`Contacts-only mode ${arg === 'on' ? 'on: strangers cannot reach you' : 'off'}.`)
      default:
        return this._print(`Unknown command ${cmd}. /help lists them.`)
    }
  }

  private _onnotification(name: NotificationName, params: Notifications[NotificationName]): void {
    const format = (n: string): string => this._api.core.scheme.format(n)
    if (name === 'contactRequest') {
      const p = params as Notifications['contactRequest']
      this._print(`Contact request from ${format(p.number)}${p.name ? ` (${p.name})` : ''}, safety code ${p.safetyCode}. /accept ${p.number} or /decline ${p.number}`)
    } else if (name === 'contactAccepted') {
      this._print(`${format((params as Notifications['contactAccepted']).number)} accepted your request.`)
    } else if (name === 'message') {
      const m = params as Notifications['message']
      if (m.from !== this._api.core.identity.number) this._print(`${format(m.from)}: ${m.text}`)
    } else if (name === 'presence') {
      const p = params as Notifications['presence']
      this._print(`${format(p.number)} is ${p.online ? 'online' : 'offline'}.`)
    } else if (name === 'keyMismatch') {
      const p = params as Notifications['keyMismatch']
      this._print(`WARNING: ${format(p.number)} answered with a different key than the one you trusted. Do not trust it until you compare safety codes in person.`)
    }
  }

  private _print(text: string): void {
    readline.clearLine(process.stdout, 0)
    readline.cursorTo(process.stdout, 0)
    process.stdout.write(text + '\n')
    this._rl.prompt(true)
  }
}
