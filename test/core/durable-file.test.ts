import test from 'brittle'
import b4a from 'b4a'
import fs from 'fs'
import path from 'path'
import { Blocklist } from '../../lib/files/blocklist'
import { writeDurable } from '../../lib/storage/durable-file'

const A = 'a'.repeat(64)
const B = 'b'.repeat(64)

test('the blocklist is replaced whole, never rewritten in place', async (t) => {
  const dir = await t.tmp()
  const list = new Blocklist(dir)
  list.set([A])
  const file = path.join(dir, 'blocklist.txt')
  // A reader (or a crash) in the middle of a rewrite must see the old list or the new one, whole.
  const fd = fs.openSync(file, 'r')
  t.teardown(() => fs.closeSync(fd))
  list.set([B])
  const old = b4a.alloc(200)
  const n = fs.readSync(fd, old, 0, 200, 0)
  t.is(b4a.toString(old.subarray(0, n)), A + '\n', 'the old file was not touched: the new one was renamed over it')
  t.is(fs.readFileSync(file, 'utf8'), B + '\n')
  t.alike(new Blocklist(dir).list(), [B], 'read back')
  t.alike(fs.readdirSync(dir), ['blocklist.txt'], 'no temp file left')
})

test('writeDurable: a failed write leaves the old file whole and no temp file', async (t) => {
  const dir = await t.tmp()
  const file = path.join(dir, 'settings.bin')
  writeDurable(file, b4a.from('one'))
  t.is(fs.readFileSync(file, 'utf8'), 'one')
  writeDurable(file, b4a.from('two'), { mode: 0o600 })
  t.is(fs.readFileSync(file, 'utf8'), 'two')
  t.is(fs.statSync(file).mode & 0o777, 0o600, 'mode applied')
  try {
    writeDurable(path.join(dir, 'no', 'such', 'dir', 'x'), b4a.from('x'))
    t.fail('wrote into a missing folder')
  } catch {
    t.pass('refused')
  }
  t.is(fs.readFileSync(file, 'utf8'), 'two', 'untouched')
  t.alike(fs.readdirSync(dir), ['settings.bin'], 'no temp file left')
})
