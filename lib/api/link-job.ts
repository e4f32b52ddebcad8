import fs from 'fs'
import path from 'path'
import Corestore from 'corestore'
import CoreStorage from 'hypercore-storage'
import crypto from 'hypercore-crypto'
import b4a from 'b4a'
import type { Api } from './api'
import { PeerlineError } from '../errors'
import { STORE_DIR } from '../identity/identity'
import { writeDeviceLink } from '../identity/device-link-file'
import type { ProfileSnapshot } from '../profile/profile-core'
import type { ContactRecord } from '../wire/schemas'
import { fetchProfile, putContacts } from '../profile/profile-restore'
import { RoomList } from '../rooms/room-list'

/** Holds the link text on a new device until its rooms are signed in (a restart resumes). */
const LINK_PENDING = 'device.link.pending'
const running = new WeakMap<Api, Promise<void>>()

/**
 * linkDevice on a fresh profile: pair with the first device (its certificate for our own key and
 * the profile encryption key), restart as its linked device, then finish in the background.
 */
export async function linkDevice(api: Api, text: string): Promise<{ number: string }> {
  const core = api.core
  if (core.identity.linked) throw PeerlineError.NOT_ALLOWED('This device is linked already.')
  if (core.contacts.list().length > 0 || core.rooms.list().length > 0) throw PeerlineError.PROFILE_IN_USE()
  const { link } = await core.deviceLinks.link(text)
  await api.reopen(() => {
    // Our own seed stays: it is this device's Noise key, which the certificate names.
    writeDeviceLink(api.storage, link)
    fs.writeFileSync(path.join(api.storage, LINK_PENDING), String(text).trim())
  })
  resumeLink(api)
  return { number: link.number }
}

/**
 * Finishes a link when one is pending: waits for the person's profile (from the first device, or
 * a contact's blind copy), puts its contacts in our book and its rooms in our room list under
 * fresh namespaces (our own writers: we never write as the first device), restarts, and asks the
 * first device to sign each writer into its room. Reports `linkProgress`.
 */
export function resumeLink(api: Api): void {
  const file = path.join(api.storage, LINK_PENDING)
  if (!fs.existsSync(file) || running.has(api)) return
  const run = finishLink(api, fs.readFileSync(file, 'utf8'))
    .catch((err: Error) => api.core.log('device link: ' + err.message))
    .finally(() => running.delete(api))
  running.set(api, run)
}

async function finishLink(api: Api, text: string): Promise<void> {
  let core = api.core
  const stopped = (): boolean => Boolean(core.closing) || api.core !== core
  if (core.rooms.list().length === 0 && core.contacts.list().length === 0) {
    core.network.dial(core.identity.publicKey) // the first device
    core.log('device link: waiting for the profile')
    const snapshot = await fetchProfile(core.profileSync.profile, stopped)
    if (snapshot === null) return
    await api.reopen(() => installLinked(api.storage, snapshot))
    core = api.core
  }
  const rooms = []
  const ids = new Map<string, string>()
  for (const entry of core.rooms.list()) {
    if (entry.broken !== null) continue
    const room = await core.rooms.open(entry.id)
    rooms.push({ discoveryKey: room.discoveryKey, writerKey: room.writerKey })
    ids.set(b4a.toString(room.discoveryKey, 'hex'), room.id)
  }
  core.network.dial(core.identity.publicKey)
  const answer = await core.deviceLinks.link(text, rooms)
  if (stopped()) return
  fs.rmSync(path.join(api.storage, LINK_PENDING), { force: true })
  // Skipped rooms wait on the first device (an admin there runs an older Peerline); it signs us
  // in when that admin connects with a version that knows linked devices.
  const skipped = answer.skipped.flatMap((s) => {
    const room = ids.get(b4a.toString(s.discoveryKey, 'hex'))
    return room === undefined ? [] : [{ room, reason: s.reason.slice(0, 300) }]
  })
  core.log(`device link: ${rooms.length - skipped.length} room(s) signed in, ${skipped.length} waiting`)
  api.notify('linkProgress', { contacts: core.contacts.list().length, rooms: rooms.length - skipped.length, done: true, skipped })
  followProfile(api)
}

/** How long a linked device lets its person's profile settle before it catches up with it (ms). */
const FOLLOW_DELAY = 500
/** What each Api last restarted for, so a room that cannot be installed never restarts it again. */
const followed = new WeakMap<Api, string>()
const following = new WeakSet<Api['core']>()

/**
 * On a linked device whose link finished: follows the person's profile core (it replicates from
 * the first device and from contacts' blind copies). When it names an accepted contact or a room
 * this device does not have, they are installed (rooms under a writer of our own) and the core
 * restarts; on meeting the first device again, the device channel asks it to sign us into them.
 */
export function followProfile(api: Api): void {
  const core = api.core
  if (!core.identity.linked || following.has(core) || fs.existsSync(path.join(api.storage, LINK_PENDING))) return
  following.add(core)
  let timer: ReturnType<typeof setTimeout> | null = null
  const soon = (): void => {
    if (timer !== null || core.closing) return
    timer = setTimeout(() => {
      timer = null
      catchUp(api, core).catch((err: Error) => core.log('device link: following the profile: ' + err.message))
    }, FOLLOW_DELAY)
  }
  const profile = core.profileSync.profile.core
  profile.on('append', soon)
  core.once('close', () => {
    profile.off('append', soon)
    if (timer !== null) clearTimeout(timer)
  })
  soon()
}

async function catchUp(api: Api, core: Api['core']): Promise<void> {
  if (core.closing || api.core !== core) return
  const snapshot = await core.profileSync.profile.read()
  await dropGone(api, core, snapshot)
  if (core.closing || api.core !== core) return
  // A room this device left (here: the person left it) is not new, nor installed again.
  const rooms = snapshot.rooms.filter((r) => !r.left && !core.rooms.has(r.key)).map((r) => r.id)
  const contacts = snapshot.contacts.filter((r) => contactChanged(core.book.get(r.publicKey), r)).map((r) => b4a.toString(r.publicKey, 'hex'))
  if (rooms.length === 0 && contacts.length === 0) return
  const what = [...rooms, ...contacts].sort().join(',')
  if (followed.get(api) === what) return
  followed.set(api, what)
  core.log(`device link: the profile names ${rooms.length} new room(s) and ${contacts.length} new contact(s): installing them`)
  await api.reopen(() => installLinked(api.storage, snapshot))
}

/**
 * The other half of following: a room the person left on another device is left here too (closed
 * and out of the list, no op: they left already, taking this device's writer along), and an
 * accepted contact the profile no longer holds as one (blocked there) is no contact here either.
 * The history stays on disk, as it does on the device that left. Nothing is dropped from a profile
 * we cannot read whole yet (every write holds the settings).
 */
async function dropGone(api: Api, core: Api['core'], snapshot: ProfileSnapshot): Promise<void> {
  if (snapshot.settings === null) return
  const left = new Set(snapshot.rooms.filter((r) => r.left).map((r) => r.id))
  for (const entry of core.rooms.list()) {
    if (!left.has(entry.id) || core.closing) continue
    core.log(`device link: room ${entry.id} was left on another device: leaving it here`)
    await core.rooms.leave(entry.id, { announce: false }) // the Api says roomLeft
  }
  const kept = new Set(snapshot.contacts.filter((r) => r.state === 'accepted').map((r) => b4a.toString(r.publicKey, 'hex')))
  for (const r of core.book.all()) {
    if (r.state !== 'accepted' || kept.has(b4a.toString(r.publicKey, 'hex')) || core.closing) continue
    core.log(`device link: contact ${r.number} was removed on another device: removing it here`)
    await core.book.remove(r.publicKey)
    api.notify('contactRemoved', { number: r.number })
  }
}

/** An accepted contact we lack, or hold in another state or with another direct room. */
function contactChanged(mine: ContactRecord | null, theirs: ContactRecord): boolean {
  if (theirs.state !== 'accepted') return false
  if (mine === null || mine.state !== 'accepted') return true
  return theirs.roomKey !== null && (mine.roomKey === null || !b4a.equals(mine.roomKey, theirs.roomKey))
}

/** Contacts as they are (pins, direct rooms); rooms under namespaces of our own. Never the store seed. */
async function installLinked(storage: string, snapshot: ProfileSnapshot): Promise<void> {
  const store = new Corestore(new CoreStorage(path.join(storage, STORE_DIR)))
  try {
    await store.ready()
    await putContacts(store, snapshot, contactChanged)
    const list = new RoomList(store.get({ name: 'rooms' }))
    await list.ready()
    for (const { id, ...entry } of snapshot.rooms) {
      if (entry.left || list.get(id) !== null) continue
      await list.put(id, { ...entry, namespace: crypto.randomBytes(32), read: 0 })
    }
    await list.close()
  } finally {
    await store.close()
  }
}
