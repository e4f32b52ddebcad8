#!/usr/bin/env node
// Writes one encoded fixture per wire format in lib/wire/schemas.ts (and one per room op type)
// into test/fixtures/wire/, for test/core/wire-fixtures.test.ts, which decodes them forever.
// Run after `npm run build`. It never rewrites a fixture that exists: old fixtures are the
// formats older peers and older stores really hold. A new format gets its fixture on the next run.
//
// Values are found, not written by hand: deterministic pseudo-random bytes (biased small, as
// compact-encoding varints, lengths and flags like); of the prefixes that decode and re-encode to
// themselves, the longest is kept.
const fs = require('fs')
const path = require('path')
const c = require('compact-encoding')

const ROOT = path.join(__dirname, '..')
const OUT = path.join(ROOT, 'test', 'fixtures', 'wire')
const schema = require(path.join(ROOT, 'dist', 'lib', 'wire', 'schemas.js'))

const MAX_OP_TYPE = 127
const ATTEMPTS = 20000
const MAX_BYTES = 400

function isEncoding (v) {
  return typeof v === 'object' && v !== null && typeof v.encode === 'function' && typeof v.decode === 'function' && typeof v.preencode === 'function'
}

/** xorshift32: the same fixtures from the same seed. */
function rng (seed) {
  let s = seed >>> 0 || 1
  return (n) => {
    s ^= s << 13
    s >>>= 0
    s ^= s >>> 17
    s ^= s << 5
    s >>>= 0
    return s % n
  }
}

/** The longest stable encoding found (more fields filled in) for `enc` (with the op type first, for room ops). */
function find (enc, seed, opType) {
  const below = rng(seed)
  let best = null
  for (let i = 0; i < ATTEMPTS; i++) {
    const buf = Buffer.alloc(below(MAX_BYTES) + 1)
    for (let j = 0; j < buf.length; j++) {
      const r = below(4)
      buf[j] = r === 0 ? below(256) : r === 1 ? below(32) : below(4)
    }
    if (opType !== undefined) buf[0] = opType
    const state = { start: 0, end: buf.length, buffer: buf }
    let value
    try {
      value = enc.decode(state)
    } catch {
      continue
    }
    const bytes = buf.subarray(0, state.start)
    let again
    try {
      again = c.encode(enc, value)
    } catch {
      continue
    }
    if (!again.equals(bytes)) continue // not canonical (e.g. bad utf-8): not a value a peer sends
    if (best === null || bytes.length > best.bytes.length) best = { bytes: Buffer.from(bytes), value }
  }
  return best
}

/** JSON for a decoded value: buffers as { $hex }. */
function plain (v) {
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return { $hex: Buffer.from(v).toString('hex') }
  if (Array.isArray(v)) return v.map(plain)
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]))
  return v
}

function write (file, fixture) {
  const target = path.join(OUT, file)
  if (fs.existsSync(target)) return console.log(`kept    ${file}`)
  fs.writeFileSync(target, JSON.stringify(fixture, null, 2) + '\n')
  console.log(`written ${file} (${fixture.hex.length / 2} bytes)`)
}

fs.mkdirSync(OUT, { recursive: true })
const version = require(path.join(ROOT, 'package.json')).version
let seed = 1
for (const [name, enc] of Object.entries(schema)) {
  if (!isEncoding(enc) || name === 'roomOp') continue
  const found = find(enc, seed++)
  if (found === null) throw new Error(`no stable encoding found for ${name}`)
  write(`${name}.json`, { format: name, version, hex: found.bytes.toString('hex'), value: plain(found.value) })
}
for (let type = 0; type <= MAX_OP_TYPE; type++) {
  const found = find(schema.roomOp, 1000 + type, type)
  if (found === null) continue // not an op type
  write(`roomOp-${type}.json`, { format: 'roomOp', opType: type, version, hex: found.bytes.toString('hex'), value: plain(found.value) })
}
