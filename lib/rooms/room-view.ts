import Hyperbee from 'hyperbee'
import b4a from 'b4a'
import c from 'compact-encoding'
import type Hypercore from 'hypercore'
import type { AutobaseHost, AutobaseNode, AutoStore } from 'autobase'
import { memberRecord, messageRecord, roomOp, OP_ADD_MEMBER, OP_MESSAGE, MAX_TEXT_LENGTH, MAX_FRAME_BYTES, MAX_NAME_LENGTH } from '../wire/schemas'
import type { MemberRecord, MessageRecord } from '../wire/schemas'
import { decodeExact } from '../wire/struct'

/**
 * A room's view: members in a Hyperbee (looked up by writer key), messages in an append-only core
 * (message n is block n, so new messages are read without a tree walk and a reorder shows up as a
 * truncation of that core).
 */
export interface RoomView {
  members: Hyperbee<string, Buffer>
  messages: Hypercore<Buffer>
}

const WRITER = 'writer/'

export function openView(store: AutoStore): RoomView {
  return {
    members: new Hyperbee<string, Buffer>(store.get('members'), { keyEncoding: 'utf-8', valueEncoding: 'binary', extension: false }),
    messages: store.get('messages')
  }
}

export async function closeView(view: RoomView): Promise<void> {
  await view.members.close()
  await view.messages.close()
}

/**
 * Applies room ops to the view. Deterministic and defensive: whatever a writer appended, a bad op
 * is skipped, never thrown, so one hostile member cannot stall the room for everyone.
 */
export async function applyOps(nodes: AutobaseNode[], view: RoomView, host: AutobaseHost): Promise<void> {
  for (const node of nodes) {
    if (node.value === null) continue // an ack
    let op
    try {
      op = decodeExact(roomOp, node.value, MAX_FRAME_BYTES)
    } catch {
      continue
    }
    const author = await getMember(view, node.from.key)

    if (op.type === OP_ADD_MEMBER) {
      if (author === null) {
        // Only the creator's first op may register a writer without being a member: itself.
        if (view.members.version > 1 || !b4a.equals(op.writerKey, node.from.key)) continue
      }
      if (op.name.length > MAX_NAME_LENGTH) continue
      await host.addWriter(op.writerKey, { indexer: true })
      const record: MemberRecord = { writerKey: op.writerKey, publicKey: op.publicKey, number: op.number, name: op.name }
      await view.members.put(WRITER + b4a.toString(op.writerKey, 'hex'), c.encode(memberRecord, record))
      continue
    }

    if (op.type === OP_MESSAGE) {
      if (author === null) continue
      if (op.text.length === 0 || op.text.length > MAX_TEXT_LENGTH || op.id.length === 0 || op.id.length > 64) continue
      const record: MessageRecord = {
        id: op.id,
        publicKey: author.publicKey,
        from: author.number,
        text: op.text,
        time: op.time
      }
      await view.messages.append(c.encode(messageRecord, record))
    }
  }
}

export async function getMember(view: RoomView, writerKey: Buffer): Promise<MemberRecord | null> {
  const node = await view.members.get(WRITER + b4a.toString(writerKey, 'hex'))
  return node ? c.decode(memberRecord, node.value) : null
}

export async function listMembers(view: RoomView): Promise<MemberRecord[]> {
  const out: MemberRecord[] = []
  for await (const { value } of view.members.createReadStream({ gt: WRITER, lt: WRITER + '~' })) {
    out.push(c.decode(memberRecord, value))
  }
  return out
}

/** Messages with sequence numbers in [from, to), oldest first. */
export async function readMessages(view: RoomView, from: number, to: number): Promise<Array<MessageRecord & { seq: number }>> {
  const reads: Array<Promise<Buffer | null>> = []
  for (let seq = Math.max(0, from); seq < Math.min(to, view.messages.length); seq++) reads.push(view.messages.get(seq))
  const out: Array<MessageRecord & { seq: number }> = []
  const blocks = await Promise.all(reads)
  blocks.forEach((block, i) => {
    if (block !== null) out.push({ ...c.decode(messageRecord, block), seq: Math.max(0, from) + i })
  })
  return out
}
