import fs from 'fs'
import path from 'path'
import b4a from 'b4a'
import z32 from 'z32'
import type { ArchiveProgress, HistoryEntry, Params, Result } from '../../contract'
import { PeerlineError } from '../../errors'
import { checkPassphrase } from '../../profile/archive-format'
import { HELD_FILES_DIR, commitImport, discardImport, exportProfile, stageImport } from '../../profile/profile-archive'
import { writeReadableExport } from '../../profile/readable-export'
import type { ReadableConversation } from '../../profile/readable-export'
import { optBool, optStr, str } from '../params'
import type { RawParams } from '../params'
import { none } from './handler'
import type { HandlerContext, HandlerTable } from './handler'
import { whoami } from './identity'

const archive = (p: RawParams): { path: string; passphrase: string } => ({ path: str(p, 'path'), passphrase: str(p, 'passphrase') })

/**
 * Export and import of the whole profile (an encrypted archive), the readable export, and the
 * profile core a restore from the phrase reads. One archive job runs at a time per Api.
 */
export const profileHandlers: HandlerTable<'profile'> = {
  profileStatus: { params: none, run: profileStatus },
  exportProfile: {
    params: (p) => ({ path: optStr(p, 'path'), passphrase: str(p, 'passphrase'), files: optBool(p, 'files') }),
    run: (ctx, p) => exclusive(ctx, () => exportArchive(ctx, p))
  },
  importProfile: { params: archive, run: (ctx, p) => exclusive(ctx, () => importArchive(ctx, p)) },
  exportReadable: { params: (p) => ({ path: optStr(p, 'path') }), run: (ctx, p) => exclusive(ctx, () => exportReadable(ctx, p)) }
}

/** Apis with an export or import running. */
const busy = new WeakSet<HandlerContext>()

async function exclusive<T>(ctx: HandlerContext, fn: () => Promise<T>): Promise<T> {
  if (busy.has(ctx)) throw PeerlineError.BUSY('An export or import is already running: wait for it to finish.')
  busy.add(ctx)
  try {
    return await fn()
  } finally {
    busy.delete(ctx)
  }
}

const progress = (ctx: HandlerContext, name: 'exportProgress' | 'importProgress') => (p: ArchiveProgress) => ctx.notify(name, p)

async function profileStatus({ core }: HandlerContext): Promise<Result<'profileStatus'>> {
  const { profileSync, contacts } = core
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
}

async function exportArchive(ctx: HandlerContext, p: Params<'exportProfile'>): Promise<Result<'exportProfile'>> {
  const { identity, store, files } = ctx.core
  const file = path.resolve(p.path ?? path.join(ctx.downloadsFolder(), `peerline-${identity.number}-${stamp()}.peerline`))
  checkPassphrase(p.passphrase)
  const held = p.files === true ? files.held() : []
  // As downloads do: the folder is made if missing (the default Downloads may not exist yet).
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const src = { storage: ctx.storage, store, number: identity.number, publicKey: identity.publicKey, held }
  const { bytes } = await exportProfile(src, file, p.passphrase, progress(ctx, 'exportProgress'))
  return { path: file, bytes }
}

async function importArchive(ctx: HandlerContext, p: Params<'importProfile'>): Promise<Result<'importProfile'>> {
  const file = path.resolve(p.path)
  // The archive replaces this profile whole: only a profile with nothing in it yet may take it.
  if (ctx.core.contacts.list().length > 0 || ctx.core.rooms.list().length > 0) throw PeerlineError.PROFILE_IN_USE()
  const staged = await stageImport(ctx.storage, file, p.passphrase, progress(ctx, 'importProgress'))
  try {
    await ctx.reopen(() => commitImport(ctx.storage, staged))
  } catch (err) {
    discardImport(staged)
    throw err
  }
  // Files the archive carried are served and found from their new place.
  for (const [id, name] of staged.held) await ctx.core.files.relocate(b4a.from(id, 'hex'), path.join(ctx.storage, HELD_FILES_DIR, name))
  return whoami(ctx)
}

async function exportReadable(ctx: HandlerContext, p: Params<'exportReadable'>): Promise<Result<'exportReadable'>> {
  const dir = path.resolve(p.path ?? path.join(ctx.downloadsFolder(), `peerline-export-${stamp()}`))
  const { core, rooms } = ctx
  const conversations: Array<ReadableConversation<HistoryEntry>> = []
  for (const summary of await rooms.list()) {
    if (summary.broken !== null) continue
    const room = await core.rooms.open(summary.room)
    const numbers = await rooms.numbersByKey(room)
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
  const written = writeReadableExport(dir, { profile, conversations, fileOnDisk }, progress(ctx, 'exportProgress'))
  return { path: dir, ...written }
}

/** A file name's date and time (local), e.g. 2026-11-30-091500. */
function stamp(): string {
  const d = new Date()
  const two = (n: number): string => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}-${two(d.getHours())}${two(d.getMinutes())}${two(d.getSeconds())}`
}
