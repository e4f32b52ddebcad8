import Protomux from 'protomux'
import type { Api } from './api'
import { fetchOwnWriters, fetchProfile, finishRestoring, installProfile, installRooms, isRestoring } from '../profile/profile-restore'

/** How long a restore waits for our writer cores once the profile has arrived. */
const WRITER_WAIT = 30_000
const restoring = new WeakMap<Api, Promise<void>>()

/**
 * Finishes a restore from the phrase in the background when the profile says one is under way
 * (restoreIdentity marked it, or the app stopped in the middle of one): contacts and rooms come
 * back once someone online holds our profile. Reports `restoreProgress`.
 */
export function resumeRestore(api: Api): void {
  if (!isRestoring(api.storage) || restoring.has(api)) return
  const run = restoreProfile(api)
    .catch((err: Error) => api.core.log('restore: ' + err.message))
    .finally(() => restoring.delete(api))
  restoring.set(api, run)
}

async function restoreProfile(api: Api): Promise<void> {
  const { storage } = api
  const progress = (contacts: number, rooms: number, done: boolean): void => api.notify('restoreProgress', { contacts, rooms, done })
  const stoppedFor = (core: Api['core']) => (): boolean => Boolean(core.closing) || api.core !== core
  progress(0, 0, false)
  let core = api.core
  core.log(`restore: waiting for someone who holds our profile`)
  const snapshot = await fetchProfile(core.profileSync.profile, stoppedFor(core))
  if (snapshot === null) return
  progress(snapshot.contacts.length, 0, false)
  // First the old store seed and the contacts (who we can then reach), no rooms yet...
  await api.reopen(() => installProfile(storage, snapshot))
  core = api.core
  // ...then our own writer core of each room, whole, before any room opens and writes to it.
  const network = core.network
  const muxers = (): Protomux[] => [...network.swarm.connections].map((c) => c.userData).filter((m): m is Protomux => Protomux.isProtomux(m))
  const ids = await fetchOwnWriters(core.store, snapshot, Date.now() + WRITER_WAIT, stoppedFor(core), muxers)
  if (stoppedFor(core)()) return
  core.log(`restore: ${snapshot.contacts.length} contact(s), ${ids.size} of ${snapshot.rooms.filter((r) => !r.left).length} room(s)`)
  await api.reopen(async () => {
    await installRooms(storage, snapshot, ids)
    finishRestoring(storage)
  })
  progress(snapshot.contacts.length, ids.size, true)
}
