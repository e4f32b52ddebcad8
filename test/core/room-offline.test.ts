import test from 'brittle'
import Corestore from 'corestore'
import path from 'path'
import { linkedAdmins, memberOf, roomsOf, until } from '../../harness/room-net'
import { OP_EDIT, ROLE_ADMIN, ROOM_DIRECT } from '../../lib/wire/schemas'

test('a member that fast-forwarded keeps the whole history readable once the others go offline', { timeout: 120_000 }, async (t) => {
  const dir = await t.tmp()
  const [sa, sb] = [new Corestore(path.join(dir, 'a')), new Corestore(path.join(dir, 'b'))]
  const x = sa.replicate(true)
  const y = sb.replicate(false)
  x.pipe(y).pipe(x)
  const ra = await roomsOf(sa, 1)
  const rb = await roomsOf(sb, 2)
  t.teardown(async () => {
    await Promise.all([ra.close(), rb.close()])
    x.destroy()
    y.destroy()
    await sa.close()
    await sb.close()
  })
  const a = await ra.create(ROOM_DIRECT)
  // A writes a long history (and edits some) before B reads any of it: B catches up by
  // fast-forwarding to the signed view instead of applying every op itself.
  const ids: string[] = []
  for (let i = 0; i < 40; i++) ids.push((await a.send('message ' + i)).id)
  for (let i = 0; i < 40; i += 10) await a.act({ type: OP_EDIT, id: ids[i], text: 'edited ' + i, time: Date.now() })
  const b = await rb.join(a.key, a.encryptionKey, ROOM_DIRECT)
  let fastForwarded = false
  b.base.once('fast-forward', () => (fastForwarded = true))
  await a.addMember(await memberOf(2, b, ROLE_ADMIN))
  // B shows only the newest page, as a chat window does.
  await until(async () => b.writable && b.length === 40 && (await b.history(5)).length === 5, 30_000)
  t.ok(fastForwarded, 'B fast-forwarded')
  const before = (await a.history()).map((m) => m.id + ' ' + m.text + ' ' + m.edited)
  t.is(before.length, 40)

  // B's copy completes in the background (what B shows is already all there is to show).
  const local = (core: { contiguousLength: number; length: number }): boolean => core.contiguousLength === core.length
  const waited = await until(async () => local(b.base.view.messages) && local(b.base.view.edits), 10_000).then(() => true, () => false)
  t.ok(waited, 'B holds every message and edit block locally')
  x.destroy()
  y.destroy()
  await ra.close()
  const after = (await b.history()).map((m) => m.id + ' ' + m.text + ' ' + m.edited)
  t.alike(after, before, 'B reads the same history with A offline')
})

test('a member that was away and catches up on reopen keeps it all readable once the others go offline', { timeout: 120_000 }, async (t) => {
  const p = await linkedAdmins(t)
  const { sb, ra, a, link, unlink } = p
  let { rb, b } = p
  await b.send('from B')
  await until(async () => (await a.history()).length === 1)
  // B closes; A writes a long history; B opens again while A is there and catches up.
  await rb.close()
  unlink()
  for (let i = 0; i < 40; i++) await a.send('message ' + i)
  link()
  rb = p.rb = await roomsOf(sb, 2)
  b = await rb.open(a.id)
  await until(async () => b.length === 41, 30_000)
  const before = (await a.history()).map((m) => m.id + ' ' + m.text)
  const local = (core: { contiguousLength: number; length: number }): boolean => core.contiguousLength === core.length
  t.ok(await until(async () => local(b.base.view.messages), 10_000).then(() => true, () => false), 'B holds every message block locally')
  unlink()
  await ra.close()
  t.alike((await b.history()).map((m) => m.id + ' ' + m.text), before, 'B reads the same history with A offline')
})
