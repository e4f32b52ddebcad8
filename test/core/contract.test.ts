import test from 'brittle'
import fs from 'fs'
import path from 'path'
import { Api } from '../../lib/api/api'
import { HANDLERS } from '../../lib/api/handlers'
import { JsonRpcServer } from '../../lib/api/json-rpc'
import type { RpcMessage } from '../../lib/api/json-rpc'
import { ERROR_CODES, METHODS, NOTIFICATIONS } from '../../lib/contract'
import { ERROR_CODES as REEXPORTED, PeerlineError } from '../../lib/errors'

const ROOT = path.join(__dirname, '..', '..', '..')

test('the contract imports nothing', async (t) => {
  const source = fs.readFileSync(path.join(ROOT, 'lib', 'contract.ts'), 'utf8')
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '')
  t.absent(/^\s*import\b/m.test(code), 'no import statement')
  t.absent(/\brequire\s*\(/.test(code), 'no require')
  t.absent(/\bimport\s*\(/.test(code), 'no dynamic import')
  t.absent(/^\s*export\s+(\*|\{[^}]*\})\s+from\b/m.test(code), 'no re-export from another module')
})

test('every method in the contract has a handler, and every handler is in the contract', async (t) => {
  const methods = Object.keys(METHODS).sort()
  const handlers = Object.keys(HANDLERS).sort()
  t.alike(handlers, methods)
  for (const name of handlers) {
    const h = HANDLERS[name as keyof typeof HANDLERS]
    t.is(typeof h.params, 'function', `${name} checks its params`)
    t.is(typeof h.run, 'function', `${name} runs`)
  }
})

test('docs/api.md names every method and notification of the contract, and no other', async (t) => {
  const doc = fs.readFileSync(path.join(ROOT, 'docs', 'api.md'), 'utf8')
  const headings = doc.split('\n').filter((l) => l.startsWith('### ')).join('\n')
  for (const m of Object.keys(METHODS)) t.ok(headings.includes('`' + m + ' ') || headings.includes('`' + m + '`') || doc.includes('`' + m + '` ->'), `${m} is documented`)
  const table = doc.slice(doc.indexOf('## Notifications'))
  const rows = [...table.matchAll(/^\| `(\w+)` \|/gm)].map((r) => r[1])
  t.alike(rows.sort(), Object.keys(NOTIFICATIONS).sort(), 'the notification table is the contract\'s list')
})

test('error codes: the contract lists them and lib/errors re-exports the same list', async (t) => {
  t.ok(ERROR_CODES.includes('BAD_REQUEST'))
  t.is(REEXPORTED, ERROR_CODES)
})

/** Bad params, each with the param the error must name. */
const BAD: Array<[string, unknown, string | null]> = [
  ['send', { to: 5, text: 'hi' }, 'to'],
  ['send', { to: '123456789' }, 'text'],
  ['history', { to: 'room', limit: 'ten' }, 'limit'],
  ['history', { to: 'room', limit: 0 }, 'limit'],
  ['history', { to: 'room', limit: 1.5 }, 'limit'],
  ['setContactsOnly', { enabled: 'yes' }, 'enabled'],
  ['setRole', { room: 'r', number: '123456789', role: 'owner' }, 'role'],
  ['setTimer', { room: 'r', seconds: -1 }, 'seconds'],
  ['setBlocklist', { hashes: [1, 2] }, 'hashes'],
  ['setAlwaysOnPeers', { keys: 'abc' }, 'keys'],
  ['addContact', { number: '123456789', publicKey: 7 }, 'publicKey'],
  ['startCall', { to: '123456789', video: 'yes' }, 'video'],
  ['createInvite', { room: 'r', expires: -5 }, 'expires'],
  ['acceptContact', {}, 'number'],
  ['exportProfile', { passphrase: 12345678 }, 'passphrase'],
  ['exportProfile', { passphrase: 'long enough', files: 'yes' }, 'files'],
  ['importProfile', { passphrase: 'long enough' }, 'path'],
  ['exportReadable', { path: 7 }, 'path'],
  ['callSignal', { call: 'c', signal: { type: 'offer' } }, null],
  ['downloadFile', { file: '!!not z32!!' }, null],
  ['setAlwaysOnPeers', { keys: ['not a key'] }, null],
  ['send', [1, 2], null],
  ['send', 'text', null]
]

test('bad params get BAD_REQUEST naming the param, before anything runs', async (t) => {
  const api = new Api({ storage: await t.tmp() }) // never opened: nothing touches the disk or the network
  for (const [method, params, param] of BAD) {
    try {
      await api.call(method, params)
      t.fail(`${method} ${JSON.stringify(params)} was accepted`)
    } catch (err) {
      t.ok(err instanceof PeerlineError, `${method} ${JSON.stringify(params)}: a PeerlineError`)
      t.is((err as PeerlineError).code, 'BAD_REQUEST', `${method} ${JSON.stringify(params)}: BAD_REQUEST`)
      if (param !== null) t.is((err as PeerlineError).details?.param, param, `names "${param}"`)
    }
  }
  // Good params pass the checks and meet the core that has not started.
  try {
    await api.call('send', { to: '123456789', text: 'hi' })
  } catch (err) {
    t.is((err as PeerlineError).code, 'CLOSED', 'good params reach the core (still starting)')
  }
  await api.close()
})

test('over JSON-RPC a bad param is -32602 with data.code and data.param, and no stack trace', async (t) => {
  const api = new Api({ storage: await t.tmp() })
  const sent: RpcMessage[] = []
  const rpc = new JsonRpcServer(api, (m) => sent.push(m), () => {})
  await rpc.receive(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'history', params: { to: 'x', limit: 'ten' } }))
  await rpc.receive(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'noSuchMethod', params: {} }))
  rpc.detach()
  const [bad, unknown] = sent as Array<{ error: { code: number; message: string; data?: { code: string; param?: string } } }>
  t.is(bad.error.code, -32602)
  t.is(bad.error.data?.code, 'BAD_REQUEST')
  t.is(bad.error.data?.param, 'limit')
  t.is(bad.error.message, '"limit" must be an integer')
  t.absent(/\n\s+at /.test(JSON.stringify(sent)), 'no stack trace')
  t.is(unknown.error.code, -32601)
  await api.close()
})
