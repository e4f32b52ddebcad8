/**
 * Rooms, in one run:
 *  1. 1000 messages from 10 writers until all 10 members' views have them all: Peerline rooms
 *     (in-process, replication piped in a star) next to a plain Autobase (a core view, same
 *     topology, same load).
 *  2. A new member joins by room key (agents as processes, local testnet) and sees 1000 messages.
 *  3. RSS of an agent that is in 20 rooms.
 *
 *   npm run bench:rooms
 */
import Autobase from 'autobase'
import Corestore from 'corestore'
import b4a from 'b4a'
import fs from 'fs'
import os from 'os'
import path from 'path'
import crypto from 'hypercore-crypto'
import { Rooms } from '../lib/rooms/rooms'
import { signWith } from '../lib/rooms/member-signature'
import { openSealedKey } from '../lib/rooms/epoch-keys'
import { NumberScheme } from '../lib/identity/number-scheme'
import { RoomList } from '../lib/rooms/room-list'
import type { Room } from '../lib/rooms/room'
import { ROLE_ADMIN, ROLE_MEMBER, ROOM_GROUP } from '../lib/wire/schemas'
import { AgentProcess } from '../harness/agent'
import { localTestnet } from '../harness/testnet'

const WRITERS = 10
const PER_WRITER = Number(process.env.BENCH_PER_WRITER ?? 100)
const TOTAL = WRITERS * PER_WRITER
/** Writers that index (a room's admins), in both the room and the plain Autobase: the same topology. */
const INDEXERS = Number(process.env.BENCH_ADMINS ?? 3)

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'peerline-bench-rooms-'))
const self = (n: number) => {
  const keyPair = crypto.keyPair(b4a.alloc(32, n + 1))
  return { publicKey: keyPair.publicKey, name: 'W' + n, sign: (m: Buffer) => signWith(keyPair.secretKey, m), openSealed: (box: Buffer) => openSealedKey(keyPair.secretKey, box) }
}
/** Cheap numbers: this measures rooms, not Argon2. */
const scheme = new NumberScheme({ opslimit: 1, memlimit: 8192, digits: 9 })

function star(stores: Corestore[]): Array<{ destroy: () => void }> {
  const streams: Array<{ destroy: () => void }> = []
  for (let i = 1; i < stores.length; i++) {
    const x = stores[0].replicate(true)
    const y = stores[i].replicate(false)
    x.pipe(y).pipe(x)
    streams.push(x, y)
  }
  return streams
}

async function until(fn: () => boolean, ms = 120_000): Promise<void> {
  const end = Date.now() + ms
  while (!fn()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 5))
  }
}

async function peerlineRooms(): Promise<number> {
  const stores = Array.from({ length: WRITERS }, (_, i) => new Corestore(path.join(tmp, 'p' + i)))
  const streams = star(stores)
  const rooms = await Promise.all(
    stores.map(async (store, i) => {
      const r = new Rooms({ store, list: new RoomList(store.get({ name: 'rooms' })), self: () => self(i), scheme, log: () => {} })
      await r.ready()
      return r
    })
  )
  const first = await rooms[0].create(ROOM_GROUP, 'bench')
  const members: Room[] = [first]
  for (let i = 1; i < WRITERS; i++) members.push(await rooms[i].join(first.key, first.encryptionKey, ROOM_GROUP))
  // A few admins index; the rest are members, as in a real group.
  for (let i = 1; i < WRITERS; i++) {
    const { publicKey, name } = self(i)
    const signature = await members[i].memberSignature()
    await first.addMember({ writerKey: members[i].writerKey, publicKey, name, signature, role: i < INDEXERS ? ROLE_ADMIN : ROLE_MEMBER })
  }
  await until(() => members.every((m) => m.writable))

  const t0 = process.hrtime.bigint()
  // Every writer sends its messages as fast as it can (a burst), all writers at once.
  await Promise.all(members.flatMap((m, i) => Array.from({ length: PER_WRITER }, (_, j) => m.send(`w${i}-${j}`))))
  await until(() => members.every((m) => m.length === TOTAL))
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  for (const r of rooms) await r.close()
  for (const s of streams) s.destroy()
  for (const s of stores) await s.close()
  return ms
}

async function plainAutobase(): Promise<number> {
  const stores = Array.from({ length: WRITERS }, (_, i) => new Corestore(path.join(tmp, 'a' + i)))
  const streams = star(stores)
  const opts = {
    valueEncoding: 'binary' as const,
    ackInterval: 1000,
    open: (s: { get: (n: string) => import('hypercore')<Buffer> }) => s.get('view'),
    apply: async (nodes: Autobase.AutobaseNode[], view: import('hypercore')<Buffer>, host: Autobase.Host) => {
      for (const n of nodes) {
        // A writer to add: 0xff (indexer) or 0xfe, then its key; no message starts with those bytes.
        if (n.value.byteLength === 33 && n.value[0] >= 0xfe) await host.addWriter(n.value.subarray(1), { indexer: n.value[0] === 0xff })
        else await view.append(n.value)
      }
    }
  }
  const bases: Array<Autobase<import('hypercore')<Buffer>>> = []
  bases.push(new Autobase(stores[0].namespace('b'), null, opts))
  await bases[0].ready()
  for (let i = 1; i < WRITERS; i++) {
    const b = new Autobase(stores[i].namespace('b'), bases[0].key, opts)
    await b.ready()
    bases.push(b)
    await bases[0].append(b4a.concat([b4a.from([i < INDEXERS ? 0xff : 0xfe]), (b.local as { key: Buffer }).key]))
  }
  await until(() => bases.every((b) => b.writable))
  const t0 = process.hrtime.bigint()
  await Promise.all(bases.flatMap((b, i) => Array.from({ length: PER_WRITER }, (_, j) => b.append(b4a.from(`w${i}-${j} a message of about this size`)))))
  await until(() => bases.every((b) => b.view.length === TOTAL))
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  for (const b of bases) await b.close()
  for (const s of streams) s.destroy()
  for (const s of stores) await s.close()
  return ms
}

function progress(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`)
}

function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
  return kb / 1024
}

async function agents(): Promise<{ joinMs: number; rss20: number; rssIdle: number }> {
  const { testnet, bootstrap } = await localTestnet()
  const dir = path.join(tmp, 'agents')
  const a = await AgentProcess.start({ storage: path.join(dir, 'a'), bootstrap })
  const n = await AgentProcess.start({ storage: path.join(dir, 'n'), bootstrap })
  try {
    const rssIdle = rssMiB(a.proc.pid as number)
    const { room, invite } = await a.call('createRoom', { name: 'history' })
    for (let i = 0; i < TOTAL; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, j) => a.call('send', { to: room, text: `history message ${i + j}` })))
    }
    progress(`agent wrote ${TOTAL} messages`)
    const [last] = await a.call('history', { to: room, limit: 1 })
    const t0 = process.hrtime.bigint()
    await n.call('joinRoom', { invite })
    progress('joined')
    // Cheap polling (the newest message only), then one full read to check the count.
    for (;;) {
      const [newest] = await n.call('history', { to: room, limit: 1 })
      if (newest && newest.id === last.id) break
      await new Promise((r) => setTimeout(r, 50))
    }
    const all = await n.call('history', { to: room, limit: TOTAL })
    if (all.length !== TOTAL) throw new Error(`joiner sees ${all.length} of ${TOTAL}`)
    const joinMs = Number(process.hrtime.bigint() - t0) / 1e6
    for (let i = 1; i < 20; i++) {
      const r = await a.call('createRoom', { name: 'room ' + i })
      for (let j = 0; j < 10; j++) await a.call('send', { to: r.room, text: 'hello ' + j })
    }
    await new Promise((r) => setTimeout(r, 1000))
    return { joinMs, rss20: rssMiB(a.proc.pid as number), rssIdle }
  } finally {
    await a.stop()
    await n.stop()
    await testnet.destroy()
  }
}

async function main(): Promise<void> {
  try {
    const ours = await peerlineRooms()
    progress(`peerline rooms: ${ours.toFixed(0)} ms`)
    const plain = await plainAutobase()
    progress(`plain autobase: ${plain.toFixed(0)} ms`)
    // BENCH_ROOMS_ONLY=1: the in-process part alone (for profiling apply).
    if (process.env.BENCH_ROOMS_ONLY === '1') return console.log(`peerline ${ours.toFixed(0)} ms, plain ${plain.toFixed(0)} ms, ${(ours / plain).toFixed(2)}x`)
    const { joinMs, rss20, rssIdle } = await agents()
    console.log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`)
    console.log('')
    const met = (ok: boolean): string => (ok ? 'met' : 'NOT met')
    console.log('| measure | Peerline | baseline (same run) | ratio | goal | |')
    console.log('| --- | --- | --- | --- | --- | --- |')
    console.log(`| ${TOTAL} messages from ${WRITERS} writers (${INDEXERS} indexing) until all ${WRITERS} views have them | ${ours.toFixed(0)} ms | plain Autobase, same indexers, ${plain.toFixed(0)} ms | ${(ours / plain).toFixed(2)}x | <= 3 s and <= 1.0x | ${met(ours <= 3000 && ours <= plain)} |`)
    console.log(`| new member joins by room key and sees ${TOTAL} messages (agents) | ${joinMs.toFixed(0)} ms | - | - | - | |`)
    console.log(`| RSS of an agent in 20 rooms (20 to 1000 messages each) | ${rss20.toFixed(0)} MiB | the same agent idle, no rooms: ${rssIdle.toFixed(0)} MiB | ${(rss20 / rssIdle).toFixed(2)}x | <= 120 MiB | ${met(rss20 <= 120)} |`)
    console.log('')
    console.log(`load average: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`)
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
