import test from 'brittle'
import b4a from 'b4a'
import fs from 'fs'
import path from 'path'
import Corestore from 'corestore'
import CoreStorage from 'hypercore-storage'
import { PeerlineError } from '../../lib/errors'
import { commitImport, exportProfile, stageImport, STAGING_DIR } from '../../lib/profile/profile-archive'
import type { Progress } from '../../lib/profile/profile-archive'

const PASS = 'correct horse battery'
const ENC = b4a.alloc(32, 7)

/** A profile folder with a seed, a blocklist and a store holding one encrypted core of 50 blocks. */
async function makeProfile(dir: string): Promise<{ key: Buffer }> {
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(path.join(dir, 'identity.seed'), b4a.alloc(32, 1))
  fs.writeFileSync(path.join(dir, 'blocklist.txt'), 'a'.repeat(64) + '\n')
  const store = new Corestore(new CoreStorage(path.join(dir, 'corestore')))
  const core = store.get({ name: 'history', encryptionKey: ENC })
  await core.ready()
  for (let i = 0; i < 50; i++) await core.append(b4a.from('message ' + i))
  const key = core.key
  await store.close()
  if (key === null) throw new Error('a ready core has a key')
  return { key }
}

async function exportOf(dir: string, file: string, progress: Progress[] = []): Promise<void> {
  const store = new Corestore(new CoreStorage(path.join(dir, 'corestore')))
  await store.ready()
  try {
    await exportProfile({ storage: dir, store, number: '123456789', publicKey: b4a.alloc(32, 2) }, file, PASS, (p) => progress.push(p))
  } finally {
    await store.close()
  }
}

async function code(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn()
    return 'no error'
  } catch (err) {
    return err instanceof PeerlineError ? err.code : 'not a PeerlineError: ' + (err as Error).message
  }
}

test('export then import: the same seed, blocklist and core (same key, blocks, still writable)', async (t) => {
  const root = await t.tmp()
  const a = path.join(root, 'a')
  const { key } = await makeProfile(a)
  const file = path.join(root, 'profile.peerline')
  const progress: Progress[] = []
  await exportOf(a, file, progress)
  t.ok(progress.length >= 2, 'progress reported')
  const last = progress[progress.length - 1]
  t.is(last.done, last.total, 'progress ends at its total')
  t.alike(fs.readdirSync(root).sort(), ['a', 'profile.peerline'], 'no temp file left beside the archive')
  t.absent(b4a.from(fs.readFileSync(file)).includes(b4a.from('message 1')), 'nothing readable in the archive')

  const b = path.join(root, 'b')
  fs.mkdirSync(b)
  fs.writeFileSync(path.join(b, 'identity.seed'), b4a.alloc(32, 9))
  const staged = await stageImport(b, file, PASS)
  t.is(staged.meta.number, '123456789')
  t.alike(fs.readFileSync(path.join(b, 'identity.seed')), b4a.alloc(32, 9), 'staging changes nothing of the profile')
  commitImport(b, staged)
  t.alike(fs.readFileSync(path.join(b, 'identity.seed')), b4a.alloc(32, 1), 'seed restored')
  t.is(fs.readFileSync(path.join(b, 'blocklist.txt'), 'utf8'), 'a'.repeat(64) + '\n', 'blocklist restored')
  t.absent(fs.existsSync(path.join(b, STAGING_DIR)), 'staging removed')

  const store = new Corestore(new CoreStorage(path.join(b, 'corestore')))
  t.teardown(() => store.close())
  const core = store.get({ name: 'history', encryptionKey: ENC })
  await core.ready()
  t.alike(core.key, key as Buffer | null, 'the same named core: the store seed came along')
  t.is(core.length, 50)
  t.is(b4a.toString((await core.get(49)) ?? b4a.alloc(0)), 'message 49')
  t.ok(core.writable, 'still ours to write')
  await core.append(b4a.from('after import'))
  t.is(core.length, 51)
})

test('files carried in the archive come back whole, in pieces of any size', async (t) => {
  const root = await t.tmp()
  const a = path.join(root, 'a')
  await makeProfile(a)
  const big = path.join(root, 'big.bin')
  const bytes = b4a.alloc(2.5 * 1024 * 1024)
  for (let i = 0; i < bytes.byteLength; i++) bytes[i] = (i * 31) & 0xff
  fs.writeFileSync(big, bytes)
  const empty = path.join(root, 'empty.txt')
  fs.writeFileSync(empty, '')
  const held = [
    { id: b4a.alloc(32, 3), name: 'big.bin', path: big },
    { id: b4a.alloc(32, 4), name: '../../empty.txt', path: empty }
  ]
  const store = new Corestore(new CoreStorage(path.join(a, 'corestore')))
  await store.ready()
  const file = path.join(root, 'with-files.peerline')
  try {
    await exportProfile({ storage: a, store, number: '123456789', publicKey: b4a.alloc(32, 2), held }, file, PASS)
  } finally {
    await store.close()
  }
  const b = path.join(root, 'b')
  fs.mkdirSync(b)
  const staged = await stageImport(b, file, PASS)
  t.is(staged.held.size, 2)
  commitImport(b, staged)
  const bigName = staged.held.get(b4a.toString(held[0].id, 'hex')) ?? ''
  const emptyName = staged.held.get(b4a.toString(held[1].id, 'hex')) ?? ''
  t.alike(fs.readFileSync(path.join(b, 'files', bigName)), bytes, 'three pieces, the same bytes')
  t.is(fs.readFileSync(path.join(b, 'files', emptyName)).byteLength, 0, 'an empty file too')
  t.ok(emptyName.endsWith('-empty.txt'), 'a name from the archive cannot climb out of the folder')
})

test('a wrong passphrase, a cut archive, a damaged one, trailing bytes, not an archive: clear codes, nothing changed', async (t) => {
  const root = await t.tmp()
  const a = path.join(root, 'a')
  await makeProfile(a)
  const file = path.join(root, 'profile.peerline')
  await exportOf(a, file)
  const whole = fs.readFileSync(file)

  const b = path.join(root, 'b')
  fs.mkdirSync(b)
  fs.writeFileSync(path.join(b, 'identity.seed'), b4a.alloc(32, 9))
  const untouched = (what: string): void => {
    t.alike(fs.readdirSync(b), ['identity.seed'], `${what}: the profile is as it was, no staging left`)
  }

  t.is(await code(() => stageImport(b, file, 'not the passphrase')), 'PASSPHRASE_WRONG')
  untouched('wrong passphrase')

  const variant = (name: string, bytes: Buffer): string => {
    const f = path.join(root, name)
    fs.writeFileSync(f, bytes)
    return f
  }
  t.is(await code(() => stageImport(b, variant('cut', whole.subarray(0, whole.byteLength - 100)), PASS)), 'ARCHIVE_CORRUPT', 'cut short')
  untouched('cut short')
  t.is(await code(() => stageImport(b, variant('half', whole.subarray(0, whole.byteLength >> 1)), PASS)), 'ARCHIVE_CORRUPT', 'cut in half')
  untouched('cut in half')
  const flipped = b4a.from(whole)
  flipped[whole.byteLength - 20] ^= 1
  t.is(await code(() => stageImport(b, variant('flipped', flipped), PASS)), 'ARCHIVE_CORRUPT', 'one bit flipped near the end')
  untouched('bit flipped')
  t.is(await code(() => stageImport(b, variant('trailing', b4a.concat([whole, b4a.from('x')])), PASS)), 'ARCHIVE_CORRUPT', 'bytes after the end')
  untouched('trailing bytes')
  t.is(await code(() => stageImport(b, variant('text', b4a.from('just some text, not an archive at all, long enough for a header')), PASS)), 'ARCHIVE_CORRUPT', 'not an archive')
  const newer = b4a.from(whole)
  newer[16] = 2
  t.is(await code(() => stageImport(b, variant('newer', newer), PASS)), 'ARCHIVE_UNSUPPORTED', 'a newer format version')
  untouched('newer')
  t.is(await code(() => stageImport(b, path.join(root, 'missing'), PASS)), 'FILE_NOT_FOUND')
})

test('an export that fails leaves no file and no temp file', async (t) => {
  const root = await t.tmp()
  const a = path.join(root, 'a')
  await makeProfile(a)
  const store = new Corestore(new CoreStorage(path.join(a, 'corestore')))
  await store.ready()
  t.teardown(() => store.close())
  const file = path.join(root, 'out.peerline')
  const err = await code(() =>
    exportProfile({ storage: a, store, number: '123456789', publicKey: b4a.alloc(32, 2) }, file, PASS, (p) => {
      if (p.done > 0) throw new Error('disk full, say')
    })
  )
  t.is(err, 'not a PeerlineError: disk full, say')
  t.alike(fs.readdirSync(root), ['a'], 'nothing written beside it')
})
