import test from 'brittle'
import path from 'path'
import { AgentProcess, errorCode } from '../../harness/agent'
import { deadBootstrap, setup } from '../../harness/agent-net'
import { aliceAndBob } from '../../harness/alice-and-bob'
import { eventually } from '../../harness/eventually'

const PASS = 'a long export passphrase'

const forked = (a: AgentProcess): string[] => a.logs.filter((l) => /conflict/i.test(l))

// An archive is a snapshot. The old device kept writing after it (here a message; in real use
// also acks and read marks), and the imported device writes as the same writer: unless it first
// takes its own writer core from a member, its first append forks that core at every member.
test('an imported profile writes in a room only after a member showed it where its old device stopped', async (t) => {
  const { start, dir, bootstrap } = await setup(t)
  const a = await start('a')
  const b = await start('b')
  await aliceAndBob(a, b)
  const archive = path.join(dir, 'alice.peerline')
  await a.call('exportProfile', { path: archive, passphrase: PASS })

  // After the backup, the old device goes on writing, and B holds what it wrote.
  const late = await a.call('send', { to: b.number, text: 'after the backup' })
  await eventually(() => b.call('history', { to: a.number }), (h) => h.some((e) => e.id === late.id), 20_000)
  t.is(await a.stop(), 0)

  // The new device imports with no network, and may not write there yet: it cannot know where
  // the old device stopped. The person gets a sentence, and nothing was written.
  const cDir = path.join(dir, 'c')
  let c = await AgentProcess.start({ storage: cDir, bootstrap: await deadBootstrap(), args: ['--no-lan'] })
  t.teardown(() => c.stop())
  await c.call('importProfile', { path: archive, passphrase: PASS })
  t.absent((await c.call('history', { to: b.number })).some((e) => e.id === late.id), 'the snapshot lacks the later message')
  const refused = c.call('send', { to: b.number, text: 'offline, too early' })
  t.is(await errorCode(refused), 'NOT_WRITABLE', 'a send before any member was seen is refused')
  await refused.catch((err: Error) => t.comment(err.message))
  t.is(await c.stop(), 0)

  // Online: B brings the old device's later writes first, then the new device writes after them.
  c = await AgentProcess.start({ storage: cDir, bootstrap })
  t.is(c.number, a.number)
  await eventually(() => c.call('history', { to: b.number }), (h) => h.some((e) => e.id === late.id), 30_000)
  // (a send waits, within its bound, for the member to show where the old device stopped)
  const after = await c.call('send', { to: b.number, text: 'from the new device' })
  const got = await b.waitFor('message', (p) => p.id === after.id, 30_000)
  t.is(got.from, a.number, 'B gets it from A')
  const bh = await eventually(() => b.call('history', { to: a.number }), (h) => h.some((e) => e.id === after.id), 30_000)
  t.ok(bh.findIndex((e) => e.id === late.id) < bh.findIndex((e) => e.id === after.id), 'in order after the old device\'s last message')
  t.alike(forked(b), [], 'B saw no fork of A\'s writer core')
  t.alike(forked(c), [], 'nor did the new device')
})
