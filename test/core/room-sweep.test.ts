import test from 'brittle'
import type Hypercore from 'hypercore'
import type { Room } from '../../lib/rooms/room'
import { aloneRooms, clearedOnDisk, linkedAdmins, memberOf, roomPair, until } from '../../harness/room-net'
import { seqOfId } from '../../lib/rooms/room-view'
import { OP_DELETE, OP_EDIT, OP_SET_ROLE, OP_SET_TIMER, ROLE_ADMIN, ROOM_DIRECT } from '../../lib/wire/schemas'

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
  // Its edit is not the newest: a newest block waits (see the last test).
  await room.act({ type: OP_EDIT, id: sent[4], text: 'message 4, edited', time: Date.now() })
  const { edits } = room.base.view
  t.is(edits.length, 3, 'three edits')
  await room.act({ type: OP_DELETE, id: sent[1] })
  const deletedSeq = (await seqOfId(room.base.view, sent[1])) ?? -1
  t.ok(deletedSeq >= 0)

  await until(async () => (await room.sweep()) >= 0 && (await clearedOnDisk(room, sent[1])))
  t.ok(await clearedOnDisk(room, sent[1]), 'the deleted text is cleared')
  t.ok(await allLocalBut(room, new Set([deletedSeq])), 'every other message block is still local')
  t.is(await localBlock(edits, 1), null, 'its edit is cleared')
  t.ok((await localBlock(edits, 0)) !== null, 'the other message\'s edit stays')
  t.alike([await localBlock(ops, messageOp), await localBlock(ops, editOp)], [null, null], 'the message and edit ops are cleared from the writer core')
  t.ok((await localBlock(ops, editOp + 2)) !== null, 'the delete op itself stays')
  // Nobody else is here to fetch from: history reads local storage only.
  const texts = (await room.history()).map((m) => m.text)
  t.alike(texts, ['message 0', 'message 2', 'message 3, edited', 'message 4, edited', 'message 5'], 'history reads the same, less the deleted one')
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
  t.is(await room.sweep(expires + 1), 0, 'while it is the newest message, even the sweep at its time keeps its block')
  // Under the same timer, but due later than `expires + 1` (and the newest now, so kept anyway).
  await room.send('a newer message')
  t.is(await room.sweep(expires + 1), 1, 'once a newer one follows, the sweep at its time clears it')
  t.ok(await clearedOnDisk(room, gone.id), 'then its block is gone')
  t.ok((await room.history(100, expires + 1)).some((m) => m.id === kept.id && m.text === 'before the timer'), 'the others stay')
})

test('a reorder (two writers apart, then merging) never clears the wrong message', { timeout: 120_000 }, async (t) => {
  const { a, b, link, unlink } = await linkedAdmins(t)
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

test('deleting the newest message, then a change of indexers: the room goes on (its newest block is cleared later)', { timeout: 120_000 }, async (t) => {
  const { a, b } = await roomPair(t)
  await a.addMember(await memberOf(2, b))
  await until(async () => b.writable, 30_000)
  await a.send('first')
  const newest = await a.send('sent by mistake')
  await a.act({ type: OP_DELETE, id: newest.id })
  await until(async () => (await b.history()).some((m) => m.id === newest.id && m.deleted), 30_000)
  // Both sweep, so neither could serve the block to the other.
  for (let i = 0; i < 5; i++) {
    await a.sweep()
    await b.sweep()
  }
  // Autobase hashes a view's tree at its signed length when the indexers change, and Hypercore's
  // treeHash fetches the block at length - 1 if it is missing: a cleared newest block would hang
  // that migration (and with it every apply and the room's close) until a peer serves it.
  t.absent(await clearedOnDisk(a, newest.id), 'the newest block stays while it is the newest')
  t.absent((await a.history()).some((m) => m.id === newest.id && m.text !== ''), 'its text is not shown')

  const bKey = (await memberOf(2, b)).publicKey
  await a.act({ type: OP_SET_ROLE, publicKey: bKey, role: ROLE_ADMIN }) // B becomes an indexer
  await until(async () => (await b.members()).find((m) => m.publicKey.equals(bKey))?.role === ROLE_ADMIN, 30_000)
  const after = await b.send('after the change of indexers')
  await until(async () => (await a.history()).some((m) => m.id === after.id), 30_000)
  t.pass('the room applies ops after the change of indexers')

  // Once a newer message follows it, the sweep clears it.
  await until(async () => (await a.sweep()) >= 0 && (await clearedOnDisk(a, newest.id)), 30_000)
  t.ok(await clearedOnDisk(a, newest.id), 'cleared once it is no longer the newest')
})
