import test from 'brittle'
import b4a from 'b4a'
import path from 'path'
import Corestore from 'corestore'
import { keyPairFromSeed } from '../../lib/identity/identity'
import { ProfileCore, profileEncryptionKey, profileKeyOf } from '../../lib/profile/profile-core'
import type { ProfileSnapshot } from '../../lib/profile/profile-core'
import { ProfileMirrors } from '../../lib/profile/profile-mirrors'
import { ROOM_DIRECT } from '../../lib/wire/schemas'
import { eventually } from '../../harness/eventually'

const SEED = b4a.alloc(32, 5)

function pipe(a: Corestore, b: Corestore): () => void {
  const s1 = a.replicate(true)
  const s2 = b.replicate(false)
  s1.pipe(s2).pipe(s1)
  return () => {
    s1.destroy()
    s2.destroy()
  }
}

const snapshot: ProfileSnapshot = {
  storeSeed: b4a.alloc(32, 8),
  settings: { name: 'Alice', contactsOnly: true, alwaysOn: [], readReceipts: true },
  contacts: [{ publicKey: b4a.alloc(32, 1), number: '123456789', name: 'Bob', state: 'accepted', roomKey: b4a.alloc(32, 2), roomEncryptionKey: b4a.alloc(32, 3), acceptPending: false, added: 1000 }],
  rooms: [{ id: 'room-one', key: b4a.alloc(32, 2), encryptionKey: b4a.alloc(32, 3), namespace: b4a.alloc(32, 4), kind: ROOM_DIRECT, read: 3, left: false }]
}

/** One Corestore per name in a temp folder, closed at teardown. */
async function storesFor(t: Parameters<Parameters<typeof test>[1]>[0], names: string[]): Promise<Corestore[]> {
  const dir = await t.tmp()
  const stores = names.map((n) => new Corestore(path.join(dir, n)))
  t.teardown(async () => {
    for (const s of stores) await s.close()
  })
  return stores
}

test('the profile core: found from the public key, held blind by a contact, restored from the seed alone', async (t) => {
  const [sa, sb, sr] = await storesFor(t, ['a', 'b', 'r'])
  const keyPair = keyPairFromSeed(SEED)

  const mine = new ProfileCore({ store: sa, keyPair, seed: SEED })
  await mine.ready()
  t.alike(mine.key, profileKeyOf(keyPair.publicKey), 'its key follows from the public key')
  t.ok(mine.core.writable)
  t.is(await mine.write(snapshot), 4, 'four records written')
  t.is(await mine.write(snapshot), 0, 'the same state writes nothing')

  // Bob keeps a blind copy: he knows only Alice's public key.
  const mirrors = new ProfileMirrors(sb)
  mirrors.mirror(keyPair.publicKey)
  const unpipeAB = pipe(sa, sb)
  const blind = sb.get({ key: profileKeyOf(keyPair.publicKey) })
  await blind.ready()
  await eventually(async () => blind.contiguousLength, (n) => n === mine.length, 10_000)
  t.is(blind.contiguousLength, mine.length, 'the contact holds every block')
  let plain = false
  for (let i = 0; i < blind.length; i++) if (b4a.from((await blind.get(i)) ?? b4a.alloc(0)).includes(b4a.from('Bob'))) plain = true
  t.absent(plain, 'and cannot read them')
  unpipeAB()
  await mine.close()

  // A new device with only the seed, and only Bob online.
  const restored = new ProfileCore({ store: sr, keyPair: keyPairFromSeed(SEED), seed: SEED })
  await restored.ready()
  t.is(restored.length, 0, 'nothing here yet')
  const unpipeBR = pipe(sb, sr)
  t.teardown(unpipeBR)
  await eventually(async () => restored.length, (n) => n === blind.length, 10_000)
  const back = await restored.read()
  t.alike(back, snapshot, 'contacts, rooms, settings and the store seed come back')

  // It goes on from there, and Bob's copy follows.
  t.is(await restored.write({ ...snapshot, contacts: [] }), 1, 'one change: a contact removed')
  await eventually(async () => blind.length, (n) => n === restored.length, 10_000)
  t.is(blind.length, restored.length, 'the blind copy follows the new device')
  await blind.close()
  await mirrors.close()
  await restored.close()
})

// A linked device holds the profile encryption key (it reads contacts and rooms) but never the
// identity seed. The Corestore seed in the profile is sealed under a key only the seed gives: were
// it readable, a removed device could append to the first device's writer cores in every room.
test('a linked device reads the profile but not the store seed; the seed holder does', async (t) => {
  const [sa, sl, sr] = await storesFor(t, ['a', 'linked', 'r'])
  const keyPair = keyPairFromSeed(SEED)
  const mine = new ProfileCore({ store: sa, keyPair, seed: SEED })
  await mine.ready()
  await mine.write(snapshot)
  t.is(await mine.write(snapshot), 0, 'sealing the same seed again writes nothing')

  const linked = new ProfileCore({ store: sl, keyPair: { publicKey: keyPair.publicKey, secretKey: null }, seed: { encryptionKey: profileEncryptionKey(SEED) } })
  await linked.ready()
  const unpipe = pipe(sa, sl)
  t.teardown(unpipe)
  await eventually(async () => linked.core.contiguousLength, (n) => n === mine.length, 10_000)
  const seen = await linked.read()
  t.alike(seen.contacts, snapshot.contacts, 'the linked device reads the contacts')
  t.is(seen.storeSeed, null, 'but not the store seed')
  const seed = snapshot.storeSeed as Buffer
  let found = false
  for (let i = 0; i < linked.core.length; i++) if (b4a.from((await linked.core.get(i)) ?? b4a.alloc(0)).includes(seed)) found = true
  t.absent(found, 'no block it can decrypt holds the seed bytes')

  // The identity seed (a restore from the phrase) opens it.
  const restored = new ProfileCore({ store: sr, keyPair, seed: SEED })
  await restored.ready()
  const unpipe2 = pipe(sl, sr)
  t.teardown(unpipe2)
  await eventually(async () => restored.length, (n) => n === mine.length, 10_000)
  t.alike((await restored.read()).storeSeed, seed, 'the seed holder reads it back')
  await Promise.all([mine.close(), linked.close(), restored.close()])
})
