import z32 from 'z32'
import type { FileRef } from '../wire/schemas'
import { sanitizeFileName } from './file-name'

/** What clients see of a file: its id (z32), name (made safe: it comes from a peer), size and SHA-256. */
export interface FileInfo {
  id: string
  name: string
  size: number
  sha256: string
}

export function fileInfo(ref: FileRef): FileInfo {
  return { id: z32.encode(ref.id), name: sanitizeFileName(ref.name), size: ref.size, sha256: ref.sha256 }
}
