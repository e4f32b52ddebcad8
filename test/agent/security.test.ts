import test from 'brittle'
import b4a from 'b4a'
import c from 'compact-encoding'
import crypto from 'hypercore-crypto'
import { execFileSync } from 'child_process'
import path from 'path'
import Hyperswarm from 'hyperswarm'
import HyperDHT from 'hyperdht'
import Protomux from 'protomux'
import type NoiseSecretStream from '@hyperswarm/secret-stream'
import { NumberScheme, INSECURE_TEST_PARAMS } from '../../lib/identity/number-scheme'
import { keyPairFromSeed } from '../../lib/identity/identity'
import { seedToPhrase } from '../../lib/identity/recovery-phrase'
import * as schema from '../../lib/wire/schemas'
import { MAIN, RpcError, SHORT_LOOKUP } from '../../harness/agent'
import type { AgentProcess } from '../../harness/agent'
import { befriend, setup } from '../../harness/agent-net'

const INSECURE = { PEERLINE_INSECURE_TEST_NUMBERS: '1' }

type T = Parameters<Parameters<typeof test>[1]>[0]

async function rpcError(p: Promise<unknown>): Promise<RpcError> {
  try {
    await p
  } catch (err) {
    if (err instanceof RpcError) return err
    throw err
  }
  throw new Error('expected an error')
}

test('agent answers bad JSON-RPC input with errors and keeps running', async (t) => {
  const { start } = await setup(t)
  const a = await start('a', SHORT_LOOKUP)
  a.writeLine('{ this is not json')
  a.writeLine('[]')
  a.writeLine('{"jsonrpc":"2.0","id":7}')
  await new Promise((r) => setTimeout(r, 300))
  const errors = a.raw.filter((m) => m.error) as Array<{ id: unknown; error: { code: number } }>
  t.alike(errors.map((e) => e.error.code), [-32700, -32600, -32600])
  t.is(errors[0].id, null)

  t.is((await rpcError(a.callRaw('noSuchMethod'))).code, -32601)
  const bad = await rpcError(a.callRaw('send', { to: 5 }))
  t.is(bad.code, -32602)
  t.is(bad.data?.code, 'BAD_REQUEST')
  t.is((await rpcError(a.call('addContact', { number: '12-34' }))).data?.code, 'NUMBER_INVALID')
  t.is((await rpcError(a.call('addContact', { number: a.number }))).data?.code, 'NUMBER_IS_YOURS')
  t.is((await rpcError(a.call('send', { to: '123 456 789', text: 'x' }))).data?.code, 'NOT_A_CONTACT')
  t.is((await rpcError(a.call('acceptContact', { number: '123456789' }))).data?.code, 'NOT_A_CONTACT')
  // Nobody on that number: not an error, a search that goes on in the background.
  const notFound = await a.call('addContact', { number: '000 000 001' })
  t.is(notFound.state, 'searching', 'an unanswered number is searched for, not refused')
  t.is(((await a.call('whoami')) as { number: string }).number, a.number, 'still alive')
  a.proc.kill('SIGINT')
  t.is(await a.exited, 0, 'SIGINT closes it cleanly')
})

/** A real Hyperswarm peer on a number's topic that opens our hello channel with `hello` bytes. */
async function forger(t: T, bootstrap: string, number: string, hello: Buffer): Promise<{ reached: () => number }> {
  const dht = new HyperDHT({ bootstrap: bootstrap.split(',').map(hostPort), host: '127.0.0.1', firewalled: false })
  const swarm = new Hyperswarm({ dht })
  t.teardown(() => swarm.destroy())
  let reached = 0
  swarm.on('connection', (conn: NoiseSecretStream) => {
    conn.on('error', () => {})
    const ch = Protomux.from(conn).createChannel({ protocol: schema.HELLO_PROTOCOL, handshake: c.raw })
    ch?.open(hello)
    reached++
  })
  await swarm.join(new NumberScheme().topic(number), { server: true, client: false }).flushed()
  return { reached: () => reached }
}

test('peers on someone\'s topic with a key that does not derive to the number, or with junk, are dropped', async (t) => {
  const { start, bootstrap } = await setup(t)
  const a = await start('a', SHORT_LOOKUP)
  const victim = execFileSync(process.execPath, [MAIN, 'id', '--storage', path.join(await t.tmp(), 'v')]).toString().trim()
  const number = victim.replace(/ /g, '')

  const liar = await forger(t, bootstrap, number, c.encode(schema.hello, { number, name: 'Not really', version: schema.PROTOCOL_VERSION }))
  const junk = await forger(t, bootstrap, number, b4a.from([0xff, 0xff, 0xff, 0xff, 0x01, 0x02]))
  const huge = await forger(t, bootstrap, number, c.encode(schema.hello, { number, name: 'x'.repeat(5000), version: schema.PROTOCOL_VERSION }))

  const added = await a.call('addContact', { number: victim })
  t.is(added.state, 'searching', 'no forger is accepted as ' + victim + ': A goes on searching')
  t.ok(liar.reached() > 0 && junk.reached() > 0 && huge.reached() > 0, 'every forger was reached')
  t.ok(a.logs.some((l) => /which its key does not derive to/.test(l)), 'the liar was dropped with a reason')
  t.ok(a.logs.some((l) => /undecodable frame/.test(l)), 'the junk hello was dropped with a reason')
  t.ok(a.logs.some((l) => /over the 1024-byte limit/.test(l)), 'the oversized hello was dropped with a reason')
  t.is(a.notifications.filter((n) => n.method === 'contactRequest').length, 0)
  t.is(((await a.call('whoami')) as { number: string }).number, a.number, 'A is still running')
})

test('a declined request tells the requester and stays declined', async (t) => {
  const { start } = await setup(t)
  const a = await start('a')
  const b = await start('b')
  await a.call('addContact', { number: b.number })
  await b.waitFor('contactRequest', (p) => p.number === a.number)
  const declined = await b.call('declineContact', { number: a.number })
  t.is(declined.state, 'declined')
  await a.waitFor('contactDeclined', (p) => p.number === b.number)
  const list = await a.call('listContacts')
  t.is(list[0].state, 'declined')
  t.is((await rpcError(a.call('send', { to: b.number, text: 'hello?' }))).data?.code, 'NOT_A_CONTACT')
  t.is((await rpcError(b.call('acceptContact', { number: a.number }))).data?.code, 'NOT_A_CONTACT', 'nothing left to accept')
})

test('contacts-only mode: a stranger cannot reach you, contacts still can', async (t) => {
  const { start } = await setup(t)
  const b = await start('b')
  const friend = await start('friend')
  await befriend(friend, b)
  await b.call('setContactsOnly', { enabled: true })

  const stranger = await start('stranger', SHORT_LOOKUP)
  const added = await stranger.call('addContact', { number: b.number })
  t.is(added.state, 'searching', 'the stranger is refused before connecting: to them B looks offline')
  t.ok(b.logs.some((l) => l.includes('contacts-only: refused ' + stranger.publicKey.slice(0, 8))), 'B\'s firewall refused the stranger')
  t.absent(stranger.logs.some((l) => l.includes('connected to ' + b.publicKey.slice(0, 8))), 'no connection was made')
  t.is(b.notifications.filter((n) => n.method === 'contactRequest' && n.params.number === stranger.number).length, 0, 'B saw no request from the stranger')

  const sent = await friend.call('send', { to: b.number, text: 'still reachable' })
  await b.waitFor('message', (p) => p.id === sent.id)
  t.pass('an accepted contact still gets through')
})

/** Two seeds whose keys share a (cheap, three-digit) number. */
async function collidingSeeds(): Promise<[Buffer, Buffer, string]> {
  const scheme = new NumberScheme(INSECURE_TEST_PARAMS)
  const seen = new Map<string, Buffer>()
  for (;;) {
    const seed = crypto.randomBytes(32)
    const n = await scheme.derive(keyPairFromSeed(seed).publicKey)
    const other = seen.get(n)
    if (other) return [other, seed, n]
    seen.set(n, seed)
  }
}

async function startRestored(start: (n: string, e?: Record<string, string>) => Promise<AgentProcess>, dir: string, name: string, seed: Buffer) {
  execFileSync(process.execPath, [MAIN, 'restore', '--storage', path.join(dir, name)], { input: seedToPhrase(seed), env: { ...process.env, ...INSECURE } })
  return start(name, INSECURE)
}

test('pinning: a different key on a pinned number is KEY_MISMATCH; two keys on a new number are both offered', async (t) => {
  const { start, dir } = await setup(t)
  const [seed1, seed2, number] = await collidingSeeds()
  const a = await start('a', INSECURE)
  const b1 = await startRestored(start, dir, 'b1', seed1)
  t.is(b1.number, number)
  await befriend(a, b1)
  await b1.stop()

  const b2 = await startRestored(start, dir, 'b2', seed2)
  t.is(b2.number, number, 'same number, different key')
  t.not(b2.publicKey, b1.publicKey)
  const err = await rpcError(a.call('addContact', { number }))
  t.is(err.data?.code, 'KEY_MISMATCH')
  t.is(err.data?.pinnedKey, b1.publicKey)
  t.is(err.data?.foundKey, b2.publicKey)
  const note = await a.waitFor('keyMismatch', (p) => p.number === number)
  t.is(note.foundKey, b2.publicKey)
  t.is(b2.notifications.filter((n) => n.method === 'contactRequest').length, 0, 'no request went to the impostor')
  const contacts = await a.call('listContacts')
  t.is(contacts[0].publicKey, b1.publicKey, 'the pin is unchanged')

  // A newcomer who has pinned nobody sees both keys and chooses.
  const b1again = await start('b1', INSECURE)
  const c2 = await start('c', INSECURE)
  const choice = await c2.call('addContact', { number })
  if (choice.state !== 'choose') return t.fail('no choice: ' + choice.state)
  t.alike(choice.candidates.map((x) => x.publicKey).sort(), [b1again.publicKey, b2.publicKey].sort())
  t.ok(choice.candidates.every((x) => /^\d{5}( \d{5}){3}$/.test(x.safetyCode)))
  const chosen = await c2.call('addContact', { number, publicKey: b1again.publicKey })
  t.is(chosen.state, 'pending')
  await b1again.waitFor('contactRequest', (p) => p.number === c2.number)
  t.is(b2.notifications.filter((n) => n.method === 'contactRequest').length, 0)
})

function hostPort(s: string): { host: string; port: number } {
  const [host, port] = s.split(':')
  return { host, port: Number(port) }
}
