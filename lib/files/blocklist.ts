import fs from 'fs'
import path from 'path'
import b4a from 'b4a'
import { writeDurable } from '../storage/durable-file'

export const BLOCKLIST_FILE = 'blocklist.txt'

/**
 * SHA-256 hashes of files this profile refuses to download, one hex hash per line in the
 * profile's blocklist.txt (people can edit it too; anything that is not a hash is ignored).
 */
export class Blocklist {
  private readonly _file: string
  private _hashes = new Set<string>()

  constructor(storage: string) {
    this._file = path.join(storage, BLOCKLIST_FILE)
    if (fs.existsSync(this._file)) this._hashes = parse(fs.readFileSync(this._file, 'utf8'))
  }

  has(sha256: string): boolean {
    return this._hashes.has(sha256.toLowerCase())
  }

  list(): string[] {
    return [...this._hashes]
  }

  set(hashes: string[]): void {
    this._hashes = parse(hashes.join('\n'))
    // Replaced whole (temp file, fsync, rename): a crash never leaves half a list.
    writeDurable(this._file, b4a.from(this.list().join('\n') + '\n'))
  }
}

function parse(text: string): Set<string> {
  return new Set(
    text
      .split(/\s+/)
      .map((s) => s.trim().toLowerCase())
      .filter((s) => /^[0-9a-f]{64}$/.test(s))
  )
}
