import test from 'brittle'
import { execFileSync } from 'child_process'
import path from 'path'
import { MAIN, SHORT_LOOKUP } from '../../harness/agent'
import { setup } from '../../harness/agent-net'


/** The number a profile directory will have, without starting it. */
function numberOf(storage: string): string {
  return execFileSync(process.execPath, [MAIN, 'id', '--storage', storage]).toString().trim().replace(/ /g, '')
}

test('adding someone who is offline: the request waits, keeps looking, and reaches them when they come online', async (t) => {
  const { start, dir } = await setup(t)
  const a = await start('a', SHORT_LOOKUP)
  const bNumber = numberOf(path.join(dir, 'b'))

  const added = await a.call('addContact', { number: bNumber })
  t.is(added.state, 'searching', 'B is offline: addContact says it is still searching')
  t.ok((await a.call('listContacts')).some((c) => c.number === bNumber && c.state === 'searching'), 'listContacts shows B as searching')
  t.ok(a.notifications.some((n) => n.method === 'contactSearch' && n.params.number === bNumber && n.params.state === 'searching'))

  const b = await start('b')
  t.is(b.number, bNumber)
  await b.waitFor('contactRequest', (p) => p.number === a.number, 60_000)
  t.pass('B got A\'s request once B came online, with nothing done by A')
  const found = await a.waitFor('contactSearch', (p) => p.number === bNumber && p.state === 'found')
  t.is(found.state, 'found', 'A was told the search found B')
  const list = await a.call('listContacts')
  t.alike(
    list.filter((c) => c.number === bNumber).map((c) => c.state),
    ['pending'],
    'B is listed once, as pending (no search left behind)'
  )
  await b.call('acceptContact', { number: a.number })
  await a.waitFor('contactAccepted', (p) => p.number === bNumber)
  t.pass('B accepted, and A heard it')
})

test('a search survives a restart, and can be cancelled', async (t) => {
  const { start, dir } = await setup(t)
  const a = await start('a', SHORT_LOOKUP)
  const missing = numberOf(path.join(dir, 'nobody'))
  t.is((await a.call('addContact', { number: missing })).state, 'searching')
  await a.stop()

  const again = await start('a', SHORT_LOOKUP)
  t.ok((await again.call('listContacts')).some((c) => c.number === missing && c.state === 'searching'), 'after a restart the search is still there')
  const cancelled = await again.call('cancelContact', { number: missing })
  t.ok(cancelled.cancelled, 'cancelContact stopped it')
  t.absent((await again.call('listContacts')).some((c) => c.number === missing), 'and it is gone from the list')
  t.absent((await again.call('cancelContact', { number: missing })).cancelled, 'cancelling twice says there was nothing to cancel')
})

test('a pending request can be withdrawn before it is accepted', async (t) => {
  const { start } = await setup(t)
  const a = await start('a')
  const b = await start('b')
  t.is((await a.call('addContact', { number: b.number })).state, 'pending')
  await b.waitFor('contactRequest', (p) => p.number === a.number)
  t.ok((await a.call('cancelContact', { number: b.number })).cancelled)
  t.absent((await a.call('listContacts')).some((c) => c.number === b.number), 'A no longer lists B')
  t.is((await a.call('listRooms')).length, 0, 'and the direct room was left')
})
