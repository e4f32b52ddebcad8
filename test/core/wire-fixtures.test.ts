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
  /** the release that wrote it (the first release's fixtures) */
  version?: string
  /** the protocol version that wrote it; absent for the first release's (1.0) */
  protocol?: string
  /** a field added to the format since its first fixture, which this fixture holds (<format>.<field>.json) */
  field?: string
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
      t.fail(`${file}: format ${fixture.format} is gone from lib/wire/; old peers still send it`)
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

// By file: `.v2.json` is what a version of this major writes (2.0, or 2.1 for formats added since),
// `.next.json` that grown by the next minor.
test('every format has a fixture of this major, and every record that may grow one of the next minor', (t) => {
  const all = fixtures()
  const name = (f: Fixture): string => (f.format === 'roomOp' ? `roomOp-${f.opType}` : f.format)
  const first = all.filter(({ fixture }) => fixture.protocol === undefined)
  const v2 = new Set(all.filter(({ file }) => file.endsWith('.v2.json')).map(({ fixture }) => name(fixture)))
  const next = all.filter(({ file }) => file.endsWith('.next.json')).map(({ fixture }) => fixture)
  t.alike(first.map(({ fixture }) => name(fixture)).filter((n) => !v2.has(n)), [], 'a 2.x fixture beside each of the first release')
  // The next minor's bytes are this major's bytes and one more field; this version reads the same value.
  for (const f of next) {
    const mine = all.find(({ file, fixture }) => file.endsWith('.v2.json') && fixture.field === undefined && name(fixture) === name(f))?.fixture
    if (!mine) {
      t.fail(`${name(f)}: a next-minor fixture without its twin of this major`)
      continue
    }
    if (!f.hex.startsWith(mine.format === 'roomOp' ? mine.hex.slice(0, 2) : mine.hex.slice(0, 8))) t.fail(`${name(f)}: not the 2.x record grown`)
    t.ok(f.hex.length > mine.hex.length, `${name(f)}: longer than 2.x`)
  }
  t.ok(next.some((f) => f.format === 'hello') && next.some((f) => f.format === 'roomOp') && next.some((f) => f.format === 'contactRequest'), 'the hello, room ops and messages grow')
})

test('fields added since a format\'s first fixture have a fixture that holds them', (t) => {
  const grown = fixtures().filter(({ fixture }) => fixture.field !== undefined)
  t.ok(grown.length > 0, grown.map(({ file }) => file).join(', '))
  for (const { file, fixture } of grown) {
    const value = fixture.value as Record<string, unknown>
    t.ok(fixture.field !== undefined && fixture.field in value, `${file}: holds ${fixture.field}`)
  }
})
