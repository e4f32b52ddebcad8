import fs from 'fs'
import Protomux from 'protomux'
import path from 'path'
import b4a from 'b4a'
import z32 from 'z32'
import { PeerlineError } from '../errors'
import { checkPassphrase } from '../profile/archive-format'
import { HELD_FILES_DIR, commitImport, discardImport, exportProfile, stageImport } from '../profile/profile-archive'
import type { Progress } from '../profile/profile-archive'
import { writeReadableExport } from '../profile/readable-export'
import type { ReadableConversation } from '../profile/readable-export'
import type { Api, Params } from './api'
import { fetchOwnWriters, fetchProfile, finishRestoring, installProfile, installRooms, isRestoring } from '../profile/profile-restore'
import type { HistoryEntry } from './room-methods'

type Handler = (p: Params) => Promise<unknown>

/**
 * Export and import of the whole profile (an encrypted archive) and the readable export. One
 * archive job runs at a time per Api. Registered into the Api's method map by `profileMethods`.
 */
export function profileMethods(api: Api): Record<string, Handler> {
  let busy = false
  const exclusive = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (busy) throw PeerlineError.BUSY('An export or import is already running: wait for it to finish.')
    busy = true
    try {
      return await fn()
    } finally {
      busy = false
    }
  }
  const progress = (name: 'exportProgress' | 'importProgress') => (p: Progress) => api.emit('notification', name, p)

  return {
    /** The profile core (what a restore from the phrase brings back) and our blind copies of contacts'. */
    profileStatus: async () => {
      const { profileSync, contacts } = api.core
      const numbers = new Map(contacts.list().map((c) => [c.publicKey, c.number]))
      const held = await profileSync.profile.read()
      return {
        key: b4a.toString(profileSync.profile.key, 'hex'),
        length: profileSync.profile.length,
        contacts: held.contacts.length,
        rooms: held.rooms.length,
        restoring: profileSync.holding,
        copies: profileSync.mirrors.lengths().map((m) => ({ number: numbers.get(m.publicKey) ?? '', length: m.length }))
      }
    },

    exportProfile: (p) => exclusive(async () => {
      const file = path.resolve(p.path === undefined ? path.join(api.downloadsFolder(), `peerline-${api.core.identity.number}-${stamp()}.peerline`) : text(p, 'path'))
      const passphrase = text(p, 'passphrase')
      checkPassphrase(passphrase)
      if (p.files !== undefined && typeof p.files !== 'boolean') throw PeerlineError.BAD_REQUEST('"files" must be true or false')
      const { identity, store, files } = api.core
      const held = p.files === true ? files.held() : []
      // As downloads do: the folder is made if missing (the default Downloads may not exist yet).
      fs.mkdirSync(path.dirname(file), { recursive: true })
      const { bytes } = await exportProfile({ storage: api.storage, store, number: identity.number, publicKey: identity.publicKey, held }, file, passphrase, progress('exportProgress'))
      return { path: file, bytes }
    }),

    importProfile: (p) => exclusive(async () => {
      const file = path.resolve(text(p, 'path'))
      const passphrase = text(p, 'passphrase')
      // The archive replaces this profile whole: only a profile with nothing in it yet may take it.
      if (api.core.contacts.list().length > 0 || api.core.rooms.list().length > 0) throw PeerlineError.PROFILE_IN_USE()
      const staged = await stageImport(api.storage, file, passphrase, progress('importProgress'))
      try {
        await api.reopen(() => commitImport(api.storage, staged))
      } catch (err) {
        discardImport(staged)
        throw err
      }
      // Files the archive carried are served and found from their new place.
      for (const [id, name] of staged.held) await api.core.files.relocate(b4a.from(id, 'hex'), path.join(api.storage, HELD_FILES_DIR, name))
      return api.whoami()
    }),

    exportReadable: (p) => exclusive(async () => {
      const dir = path.resolve(p.path === undefined ? path.join(api.downloadsFolder(), `peerline-export-${stamp()}`) : text(p, 'path'))
      const { core, rooms } = api
      const conversations: Array<ReadableConversation<HistoryEntry>> = []
      for (const summary of await rooms.list()) {
        if (summary.broken !== null) continue
        const room = await core.rooms.open(summary.room)
        const numbers = await rooms._numbersByKey(room)
        // Straight from the room: history() would also mark everything read.
        const messages = (await room.history(room.length)).map((m) => rooms.entry(m, numbers))
        const members = (await rooms.members(summary.room)).map((m) => ({ number: m.number, name: m.name, role: m.role }))
        conversations.push({ room: summary.room, name: summary.name, kind: summary.kind, active: summary.active, members, messages })
      }
      const profile = {
        number: core.identity.number,
        name: core.book.settings.name,
        contacts: core.contacts.list().map((c) => ({ number: c.number, name: c.name, state: c.state }))
      }
      const fileOnDisk = (id: string): string | null => {
        try {
          return core.files.localPath(z32.decode(id))
        } catch {
          return null
        }
      }
      const written = writeReadableExport(dir, { profile, conversations, fileOnDisk }, progress('exportProgress'))
      return { path: dir, ...written }
    })
  }
}

/** A file name's date and time (local), e.g. 2026-11-30-0915. */
function stamp(): string {
  const d = new Date()
  const two = (n: number): string => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}-${two(d.getHours())}${two(d.getMinutes())}${two(d.getSeconds())}`
}

function text(p: Params, key: string): string {
  const v = p[key]
  if (typeof v !== 'string' || v.length === 0) throw PeerlineError.BAD_REQUEST(`"${key}" must be a string`)
  return v
}

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
  const progress = (contacts: number, rooms: number, done: boolean): void => void api.emit('notification', 'restoreProgress', { contacts, rooms, done })
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
