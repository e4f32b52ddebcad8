import test from 'brittle'
import fs from 'fs'
import path from 'path'
import b4a from 'b4a'
import type { Encoding } from 'compact-encoding'
import * as schema from '../../lib/wire/schemas'
import { decodeRecord } from '../../lib/wire/struct'

// test/fixtures/wire holds one encoding per wire format and room op type, written once by
// scripts/make-wire-fixtures.js and never rewritten: they are what older peers send and older
// stores hold. Every one must keep decoding to what it held; a format may grow, so the decoded
// value may have more fields, never different ones.

const DIR = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'wire')
/** Larger than any frame guard of ours: the fixtures test formats, not limits. */
const MAX = 8 * 1024 * 1024

interface Fixture {
  format: string
  opType?: number
  version: string
  hex: string
  value: unknown
}

const encodings = schema as unknown as Record<string, unknown>

function isEncoding(v: unknown): v is Encoding<unknown> {
  return typeof v === 'object' && v !== null && 'decode' in v && 'encode' in v && 'preencode' in v
}

/** JSON form of a decoded value, as the script wrote it: buffers as { $hex }. */
function plain(v: unknown): unknown {
  if (b4a.isBuffer(v) || v instanceof Uint8Array) return { $hex: b4a.toString(v as Buffer, 'hex') }
  if (Array.isArray(v)) return v.map(plain)
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]))
  return v
}

function fixtures(): Array<{ file: string; fixture: Fixture }> {
  return fs
    .readdirSync(DIR)
    .filter((f: string) => f.endsWith('.json'))
    .sort()
    .map((file: string) => ({ file, fixture: JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')) as Fixture }))
}

test('every wire fixture still decodes to what it held', (t) => {
  const all = fixtures()
  t.ok(all.length > 0, `${all.length} fixtures`)
  for (const { file, fixture } of all) {
    const enc = encodings[fixture.format]
    if (!isEncoding(enc)) {
      t.fail(`${file}: format ${fixture.format} is gone from lib/wire/schemas.ts; old peers still send it`)
      continue
    }
    let decoded: unknown
    try {
      decoded = decodeRecord(enc, b4a.from(fixture.hex, 'hex'), MAX)
    } catch (err) {
      t.fail(`${file}: no longer decodes: ${(err as Error).message}`)
      continue
    }
    const now = plain(decoded) as Record<string, unknown>
    const then = fixture.value as Record<string, unknown>
    const changed = Object.keys(then).filter((k) => JSON.stringify(now[k]) !== JSON.stringify(then[k]))
    if (changed.length > 0) t.fail(`${file}: ${changed.join(', ')} decode differently now`)
  }
  t.pass('all decoded')
})

test('every wire format and room op type has a fixture', (t) => {
  const names = new Set(fixtures().map(({ fixture }) => (fixture.format === 'roomOp' ? `roomOp-${fixture.opType}` : fixture.format)))
  const missing: string[] = []
  for (const [name, value] of Object.entries(encodings)) {
    if (isEncoding(value) && name !== 'roomOp' && !names.has(name)) missing.push(name)
    if (name.startsWith('OP_') && typeof value === 'number' && !names.has(`roomOp-${value}`)) missing.push(`${name} (roomOp-${value})`)
  }
  t.alike(missing, [], missing.length ? `run scripts/make-wire-fixtures.js for: ${missing.join(', ')}` : 'none missing')
})
