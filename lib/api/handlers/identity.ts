import b4a from 'b4a'
import z32 from 'z32'
import type { Me, Settings } from '../../contract'
import { PeerlineError } from '../../errors'
import { MAX_NAME_LENGTH } from '../../wire/schemas'
import { bool, done, str } from '../params'
import type { RawParams } from '../params'
import { none } from './handler'
import type { HandlerContext, HandlerTable } from './handler'

/** Who we are, our settings and the network: the profile's own methods. */
export const identityHandlers: HandlerTable<'identity'> = {
  whoami: { params: none, run: whoami },
  setProfile: { params: (p) => ({ name: profileName(p) }), run: async ({ core }, p) => done(await core.book.setSettings({ name: p.name.trim() })) },
  settings: { params: none, run: ({ core }) => settings(core.book.settings) },
  setContactsOnly: { params: (p) => ({ enabled: bool(p, 'enabled') }), run: async ({ core }, p) => done(await core.book.setSettings({ contactsOnly: p.enabled })) },
  setReadReceipts: { params: (p) => ({ enabled: bool(p, 'enabled') }), run: async ({ core }, p) => done(await core.book.setSettings({ readReceipts: p.enabled })) },
  recoveryPhrase: { params: none, run: ({ core }) => ({ phrase: core.identity.phrase }) },
  restoreIdentity: { params: (p) => ({ phrase: str(p, 'phrase') }), run: (ctx, p) => ctx.restoreIdentity(p.phrase) },
  setAlwaysOnPeers: { params: (p) => ({ keys: keyList(p, 'keys').map((k) => b4a.toString(k, 'hex')) }), run: setAlwaysOnPeers },
  networkStatus: { params: none, run: ({ core }) => core.network.status() }
}

export function whoami({ core }: HandlerContext): Me {
  return { number: core.identity.number, publicKey: b4a.toString(core.identity.publicKey, 'hex'), name: core.book.settings.name }
}

function settings(s: { name: string; contactsOnly: boolean; alwaysOn: Buffer[]; readReceipts: boolean }): Settings {
  return { name: s.name, contactsOnly: s.contactsOnly, alwaysOnPeers: s.alwaysOn.map((k) => b4a.toString(k, 'hex')), readReceipts: s.readReceipts }
}

/** Always-on peers (`peerline serve` keys) that keep our rooms available while we are away. */
async function setAlwaysOnPeers({ core }: HandlerContext, p: { keys: string[] }): Promise<Record<string, never>> {
  const keys = p.keys.map((k) => b4a.from(k, 'hex'))
  await core.book.setSettings({ alwaysOn: keys })
  await core.alwaysOn.configure(keys)
  return {}
}

function profileName(p: RawParams): string {
  const name = str(p, 'name', true)
  if (name.length > MAX_NAME_LENGTH) throw PeerlineError.BAD_REQUEST(`name is over ${MAX_NAME_LENGTH} characters`)
  return name
}

/** Keys as 64 hex characters or z32, each 32 bytes. */
function keyList(p: RawParams, key: string): Buffer[] {
  const v = p[key]
  if (!Array.isArray(v)) throw PeerlineError.INVALID_PARAM(key, 'a list of keys')
  return v.map((k) => {
    const text = typeof k === 'string' ? k.trim() : ''
    try {
      const buf = /^[0-9a-f]{64}$/i.test(text) ? b4a.from(text, 'hex') : z32.decode(text)
      if (buf.byteLength === 32) return buf
    } catch {}
    throw PeerlineError.BAD_REQUEST(`"${String(k)}" is not a key (64 hex characters or z32)`)
  })
}
