import test from 'brittle'
import { befriend, setup } from '../../harness/agent-net'
import { eventually } from '../../harness/eventually'

test('two agents: number, add, request with safety code, accept, chat both ways', async (t) => {
  const { start } = await setup(t)
  const a = await start('a')
  const b = await start('b')
  t.ok(/^\d{9}$/.test(a.number) && /^\d{9}$/.test(b.number), `numbers ${a.number} ${b.number}`)
  t.alike(await a.call('whoami'), { number: a.number, publicKey: a.publicKey, name: '' })
  await a.call('setProfile', { name: 'Ana' })

  const added = await a.call('addContact', { number: b.number.replace(/(\d{3})(?=\d)/g, '$1-') })
  if (added.state !== 'pending') return t.fail('added: ' + added.state)
  t.is(added.publicKey, b.publicKey)
  const req = await b.waitFor('contactRequest', (p) => p.number === a.number)
  t.is(req.name, 'Ana')
  t.is(req.publicKey, a.publicKey)
  t.is(req.safetyCode, added.safetyCode)
  t.ok(/^\d{5} \d{5} \d{5} \d{5}$/.test(req.safetyCode as string))

  const before = await b.call('listContacts')
  t.is(before[0].state, 'incoming')
  await b.call('acceptContact', { number: a.number })
  await a.waitFor('contactAccepted', (p) => p.number === b.number)

  const sent = await a.call('send', { to: b.number, text: 'hello B' })
  const got = await b.waitFor('message', (p) => p.id === sent.id)
  t.is(got.text, 'hello B')
  t.is(got.from, a.number)
  t.is(got.room, sent.room)
  t.ok(typeof got.time === 'number' && Math.abs((got.time as number) - Date.now()) < 60_000)

  const reply = await b.call('send', { to: a.number, text: 'hello A' })
  const back = await a.waitFor('message', (p) => p.id === reply.id)
  t.is(back.from, b.number)

  // The notification may come from the live copy; history follows once the durable op applies.
  const history = await eventually(() => b.call('history', { to: a.number }), (h) => h.length === 2)
  t.alike(history.map((h) => h.text), ['hello B', 'hello A'])
  t.alike(Object.keys(history[0]).sort(), ['call', 'deleted', 'delivered', 'edited', 'expires', 'file', 'from', 'id', 'name', 'quote', 'reactions', 'read', 'replyTo', 'seq', 'text', 'time'])
  const list = await a.call('listContacts')
  t.is(list.length, 1)
  t.is(list[0].state, 'accepted')
  t.is(list[0].online, true)
})

test('history survives restarts; a message sent while the other is offline arrives later', async (t) => {
  const { start } = await setup(t)
  const a = await start('a')
  let b = await start('b')
  await befriend(a, b)
  await a.call('send', { to: b.number, text: 'before restart' })
  await b.waitFor('message', (p) => p.text === 'before restart')

  t.is(await b.stop(), 0, 'B exits cleanly on SIGTERM')
  await a.waitFor('presence', (p) => p.number === b.number && p.online === false)
  const offline = await a.call('send', { to: b.number, text: 'sent while you were away' })

  b = await start('b')
  const got = await b.waitFor('message', (p) => p.id === offline.id, 30_000)
  t.is(got.text, 'sent while you were away')
  const history = await b.call('history', { to: a.number })
  t.alike(history.map((h) => h.text), ['before restart', 'sent while you were away'])
  await a.waitFor('presence', (p) => p.number === b.number && p.online === true)

  t.is(await a.stop(), 0)
  const a2 = await start('a')
  const historyA = await a2.call('history', { to: b.number })
  t.alike(historyA.map((h) => h.text), ['before restart', 'sent while you were away'], 'A keeps history across its restart')
  const contacts = await a2.call('listContacts')
  t.is(contacts[0].state, 'accepted')
})

