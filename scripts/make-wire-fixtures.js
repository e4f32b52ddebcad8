#!/usr/bin/env node
// Writes one encoded fixture per wire format in lib/wire/ (gathered by lib/wire/schemas.ts) (and one per room op type)
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
function find (enc, seed, opType, prefix = null) {
  const below = rng(seed)
  let best = null
  for (let i = 0; i < ATTEMPTS; i++) {
    const buf = Buffer.alloc(below(MAX_BYTES) + 1 + (prefix ? prefix.length : 0))
    for (let j = 0; j < buf.length; j++) {
      const r = below(4)
      buf[j] = r === 0 ? below(256) : r === 1 ? below(32) : below(4)
    }
    if (opType !== undefined) buf[0] = opType
    if (prefix) prefix.copy(buf, 0)
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
  if (type === schema.VERSIONED_OP_TAG) continue // the version envelope, not an op type
  const found = find(schema.roomOp, 1000 + type, type)
  if (found === null) continue // not an op type
  write(`roomOp-${type}.json`, { format: 'roomOp', opType: type, version, hex: found.bytes.toString('hex'), value: plain(found.value) })
}

// Protocol 2.0 (versioned records): every format again, as this version encodes the values above,
// in <name>.v2.json; and, for every record that may grow, <name>.next.json: the same value as a
// peer of the next minor version (2.1) writes it, with one field this version does not know at the
// end (the string "next" and the number 7). Both must keep decoding to the value they hold.
const NEXT_VERSION = { major: schema.PROTOCOL_VERSION.major, minor: schema.PROTOCOL_VERSION.minor + 1 }
const NEXT_FIELDS = Buffer.from('046e65787407', 'hex')
const PROTOCOL = `${schema.PROTOCOL_VERSION.major}.${schema.PROTOCOL_VERSION.minor}`
const NEXT = `${NEXT_VERSION.major}.${NEXT_VERSION.minor}`

/** The decoded value back from its JSON form. */
function unplain (v) {
  if (Array.isArray(v)) return v.map(unplain)
  if (v !== null && typeof v === 'object') {
    if (typeof v.$hex === 'string' && Object.keys(v).length === 1) return Buffer.from(v.$hex, 'hex')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unplain(x)]))
  }
  return v
}

function encodeAs (enc, value, next) {
  if (next) schema.simulateNextVersion(NEXT_VERSION, NEXT_FIELDS)
  try {
    return c.encode(enc, value)
  } finally {
    schema.stopSimulating()
  }
}

for (const file of fs.readdirSync(OUT).filter((f) => /^[A-Za-z]+(-\d+)?\.json$/.test(f)).sort()) {
  const old = JSON.parse(fs.readFileSync(path.join(OUT, file), 'utf8'))
  const enc = schema[old.format]
  const base = file.slice(0, -'.json'.length)
  // Today's value of the old bytes (a grown format decodes more fields), as this version writes it.
  const value = c.decode(enc, Buffer.from(old.hex, 'hex'))
  if (old.format === 'hello') value.version = { ...schema.PROTOCOL_VERSION }
  const now = encodeAs(enc, value, false)
  const again = c.decode(enc, now)
  write(`${base}.v2.json`, { ...head(old), protocol: PROTOCOL, hex: now.toString('hex'), value: plain(again) })

  let next = encodeAs(enc, old.format === 'hello' ? { ...value, version: NEXT_VERSION } : value, true)
  if (old.format === 'lanBeacon') next = c.encode(enc, { ...value, extension: NEXT_FIELDS })
  else if (next.length === now.length) continue // cannot grow (nested, or ends in raw bytes)
  const decoded = c.decode(enc, next)
  write(`${base}.next.json`, { ...head(old), protocol: NEXT, hex: next.toString('hex'), value: plain(decoded) })
}

/** Format and op type; `protocol` (not the release) says which version wrote these. */
function head (old) {
  return old.opType === undefined ? { format: old.format } : { format: old.format, opType: old.opType }
}

// Op types added since 2.0 have no first-release fixture (1.0 never wrote them): found the same
// way, behind this version's envelope, and written as <name>.v2.json and <name>.next.json.
const ENVELOPE = c.encode(schema.roomOp, { type: schema.OP_RENAME, name: '' }).subarray(0, 3) // tag 0, major, minor
for (let type = 1; type <= MAX_OP_TYPE; type++) {
  const base = `roomOp-${type}`
  if (fs.existsSync(path.join(OUT, `${base}.json`))) continue
  const found = find(schema.roomOp, 2000 + type, undefined, Buffer.concat([ENVELOPE, Buffer.from([type])]))
  if (found === null) continue
  write(`${base}.v2.json`, { format: 'roomOp', opType: type, protocol: PROTOCOL, hex: found.bytes.toString('hex'), value: plain(found.value) })
  const next = encodeAs(schema.roomOp, found.value, true)
  write(`${base}.next.json`, { format: 'roomOp', opType: type, protocol: NEXT, hex: next.toString('hex'), value: plain(c.decode(schema.roomOp, next)) })
}

// Fields added to a format since its first fixture: one fixture each that holds the field, named
// <format>.<field>.json. Values are written out, not found: the field must be set to say anything.
const ID = 'a1b2c3d4e5f60718293a4b5c'
const GROWN = {
  'roomOp-2.replyTo': { format: 'roomOp', opType: 2, value: { type: 2, id: 'f00dfeedf00dfeedf00dfeed', text: 'yes, that one', time: 1764500000000, replyTo: ID } },
  'roomOp-17.replyTo': { format: 'roomOp', opType: 17, value: { type: 17, id: 'f00dfeedf00dfeedf00dfeed', text: { epoch: 1, nonce: Buffer.alloc(24, 7), box: Buffer.alloc(29, 9) }, time: 1764500000000, replyTo: ID } },
  'liveMessage.replyTo': { format: 'liveMessage', value: { roomKey: Buffer.alloc(32, 3), id: 'f00dfeedf00dfeedf00dfeed', text: 'yes, that one', time: 1764500000000, replyTo: ID } },
  'settingsRecord.readReceipts': { format: 'settingsRecord', value: { name: 'Ana', contactsOnly: false, alwaysOn: [], readReceipts: false } }
}
for (const [name, { format, opType, value }] of Object.entries(GROWN)) {
  const bytes = c.encode(schema[format], value)
  write(`${name}.json`, { format, ...(opType === undefined ? {} : { opType }), protocol: PROTOCOL, field: name.split('.')[1], hex: bytes.toString('hex'), value: plain(c.decode(schema[format], bytes)) })
}
