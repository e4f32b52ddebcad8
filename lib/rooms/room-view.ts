import Hyperbee from 'hyperbee'
import b4a from 'b4a'
import c from 'compact-encoding'
import type Hypercore from 'hypercore'
import type { AutobaseHost, AutobaseNode } from 'autobase'
import { memberRecord, messageRecord, roomOp, OP_ADD_MEMBER, OP_MESSAGE, MAX_TEXT_LENGTH, MAX_FRAME_BYTES } from '../wire/schemas'
import type { MemberRecord, MessageRecord } from '../wire/schemas'
import { decodeExact } from '../wire/struct'

export type RoomBee = Hyperbee<string, Buffer>

const WRITER = 'writer/'
const MSG = 'msg/'
const COUNT = 'meta/count'
const SEQ_DIGITS = 12

export function openView(core: Hypercore): RoomBee {
  return new Hyperbee<string, Buffer>(core, { keyEncoding: 'utf-8', valueEncoding: 'binary', extension: false })
}

/**
 * Applies room ops to the view. Deterministic and defensive: whatever a writer appended, a bad op
 * is skipped, never thrown, so one hostile member cannot stall the room for everyone.
 */
export async function applyOps(nodes: AutobaseNode[], view: RoomBee, host: AutobaseHost): Promise<void> {
  for (const node of nodes) {
    if (node.value === null) continue // an ack
    let op
    try {
      op = decodeExact(roomOp, node.value as Buffer, MAX_FRAME_BYTES)
    } catch {
      continue
    }
    const author = await getMember(view, node.from.key)

    if (op.type === OP_ADD_MEMBER) {
      if (author === null) {
        // Only the creator's first op may register a writer without being a member: itself.
        if (!(await isEmpty(view)) || !b4a.equals(op.writerKey, node.from.key)) continue
      }
      if (op.name.length > 4 * 64) continue
      await host.addWriter(op.writerKey, { indexer: true })
      const record: MemberRecord = { writerKey: op.writerKey, publicKey: op.publicKey, number: op.number, name: op.name }
      await view.put(WRITER + b4a.toString(op.writerKey, 'hex'), c.encode(memberRecord, record))
      continue
    }

    if (op.type === OP_MESSAGE) {
      if (author === null) continue
      if (op.text.length === 0 || op.text.length > MAX_TEXT_LENGTH || op.id.length === 0 || op.id.length > 64) continue
      const count = await getCount(view)
      const record: MessageRecord = {
        id: op.id,
        publicKey: author.publicKey,
        from: author.number,
        text: op.text,
        time: op.time
      }
      await view.put(MSG + seqKey(count + 1), c.encode(messageRecord, record))
      await view.put(COUNT, c.encode(c.uint, count + 1))
    }
  }
}

export async function getMember(view: RoomBee, writerKey: Buffer): Promise<MemberRecord | null> {
  const node = await view.get(WRITER + b4a.toString(writerKey, 'hex'))
  return node ? c.decode(memberRecord, node.value) : null
}

export async function listMembers(view: RoomBee): Promise<MemberRecord[]> {
  const out: MemberRecord[] = []
  for await (const { value } of view.createReadStream({ gt: WRITER, lt: WRITER + '~' })) {
    out.push(c.decode(memberRecord, value))
  }
  return out
}

export async function getCount(view: RoomBee): Promise<number> {
  const node = await view.get(COUNT)
  return node ? c.decode(c.uint, node.value) : 0
}

/** Messages with sequence numbers in [from, to], oldest first. */
export async function readMessages(view: RoomBee, from: number, to: number): Promise<Array<MessageRecord & { seq: number }>> {
  const out: Array<MessageRecord & { seq: number }> = []
  if (to < from) return out
  for await (const { key, value } of view.createReadStream({ gte: MSG + seqKey(from), lte: MSG + seqKey(to) })) {
    out.push({ ...c.decode(messageRecord, value), seq: Number(key.slice(MSG.length)) })
  }
  return out
}

async function isEmpty(view: RoomBee): Promise<boolean> {
  for await (const _ of view.createReadStream({ gt: WRITER, lt: WRITER + '~', limit: 1 })) return false
  return true
}

function seqKey(n: number): string {
  return String(n).padStart(SEQ_DIGITS, '0')
}
