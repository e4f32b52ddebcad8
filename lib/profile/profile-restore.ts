import type { ContactRecord } from '../wire/schemas'
import fs from 'fs'
import path from 'path'
import Autobase from 'autobase'
import Protomux from 'protomux'
import Corestore from 'corestore'
import CoreStorage from 'hypercore-storage'
import { ContactBook } from '../contacts/contact-book'
import { STORE_DIR } from '../identity/identity'
import { RoomList } from '../rooms/room-list'
import { roomStore } from '../rooms/room'
import type { ProfileCore, ProfileSnapshot } from './profile-core'
import { sleep } from '../sleep'

// A restore from the phrase, in three steps (the Api runs them):
// 1. fetchProfile: wait until someone online (a contact holding a blind copy) brings our profile
//    core, and read it: contacts, rooms and the Corestore seed our room writer keys came from.
// 2. fetchOwnWriters: for each room, fetch the writer core the old device wrote in it. We write
//    as that same writer again (same seed), so we must start from its newest length: appending
//    to an empty copy of it would fork it at every member. A room whose writer core nobody online
//    has is left out of this restore rather than risked.
// 3. installProfile (core closed): put the old seed in the store and the contacts and rooms in the
//    contact book and room list; the core then opens as the old device did.

/** Present while a restore from the phrase is under way: the profile core writes nothing then. */
export const RESTORE_MARKER = 'restore.pending'
const POLL_MS = 100

export function markRestoring(storage: string): void {
  fs.writeFileSync(path.join(storage, RESTORE_MARKER), '')
}

export function isRestoring(storage: string): boolean {
  return fs.existsSync(path.join(storage, RESTORE_MARKER))
}

export function finishRestoring(storage: string): void {
  fs.rmSync(path.join(storage, RESTORE_MARKER), { force: true })
}

/** Resolves with the profile once a peer has brought it, or null if `stopped()` first. */
export async function fetchProfile(profile: ProfileCore, stopped: () => boolean): Promise<ProfileSnapshot | null> {
  // A core only asks new connections for itself while it is downloading (Corestore attaches
  // those): ours is writable and would otherwise wait for a holder to offer it first.
  const download = profile.core.download({ start: 0, end: -1 })
  try {
    while (profile.length === 0 || profile.core.contiguousLength < profile.length) {
      if (stopped()) return null
      await sleep(POLL_MS)
    }
  } finally {
    download.destroy()
  }
  return profile.read()
}

/**
 * On a store that already has the old seed: opens our own writer core of each room (by name, so
 * it is ours to write) and downloads it to the newest length someone online has. Answers the ids
 * of the rooms whose writer core is here whole.
 */
export async function fetchOwnWriters(store: Corestore, snapshot: ProfileSnapshot, deadline: number, stopped: () => boolean, muxers: () => Protomux[]): Promise<Set<string>> {
  const ready = new Set<string>()
  await Promise.all(
    snapshot.rooms
      .filter((r) => !r.left)
      .map(async (r) => {
        const core = Autobase.getLocalCore(roomStore(store, r.namespace), {}, r.encryptionKey)
        try {
          await core.ready()
          const download = core.download({ start: 0, end: -1 })
          const offered = new Set<Protomux>()
          while (core.peers.length === 0) {
            if (Date.now() > deadline || stopped()) return
            // Offer it on every connection ourselves: Corestore attaches a new core to the
            // streams that exist only in some states, and the contact may have connected first.
            for (const mux of muxers()) {
              if (offered.has(mux)) continue
              offered.add(mux)
              core.replicate(mux)
            }
            await sleep(POLL_MS)
          }
          await core.update({ wait: true, force: true })
          while (core.contiguousLength < core.length) {
            if (Date.now() > deadline || stopped()) return
            await sleep(POLL_MS)
          }
          download.destroy()
          ready.add(r.id)
        } finally {
          await core.close()
        }
      })
  )
  return ready
}

/** Puts the old Corestore seed and the contacts into a closed profile (rooms: installRooms). */
export async function installProfile(storage: string, snapshot: ProfileSnapshot): Promise<void> {
  const dir = path.join(storage, STORE_DIR)
  if (snapshot.storeSeed !== null) {
    const raw = new CoreStorage(dir)
    await raw.ready()
    await raw.setSeed(snapshot.storeSeed, { overwrite: true })
    await raw.close()
  }
  const store = new Corestore(new CoreStorage(dir))
  try {
    await store.ready()
    await putContacts(store, snapshot)
  } finally {
    await store.close()
  }
}

/** The snapshot's contacts (those not in the book yet) and settings, into a closed profile's store. */
export async function putContacts(
  store: Corestore,
  snapshot: ProfileSnapshot,
  replace: (mine: ContactRecord | null, theirs: ContactRecord) => boolean = (mine) => mine === null
): Promise<void> {
  const book = new ContactBook(store.get({ name: 'profile' }))
  await book.ready()
  for (const r of snapshot.contacts) if (replace(book.get(r.publicKey), r)) await book.put(r)
  if (snapshot.settings !== null) await book.setSettings(snapshot.settings)
  await book.close()
}

/** Puts the rooms in `ids` into a closed profile's room list: the core opens them next time. */
export async function installRooms(storage: string, snapshot: ProfileSnapshot, ids: Set<string>): Promise<void> {
  const store = new Corestore(new CoreStorage(path.join(storage, STORE_DIR)))
  try {
    await store.ready()
    const list = new RoomList(store.get({ name: 'rooms' }))
    await list.ready()
    for (const { id, ...entry } of snapshot.rooms) if (ids.has(id) && list.get(id) === null) await list.put(id, entry)
    await list.close()
  } finally {
    await store.close()
  }
}
