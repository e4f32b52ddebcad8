import test from 'brittle'
import fs from 'fs'
import path from 'path'
import type { AgentProcess } from '../helpers/agent'
import { befriend, setup } from '../helpers/agent-net'
import { eventually } from '../helpers/eventually'

interface Entry {
  id: string
  text: string
  edited: boolean
  deleted: boolean
  reactions: Record<string, string>
  file: { id: string; name: string } | null
  call: { outcome: string } | null
}

/** What a reader sees of a chat: ids, texts, edits, reactions, files and calls, in order. */
const shape = (h: Entry[]): string[] =>
  h.map((e) => [e.id, e.text, e.edited, e.deleted, JSON.stringify(e.reactions), e.file?.name ?? '', e.call?.outcome ?? ''].join('|'))

async function callAndHangUp(caller: AgentProcess, callee: AgentProcess): Promise<void> {
  const { call } = await caller.call('startCall', { to: callee.number, video: false })
  await callee.waitFor('callIncoming', (p) => p.call === call)
  await callee.call('answerCall', { call })
  await caller.call('hangUp', { call })
  await callee.waitFor('callState', (p) => p.call === call && p.state === 'ended')
}

test('a chat keeps all its history (edits, files, reactions, calls) while the contact is offline and after they return', { timeout: 180_000 }, async (t) => {
  const { start, dir } = await setup(t)
  const a = await start('a')
  let b = await start('b')
  await befriend(a, b)

  const texts: string[] = []
  const first = await a.call('send', { to: b.number, text: 'hi Bob' })
  texts.push(first.id)
  await b.waitFor('message', (p) => p.id === first.id)
  const reply = await b.call('send', { to: a.number, text: 'hi Alice' })
  await a.waitFor('message', (p) => p.id === reply.id)
  await a.call('edit', { room: first.room, id: first.id, text: 'hi Bob, edited' })
  // The notification may come from the live copy; a reaction needs the durable op applied.
  await eventually(() => b.call('history', { to: a.number }), (h) => h.some((e) => e.id === first.id))
  await b.call('react', { room: first.room, id: first.id, emoji: '👍' })
  for (const [who, name] of [[a, 'a1.txt'], [a, 'a2.txt'], [b, 'b1.txt'], [b, 'b2.txt']] as const) {
    const file = path.join(dir, name)
    fs.writeFileSync(file, 'contents of ' + name)
    const to = who === a ? b.number : a.number
    await who.call('sendFile', { to, path: file })
  }
  await callAndHangUp(a, b)
  await callAndHangUp(b, a)
  await a.call('send', { to: b.number, text: 'last word' })

  const full = (h: Entry[]): boolean => h.length === 9 && h.filter((e) => e.call).length === 2 && h.some((e) => e.edited && Object.keys(e.reactions).length === 1)
  const history = (x: AgentProcess, to: string) => x.call('history', { to })
  const before = await eventually(() => history(a, b.number), full, 20_000)
  t.ok(full(before), `Alice sees all nine entries (${before.length})`)
  t.alike(shape(await eventually(() => history(b, a.number), (h) => shape(h).join() === shape(before).join(), 20_000)), shape(before), 'Bob sees the same')

  t.is(await b.stop(), 0)
  await a.waitFor('presence', (p) => p.number === b.number && p.online === false)
  // Read it again and again for a while: the defect showed as a collapse some time after the close.
  for (let i = 0; i < 20; i++) {
    const now = await history(a, b.number)
    if (shape(now).join() !== shape(before).join()) {
      t.alike(shape(now), shape(before), `history unchanged while Bob is offline (read ${i})`)
      break
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  t.alike(shape(await history(a, b.number)), shape(before), 'history unchanged while Bob is offline')
  const rooms = await a.call('listRooms')
  t.is(rooms.find((r) => r.room === first.room)?.last?.text, 'last word', 'the conversation list still shows the newest message')

  b = await start('b')
  const online = async () => (await a.call('listContacts')).some((c) => c.number === b.number && c.online)
  t.ok(await eventually(online, (o) => o, 30_000), 'Bob is back')
  t.alike(shape(await history(a, b.number)), shape(before), 'history unchanged after Bob returns')
  t.alike(shape(await eventually(() => history(b, a.number), (h) => h.length === before.length)), shape(before), 'Bob, restarted, has it all')
})
