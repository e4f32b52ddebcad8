import test from 'brittle'
import { execFileSync } from 'child_process'
import fs from 'fs'
import path from 'path'
import { setup } from '../../harness/agent-net'

// The first release (protocol 1.0, unversioned) against this one, both real agents on a testnet.
// The first release is built from its commit (test/fixtures/previous-release, the tree before
// versioning);
// it shares this checkout's node_modules. 1.0 cannot read 2.0's records (it refuses trailing bytes),
// so the promise here is the one README makes: the new side says the old one must update, and
// neither side crashes.
const ROOT = path.join(__dirname, '..', '..', '..')
const COMMIT = fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'previous-release'), 'utf8').trim()

function git(args: string[]): string {
  return execFileSync('git', ['-C', ROOT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim()
}

function hasCommit(): boolean {
  try {
    return git(['cat-file', '-t', COMMIT]) === 'commit'
  } catch {
    return false
  }
}

test('an agent of the first release meets this one: told to update, nobody crashes', { timeout: 240_000 }, async (t) => {
  if (!hasCommit()) {
    t.comment(`SKIPPED: commit ${COMMIT} of the first release is not in this checkout (a shallow clone?)`)
    t.pass('skipped')
    return
  }
  // git archive, not a worktree: nothing is registered in the repository.
  const tree = path.join(await t.tmp(), 'previous')
  fs.mkdirSync(tree)
  execFileSync('sh', ['-c', `git -C "${ROOT}" archive ${COMMIT} | tar -x -C "${tree}"`])
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(tree, 'node_modules'))
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', tree], { stdio: 'ignore' })

  const { start } = await setup(t, { PEERLINE_LOOKUP_TIMEOUT: '8000' })
  const old = await start('old', {}, path.join(tree, 'dist', 'app', 'cli', 'main.js'))
  const now = await start('now')

  now.call('addContact', { number: old.number }).catch(() => {})
  const told = await now.waitFor('peerVersion', (p) => p.number === old.number)
  t.alike([told.version, told.ours, told.compatibility, told.code], ['1.0', '2.0', 'older-major', 'PEER_OUTDATED'])
  t.ok(/ask them to update/.test(told.message as string), told.message as string)

  // The first release refuses our hello (trailing bytes) and drops the connection, as it does any
  // hello it cannot read; it goes on running.
  const refused = new RegExp('hello/1: closing channel: undecodable frame: \\d+ trailing bytes')
  const deadline = Date.now() + 20_000
  while (!old.logs.some((l) => refused.test(l)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100))
  t.ok(old.logs.some((l) => refused.test(l)), 'the old agent logs why it refused our hello')
  t.is((await old.call('whoami')).number, old.number, 'the old agent still answers')
  t.is((await now.call('whoami')).number, now.number, 'the new agent still answers')
  t.is((await old.call('listContacts')).length, 0, 'no contact request crossed')
})
