import test from 'brittle'
import b4a from 'b4a'
import Corestore from 'corestore'
import { ContactBook } from '../../lib/contacts/contact-book'
import type { ContactRecord } from '../../lib/wire/schemas'
import { coreNet, errorCode } from '../../harness/core-api'
import { eventually } from '../../harness/eventually'

type Info = { number: string; state: string; room: string | null; messageRequest: boolean }
type Requests = { requests: Info[]; messageRequests: Info[] }

const DAY = 24 * 3600 * 1000

function incoming(n: number, added: number): ContactRecord {
  const key = b4a.alloc(32, n)
  return { publicKey: key, number: String(100000000 + n), name: '', state: 'incoming', roomKey: key, roomEncryptionKey: key, acceptPending: false, added }
}

test('pending requests expire, and over the cap the oldest makes room (a real ContactBook)', async (t) => {
  const store = new Corestore(await t.tmp())
  t.teardown(() => store.close())
  const book = new ContactBook(store.get({ name: 'book' }))
  await book.ready()
  const now = 100 * DAY
  await book.put(incoming(1, now - 40 * DAY)) // older than 30 days
  await book.put(incoming(2, now - 3 * DAY))
  await book.put(incoming(3, now - 2 * DAY))
  await book.put({ ...incoming(4, now - 90 * DAY), state: 'accepted' }) // not a request: kept
  const dropped = await book.prunePending({ now, ttl: 30 * DAY, max: 2, room: 1 })
  t.alike(dropped.map((r) => r.number).sort(), ['100000001', '100000002'], 'the expired one, and the oldest to make room for one more')
  t.alike(book.all().map((r) => r.number).sort(), ['100000003', '100000004'])
  await book.close()
  const again = new ContactBook(store.get({ name: 'book' }))
  await again.ready()
  t.is(again.all().length, 2, 'removed for good')
  await again.close()
})

test('a re-request from an accepted contact keeps them accepted, in the same room', async (t) => {
  const { start } = await coreNet(t)
  const a = await start('a')
  const b = await start('b')
  const aNumber = (await a.api.request('whoami')).number
  const bNumber = (await b.api.request('whoami')).number
  await a.api.request('addContact', { number: bNumber })
  await b.next('contactRequest')
  await b.api.request('acceptContact', { number: aNumber })
  await a.next('contactAccepted', (p) => p.number === bNumber)
  const before = ((await b.api.request('listContacts')) as Info[])[0]
  t.is(before.state, 'accepted')

  // A loses its contact list and adds B again: a request with a brand-new room.
  await a.api.core.book.remove(a.api.core.book.byNumber(bNumber)[0].publicKey)
  await a.api.request('addContact', { number: bNumber })
  await eventually(async () => b.logs.some((l) => l.includes('already a contact')), (v) => v, 20_000)
  const after = ((await b.api.request('listContacts')) as Info[])[0]
  t.is(after.state, 'accepted', 'still accepted, not "incoming"')
  t.is(after.room, before.room, 'the same room')
  t.is(b.notes.filter((n) => n.name === 'contactRequest').length, 1, 'no second request shown')
})

// Six cores and four number searches: 20-26 s on 2 loaded cores, past brittle's default 30 s budget.
test('requests: strangers are message requests, the oldest gives way over the cap; a blocked number gets no connection', { timeout: 120_000 }, async (t) => {
  const { start } = await coreNet(t)
  const b = await start('b', { maxRequests: 2 })
  const bNumber = (await b.api.request('whoami')).number
  const strangers = [await start('s1'), await start('s2'), await start('s3')]
  const numbers: string[] = []
  for (const s of strangers) {
    const n = (await s.api.request('whoami')).number
    numbers.push(n)
    await s.api.request('addContact', { number: bNumber })
    const note = await b.next('contactRequest', (p) => p.number === n)
    t.is(note.messageRequest, true, 'a stranger: a message request')
  }
  const listed = (await b.api.request('listRequests', {})) as Requests
  t.alike(listed.messageRequests.map((r) => r.number).sort(), numbers.slice(1).sort(), 'the two newest are kept')
  t.is(listed.requests.length, 0)
  t.ok(b.logs.some((l) => l.includes('dropped the oldest request')), 'said so')

  // A member of a room B is in is not a stranger.
  const c = await start('c')
  const cNumber = (await c.api.request('whoami')).number
  const { invite } = (await b.api.request('createRoom', { name: 'Street' })) as { invite: string }
  await c.api.request('joinRoom', { invite })
  await c.api.request('addContact', { number: bNumber })
  const fromC = await b.next('contactRequest', (p) => p.number === cNumber)
  t.is(fromC.messageRequest, false, 'someone B shares a room with: a plain request')
  const split = (await b.api.request('listRequests', {})) as Requests
  t.alike(split.requests.map((r) => r.number), [cNumber])
  t.alike(split.messageRequests.map((r) => r.number), [numbers[2]], 'kept apart; and C took the place of the older stranger')

  // Block the newest stranger: it loses its connection and cannot get a new one.
  const s2 = strangers[2]
  t.is(await errorCode(b.api.request('blockContact', { number: '000000000' })), 'NOT_A_CONTACT', 'only a number B has met')
  await b.api.request('blockContact', { number: numbers[2] })
  const blocked = (await b.api.request('listBlocked', {})) as Array<{ number: string; publicKey: string }>
  t.alike(blocked.map((x) => x.number), [numbers[2]])
  t.absent((await b.api.request('listContacts')).some((x) => x.number === numbers[2]), 'moved out of the contacts and requests')
  const s2Key = b4a.from(blocked[0].publicKey, 'hex')
  await eventually(async () => b.api.core.contacts.isOnline(s2Key), (online) => !online, 20_000)
  t.absent(b.api.core.contacts.isOnline(s2Key), 'disconnected')
  t.ok(b.api.core.contacts.firewall(s2Key), 'the swarm firewall refuses the key')
  const bKey = b.api.core.identity.publicKey
  await eventually(async () => s2.api.core.contacts.isOnline(bKey), (online) => !online, 20_000)
  const again = (await s2.api.request('addContact', { number: bNumber })) as { state: string }
  t.is(again.state, 'searching', 'no connection for the blocked key, so B is not found (it keeps searching)')
  t.ok(b.logs.some((l) => l.includes('blocked: refused')), 'refused before connecting')

  await b.api.request('unblockContact', { number: numbers[2] })
  t.alike(await b.api.request('listBlocked', {}), [])
  t.absent(b.api.core.contacts.firewall(s2Key), 'let in again')
  await s2.api.request('addContact', { number: bNumber })
  await eventually(async () => b.api.core.contacts.isOnline(s2Key), (online) => online, 20_000)
  t.ok(b.api.core.contacts.isOnline(s2Key), 'connects again')
})
