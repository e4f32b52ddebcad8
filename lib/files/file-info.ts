import z32 from 'z32'
import type { FileInfo } from '../contract'
import type { FileRef } from '../wire/schemas'
import { sanitizeFileName } from './file-name'

/** A file reference as clients see it: the name made safe, since it comes from a peer. */
export function fileInfo(ref: FileRef): FileInfo {
  return { id: z32.encode(ref.id), name: sanitizeFileName(ref.name), size: ref.size, sha256: ref.sha256 }
}
