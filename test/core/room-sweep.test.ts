import test from 'brittle'
import type Hypercore from 'hypercore'
import type { Room } from '../../lib/rooms/room'
import { aloneRooms, clearedOnDisk, linkableStores, memberOf, roomsOf, until } from '../helpers/room-net'
import { seqOfId } from '../../lib/rooms/room-view'
import { OP_DELETE, OP_EDIT, OP_SET_TIMER, ROLE_ADMIN, ROOM_DIRECT } from '../../lib/wire/schemas'

type T = Parameters<Parameters<typeof test>[1]>[0]

/** Two profiles in a direct room whose stores replicate only while linked. */
async function pairWithLink(t: T) {
  const { sa, sb, link } = linkableStores(await t.tmp())
  let unlink = link()
  const ra = await roomsOf(sa, 1)
  const rb = await roomsOf(sb, 2)
  t.teardown(async () => {
    await Promise.all([ra.close(), rb.close()])
    unlink()
    await sa.close()
    await sb.close()
  })
  const a = await ra.create(ROOM_DIRECT)
  const b = await rb.join(a.key, a.encryptionKey, ROOM_DIRECT)
  // Both admins, so both index: nothing is signed while they are apart.
  await a.addMember(await memberOf(2, b, ROLE_ADMIN))
  await until(async () => b.writable && b.memberKeys.length === 2, 30_000)
  return { a, b, link: () => (unlink = link()), unlink: () => unlink() }
}

/** The view's block at `seq` as this device holds it now (never fetched from a peer). */
const localBlock = (core: Hypercore<unknown>, seq: number): Promise<unknown> => core.get(seq, { wait: false })

/** Every message's block is local, except the ones listed. */
async function allLocalBut(room: Room, gone: Set<number>): Promise<boolean> {
  const { messages } = room.base.view
  for (let seq = 0; seq < messages.length; seq++) {
    if (gone.has(seq)) continue
    if ((await localBlock(messages, seq)) === null) return false
  }
  return true
}

test('clearing a deleted message keeps every other message readable from local storage', async (t) => {
  const rooms = await aloneRooms(t)
  const room = await rooms.create(ROOM_DIRECT)
  const sent: string[] = []
  for (let i = 0; i < 6; i++) sent.push((await room.send('message ' + i)).id)
  await room.act({ type: OP_EDIT, id: sent[3], text: 'message 3, edited', time: Date.now() })
  // The one to delete is edited first: its edit's text must go too.
  const ops = room.base.local
  if (ops === null) throw new Error('not writable')
  const messageOp = (await room.message(sent[1]))?.writerSeq ?? -1
  await room.act({ type: OP_EDIT, id: sent[1], text: 'message 1, edited', time: Date.now() })
  const editOp = ops.length - 1
  const { edits } = room.base.view
  t.is(edits.length, 2, 'two edits')
  await room.act({ type: OP_DELETE, id: sent[1] })
  const deletedSeq = (await seqOfId(room.base.view, sent[1])) ?? -1
  t.ok(deletedSeq >= 0)

  await until(async () => (await room.sweep()) >= 0 && (await clearedOnDisk(room, sent[1])))
  t.ok(await clearedOnDisk(room, sent[1]), 'the deleted text is cleared')
  t.ok(await allLocalBut(room, new Set([deletedSeq])), 'every other message block is still local')
  t.is(await localBlock(edits, 1), null, 'its edit is cleared')
  t.ok((await localBlock(edits, 0)) !== null, 'the other message\'s edit stays')
  t.alike([await localBlock(ops, messageOp), await localBlock(ops, editOp)], [null, null], 'the message and edit ops are cleared from the writer core')
  t.ok((await localBlock(ops, editOp + 1)) !== null, 'the delete op itself stays')
  // Nobody else is here to fetch from: history reads local storage only.
  const texts = (await room.history()).map((m) => m.text)
  t.alike(texts, ['message 0', 'message 2', 'message 3, edited', 'message 4', 'message 5'], 'history reads the same, less the deleted one')
})

test('the text of a message past its time is not returned by history, before any sweep', async (t) => {
  const rooms = await aloneRooms(t)
  const room = await rooms.create(ROOM_DIRECT)
  const kept = await room.send('before the timer')
  await room.act({ type: OP_SET_TIMER, seconds: 3600 })
  const gone = await room.send('this one disappears in an hour')
  const expires = gone.time + 3600 * 1000
  const seq = (await room.message(gone.id))?.seq ?? -1
  t.ok(seq >= 0)

  t.ok((await room.history()).some((m) => m.id === gone.id), 'shown before its time')
  t.is(await room.sweep(), 0, 'nothing is due yet, so nothing is cleared')
  const later = await room.history(100, expires + 1)
  t.absent(later.some((m) => m.id === gone.id), 'not returned after its time')
  t.absent(later.some((m) => m.text === 'this one disappears in an hour'), 'its text is nowhere in history')
  t.is(await room.message(gone.id, { now: expires + 1 }), null, 'nor by id')
  t.ok((await localBlock(room.base.view.messages, seq)) !== null, 'while its block is still on disk (not swept)')
  t.is(await room.sweep(expires + 1), 1, 'the sweep at its time clears it')
  t.ok(await clearedOnDisk(room, gone.id), 'then its block is gone')
  t.ok((await room.history(100, expires + 1)).some((m) => m.id === kept.id && m.text === 'before the timer'), 'the others stay')
})

test('a reorder (two writers apart, then merging) never clears the wrong message', { timeout: 120_000 }, async (t) => {
  const { a, b, link, unlink } = await pairWithLink(t)
  await a.send('before the split')
  await until(async () => (await b.history()).length === 1)

  const truncated: number[] = []
  for (const r of [a, b]) r.base.view.messages.on('truncate', (length: number) => truncated.push(length))
  unlink()
  // Apart, each writes; A deletes one of its own. Each side's view has its own order for now.
  const doomed = await a.send('A: sent by mistake')
  await a.send('A: after the mistake')
  await a.act({ type: OP_DELETE, id: doomed.id })
  for (let i = 0; i < 3; i++) await b.send('B: apart ' + i)
  for (let i = 0; i < 5; i++) {
    await a.sweep()
    await b.sweep()
  }
  t.ok(await allLocalBut(a, new Set()), 'apart, nothing is signed, so A clears nothing')

  link()
  // Sweep all the while they merge, so a sweep can land between a reorder and the signatures.
  const want = ['before the split', 'A: after the mistake', 'B: apart 0', 'B: apart 1', 'B: apart 2'].sort()
  const texts = async (r: Room): Promise<string[]> => (await r.history()).filter((m) => !m.deleted).map((m) => m.text).sort()
  await until(async () => {
    await a.sweep()
    await b.sweep()
    return (await texts(a)).join() === want.join() && (await texts(b)).join() === want.join()
  }, 30_000)
  t.ok(truncated.length > 0, `the merge reordered a view (truncated at ${truncated.join(', ')})`)
  // Where the deleted message is now, from the bee (its block may be cleared already).
  const seqOf = async (r: Room): Promise<number> => (await seqOfId(r.base.view, doomed.id)) ?? -1
  for (const [name, r] of [['A', a], ['B', b]] as const) {
    await until(async () => (await r.sweep()) >= 0 && (await clearedOnDisk(r, doomed.id)), 30_000)
    const seq = await seqOf(r)
    t.ok(await clearedOnDisk(r, doomed.id), `${name}: the deleted message's block is cleared`)
    t.ok(await allLocalBut(r, new Set([seq])), `${name}: every other message block is still local`)
  }
  const before = (await a.history()).map((m) => m.id + ' ' + m.text)
  t.alike((await b.history()).map((m) => m.id + ' ' + m.text), before, 'both read the same history')
  t.is(before.length, 5, 'five messages left')
  unlink()
  t.alike((await a.history()).map((m) => m.id + ' ' + m.text), before, 'A reads it all alone')
  t.alike((await b.history()).map((m) => m.id + ' ' + m.text), before, 'B reads it all alone')
})
