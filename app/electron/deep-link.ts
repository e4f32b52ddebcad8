// peerline:// links, as the OS hands them to the app (argv on Linux and Windows, open-url on
// macOS). A link only proposes: the renderer asks the person before adding or joining anything,
// since any web page can open one.
//
//   peerline://123456789  or  peerline://number/123-456-789   a number to add as a contact
//   peerline://room/<room key>                                 a room key (z32) to join

export const SCHEME = 'peerline'

export type DeepLink = { kind: 'number'; number: string } | { kind: 'room'; invite: string }

/** Room keys are z32 blind-pairing invites: about a hundred characters; far longer is not one. */
const MAX_ROOM_KEY = 512
const Z32 = /^[ybndrfg8ejkmcpqxot1uwisza345h769]+$/

/** The link a command line carries, if any (the OS appends it to argv). */
export function deepLinkArg(argv: readonly string[]): string | null {
  return argv.find((a) => a.toLowerCase().startsWith(SCHEME + '://')) ?? null
}

/** What a peerline:// link asks for, or null for anything else. */
export function parseDeepLink(text: string): DeepLink | null {
  if (typeof text !== 'string' || text.length > MAX_ROOM_KEY + 64) return null
  const m = /^peerline:\/\/(.*)$/i.exec(text.trim())
  if (!m) return null
  let rest: string
  try {
    rest = decodeURIComponent(m[1]!).replace(/[?#].*$/, '').replace(/\/+$/, '')
  } catch {
    return null
  }
  const slash = rest.indexOf('/')
  const head = slash === -1 ? '' : rest.slice(0, slash).toLowerCase()
  const value = slash === -1 ? rest : rest.slice(slash + 1)
  if (head === 'room' || head === 'join') {
    return Z32.test(value) && value.length <= MAX_ROOM_KEY ? { kind: 'room', invite: value } : null
  }
  if (head !== '' && head !== 'number') return null
  const digits = value.replace(/[\s.-]/g, '')
  return /^\d{9}$/.test(digits) ? { kind: 'number', number: digits } : null
}
