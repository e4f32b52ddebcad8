import test from 'brittle'
import { spawn } from 'child_process'
import crypto from 'crypto'
import fs from 'fs'
import path from 'path'
import readline from 'readline'
import { AgentProcess, MAIN } from '../../harness/agent'
import { setup } from '../../harness/agent-net'
import { eventually } from '../../harness/eventually'
import { localTestnet } from '../../harness/testnet'

type T = Parameters<Parameters<typeof test>[1]>[0]


/** A hash of a member's whole view of the room (order, text, edits, deletions). */
async function viewHash(a: AgentProcess, room: string): Promise<string> {
  const h = await a.call('history', { to: room, limit: 10_000 })
  return crypto.createHash('sha256').update(JSON.stringify(h.map((m) => [m.id, m.from, m.text, m.edited, m.deleted]))).digest('hex')
}

async function allEqual(agents: AgentProcess[], room: string, count: number): Promise<string[]> {
  return eventually(
    async () => {
      const hashes: string[] = []
      for (const a of agents) {
        const h = await a.call('history', { to: room, limit: 10_000 })
        hashes.push(h.length === count ? await viewHash(a, room) : 'short:' + h.length)
      }
      return hashes
    },
    (hs) => hs.every((h) => h === hs[0] && !h.startsWith('short')),
    30_000
  )
}

async function groupOf(start: (n: string) => Promise<AgentProcess>, names: string[]): Promise<{ agents: AgentProcess[]; room: string; invite: string }> {
  const agents: AgentProcess[] = []
  for (const n of names) agents.push(await start(n))
  const { room, invite } = await agents[0].call('createRoom', { name: 'Convergence' })
  // All at once, as neighbours given one room key do: each joiner's key costs the admin a
  // derivation, and past the verifier's budget a request waits its turn (it used to be refused).
  await Promise.all(agents.slice(1).map((a) => a.call('joinRoom', { invite })))
  await eventually(() => agents[0].call('members', { room }), (m) => m.length === names.length, 20_000)
  return { agents, room, invite }
}

test('five members send at once; everyone ends with the same view', async (t) => {
  const { start } = await setup(t)
  const { agents, room } = await groupOf(start, ['a', 'b', 'c', 'd', 'e'])
  await Promise.all(agents.map((a, i) => Promise.all(Array.from({ length: 10 }, (_, j) => a.call('send', { to: room, text: `m${i}-${j}` })))))
  const hashes = await allEqual(agents, room, 50)
  t.is(new Set(hashes).size, 1, 'one view hash across five members: ' + hashes[0].slice(0, 12))
  const h = await agents[2].call('history', { to: room, limit: 100 })
  t.is(h.length, 50)
  t.is(new Set(h.map((m) => m.text)).size, 50, 'no message lost or doubled')
})

test('a partition with ops on both sides heals to the same view', async (t) => {
  const { start, dir } = await setup(t)
  const { agents, room } = await groupOf(start, ['a', 'b', 'c', 'd', 'e'])
  const [a, b, c, d, e] = agents
  await a.call('send', { to: room, text: 'before the split' })
  await allEqual(agents, room, 1)

  // Split: D and E move to a DHT of their own, where only they can meet.
  const other = await localTestnet()
  t.teardown(() => other.testnet.destroy(), { order: 1000 })
  await d.stop()
  await e.stop()
  const d2 = await AgentProcess.start({ storage: path.join(dir, 'd'), bootstrap: other.bootstrap })
  const e2 = await AgentProcess.start({ storage: path.join(dir, 'e'), bootstrap: other.bootstrap })
  t.teardown(async () => {
    await d2.stop()
    await e2.stop()
  })
  await a.call('send', { to: room, text: 'side 1 from a' })
  await b.call('send', { to: room, text: 'side 1 from b' })
  const dm = await d2.call('send', { to: room, text: 'side 2 from d' })
  await e2.call('send', { to: room, text: 'side 2 from e' })
  await a.call('renameRoom', { room, name: 'Renamed during the split' })
  const side1 = await allEqual([a, b, c], room, 3)
  const side2 = await allEqual([d2, e2], room, 3)
  t.not(side1[0], side2[0], 'the two sides differ while split')
  t.absent((await a.call('history', { to: room })).some((m) => m.id === dm.id), 'A has not seen D yet')

  // Heal: D and E come back to the shared DHT.
  await d2.stop()
  await e2.stop()
  const d3 = await start('d')
  const e3 = await start('e')
  const healed = await allEqual([a, b, c, d3, e3], room, 5)
  t.is(new Set(healed).size, 1, 'healed: one view hash across all five')
  const rooms = await e3.call('listRooms')
  t.is(rooms.find((r) => r.room === room)?.name, 'Renamed during the split', 'the rename reached the other side')
})

async function startServe(t: T, storage: string, bootstrap: string): Promise<string> {
  const proc = spawn(process.execPath, [MAIN, 'serve', '--storage', storage, '--bootstrap', bootstrap, '--host', '127.0.0.1'])
  const exited = new Promise((resolve) => proc.once('exit', resolve))
  t.teardown(async () => {
    proc.kill('SIGTERM')
    await exited
  })
  proc.stderr.on('data', (d: Buffer) => {
    if (process.env.PEERLINE_TEST_LOGS) process.stderr.write('[serve] ' + d)
  })
  const line = await new Promise<string>((resolve) => readline.createInterface({ input: proc.stdout }).once('line', resolve))
  return (JSON.parse(line) as { params: { publicKey: string } }).params.publicKey
}

test('an always-on peer delivers a message after its sender went offline, without the room key', async (t) => {
  const { start, dir, bootstrap } = await setup(t)
  const serveKey = await startServe(t, path.join(dir, 'serve'), bootstrap)
  const a = await start('a')
  let b = await start('b')
  for (const x of [a, b]) await x.call('setAlwaysOnPeers', { keys: [serveKey] })
  const { room, invite } = await a.call('createRoom', { name: 'Kept' })
  await b.call('joinRoom', { invite })
  await b.call('send', { to: room, text: 'B is here' })
  await a.waitFor('message', (p) => p.text === 'B is here')

  await b.stop() // B goes offline
  const sent = await a.call('send', { to: room, text: 'for B, via the always-on peer' })
  await eventually(() => a.call('listRooms'), (r) => r.some((x) => x.room === room && x.uploaded), 15_000)
  await a.stop() // A goes offline too: only the always-on peer has the message now

  b = await start('b')
  const got = await b.waitFor('message', (p) => p.id === sent.id, 30_000)
  t.is(got.text, 'for B, via the always-on peer')
  t.pass('B got it with A offline')
  t.absent(filesContain(path.join(dir, 'serve'), 'for B, via the always-on peer'), 'the always-on peer\'s disk holds no plaintext')
})

/** Whether any file under `dir` contains `text` (the stores are checked byte for byte). */
function filesContain(dir: string, text: string): boolean {
  const needle = Buffer.from(text)
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue
    const file = path.join(entry.parentPath ?? entry.path, entry.name)
    if (fs.readFileSync(file).includes(needle)) return true
  }
  return false
}
