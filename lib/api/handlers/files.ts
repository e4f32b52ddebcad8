import z32 from 'z32'
import type { Params, Result } from '../../contract'
import { PeerlineError } from '../../errors'
import { fileInfo } from '../../files/file-info'
import { filePreview, fileStates } from '../file-methods'
import { done, optStr, str, strList } from '../params'
import type { RawParams } from '../params'
import { none } from './handler'
import type { HandlerContext, HandlerTable } from './handler'

const file = (p: RawParams): { file: string } => ({ file: str(p, 'file') })

/** Sharing files into conversations, downloading them, and the blocklist. */
export const fileHandlers: HandlerTable<'files'> = {
  sendFile: { params: (p) => ({ to: str(p, 'to'), path: str(p, 'path') }), run: sendFile },
  downloadFile: { params: (p) => ({ file: fileId(p), path: optStr(p, 'path') }), run: downloadFile },
  pauseFile: { params: file, run: ({ core }, p) => ({ paused: core.files.pause(p.file) }) },
  cancelFile: { params: file, run: ({ core }, p) => ({ cancelled: core.files.cancel(p.file) }) },
  setBlocklist: { params: (p) => ({ hashes: strList(p, 'hashes') }), run: ({ core }, p) => done(core.files.blocklist.set(p.hashes)) },
  blocklist: { params: none, run: ({ core }) => ({ hashes: core.files.blocklist.list() }) },
  fileStates: { params: none, run: ({ core }) => fileStates(core) },
  filePreview: { params: file, run: ({ core }, p) => filePreview(core, p.file) }
}

/** Shares a file into a conversation: it is announced as a message with an attachment. */
async function sendFile({ core, rooms }: HandlerContext, p: Params<'sendFile'>): Promise<Result<'sendFile'>> {
  const room = await rooms.resolve(p.to)
  const ref = await core.files.add(p.path, room.key)
  const { id } = await room.sendFile(ref)
  return { room: room.id, id, file: fileInfo(ref) }
}

/** Downloads a file announced in one of our rooms into the folder `path`. */
async function downloadFile(ctx: HandlerContext, p: Params<'downloadFile'>): Promise<Result<'downloadFile'>> {
  const found = await ctx.core.rooms.findFile(z32.decode(p.file))
  if (found === null) throw PeerlineError.NO_SUCH_FILE()
  return { file: p.file, ...(await ctx.core.files.download(found.ref, found.room, p.path ?? ctx.downloadsFolder())) }
}

/** A file id from a message: z32. */
function fileId(p: RawParams): string {
  const id = str(p, 'file')
  try {
    z32.decode(id)
  } catch {
    throw PeerlineError.BAD_REQUEST('"file" is a file id from a message')
  }
  return id
}
