import fs from 'fs'
import path from 'path'
import { writeDurable } from '../storage/durable-file'

/**
 * Present after an import: the store came from an archive, a snapshot, and the old device may
 * have written to our writer cores after it. Holds the ids of the rooms already caught up.
 */
export const CATCH_UP_FILE = 'import.catchup'

/** Starts the catch-up after an import: every room the archive brought must catch up. */
export function markImported(storage: string): void {
  writeDurable(path.join(storage, CATCH_UP_FILE), Buffer.from('[]'))
}

/**
 * Which rooms must take their own writer core from a member before writing (see Room's
 * `catchUp`). Rooms made or joined on this device are never in it: their writer is new.
 */
export class WriterCatchUp {
  private readonly _file: string
  private readonly _done: Set<string> | null

  constructor(storage: string) {
    this._file = path.join(storage, CATCH_UP_FILE)
    this._done = readDone(this._file)
  }

  needs(id: string): boolean {
    return this._done !== null && !this._done.has(id)
  }

  /** Records that room `id` may write; a room never un-catches-up. */
  done(id: string): void {
    if (this._done === null || this._done.has(id)) return
    this._done.add(id)
    writeDurable(this._file, Buffer.from(JSON.stringify([...this._done])))
  }
}

function readDone(file: string): Set<string> | null {
  let raw: string
  try {
    raw = fs.readFileSync(file, 'utf8')
  } catch {
    return null
  }
  try {
    const ids: unknown = JSON.parse(raw)
    if (Array.isArray(ids)) return new Set(ids.filter((x): x is string => typeof x === 'string'))
  } catch {}
  // A damaged file must not let a room write early: every room catches up again.
  return new Set()
}
