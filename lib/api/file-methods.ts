import fs from 'fs'
import { PeerlineError } from '../errors'
import type { FilePreview, LocalFileState } from '../contract'
import type { ApiServices } from './services'
import { closeFile, openFile, readAt } from '../files/file-io'

/** Images up to this size are handed to the window whole for an inline preview. */
export const MAX_PREVIEW_BYTES = 8 * 1024 * 1024

/** Image types a preview is made for, by their first bytes (never by the sender's file name). */
const SIGNATURES: Array<{ mime: string; test: (b: Buffer) => boolean }> = [
  { mime: 'image/png', test: (b) => b.length >= 8 && b[0] === 0x89 && b.toString('latin1', 1, 4) === 'PNG' },
  { mime: 'image/jpeg', test: (b) => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { mime: 'image/gif', test: (b) => b.length >= 6 && /^GIF8[79]a$/.test(b.toString('latin1', 0, 6)) },
  { mime: 'image/webp', test: (b) => b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP' }
]

/** `fileStates {}`: every file this device sent or downloaded, kept across restarts. */
export function fileStates(core: ApiServices): LocalFileState[] {
  return core.files.states()
}

/**
 * `filePreview {file}`: a whole local image (sent, or downloaded and checked against its hash) as
 * base64 with its type, for the window to show inline; the bytes never leave this device. Answers
 * `{mime: null}` when the file is not an image we preview (other types, too large, not here).
 */
export async function filePreview(core: ApiServices, file: string): Promise<FilePreview> {
  let path: string | null
  try {
    path = core.files.completePath(file)
  } catch {
    throw PeerlineError.BAD_REQUEST('file must be a file id')
  }
  if (path === null) return { mime: null, data: '' }
  let data: Buffer
  try {
    const stat = fs.statSync(path)
    if (!stat.isFile() || stat.size > MAX_PREVIEW_BYTES) return { mime: null, data: '' }
    const fd = await openFile(path, 'r')
    try {
      data = await readAt(fd, stat.size, 0)
    } finally {
      await closeFile(fd)
    }
  } catch {
    return { mime: null, data: '' } // moved or deleted since
  }
  const kind = SIGNATURES.find((s) => s.test(data))
  return kind ? { mime: kind.mime, data: data.toString('base64') } : { mime: null, data: '' }
}
