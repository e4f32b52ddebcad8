import fs from 'fs'
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
