// Minimal reproduction: clearing the newest signed block of an Autobase view core (as a
// messenger does to erase a deleted message from disk) makes the next change of indexers hang.
// Autobase's migration computes `source.treeHash(indexedLength)`, and Hypercore's treeHash(length)
// fetches block `length - 1` when it is missing, which no peer can serve. The apply loop stalls
// for good (in Peerline, with a premigrate in flight, `base.close()` then never returned either).
// Run from the repo root (autobase 7.28.1, hypercore 11.37.1):
//   node docs/upstream/cleared-newest-view-block.js           -> add an indexer: STILL WAITING
//   KEEP=1 node docs/upstream/cleared-newest-view-block.js    -> added
//   FIRST=1 node docs/upstream/cleared-newest-view-block.js   -> added (an older block cleared)
const Autobase = require('autobase')
const Corestore = require('corestore')
const os = require('os')
const path = require('path')
const fs = require('fs')

function open (store) {
  return store.get('view', { valueEncoding: 'json' })
}
async function apply (nodes, view, host) {
  for (const { value } of nodes) {
    if (value.add) await host.addWriter(Buffer.from(value.add, 'hex'), { indexer: true })
    else await view.append(value)
  }
}

async function main () {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ab-cleared-'))
  const a = new Autobase(new Corestore(path.join(dir, 'a')), null, { open, apply, valueEncoding: 'json', ackInterval: 0 })
  await a.ready()
  await a.append({ text: 'first' })
  await a.append({ text: 'deleted later' })
  await a.update()
  // The view's own default session: its length is what the indexer signed.
  const signed = a.store.get({ key: a.view.key, active: false })
  await signed.ready()
  console.log('view signed length', signed.length)
  // KEEP=1: nothing cleared; FIRST=1: the older block cleared instead (both add the indexer at once)
  const at = process.env.FIRST ? 0 : signed.length - 1
  if (!process.env.KEEP) await signed.clear(at, at + 1)
  await signed.close()

  // A second indexer (any key will do: it need not exist for the migration to start).
  const other = Buffer.alloc(32, 7)
  const added = a.append({ add: other.toString('hex') }).then(() => 'added')
  const late = new Promise((resolve) => setTimeout(() => resolve('STILL WAITING after 10 s'), 10_000))
  console.log('add an indexer:', await Promise.race([added, late]))
  const closed = a.close().then(() => 'closed')
  console.log('close:', await Promise.race([closed, new Promise((resolve) => setTimeout(() => resolve('STILL WAITING after 10 s'), 10_000))]))
  process.exit(0)
}
main()
