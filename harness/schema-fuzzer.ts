import b4a from 'b4a'
import c from 'compact-encoding'
import type { Encoding } from 'compact-encoding'
import * as schema from '../lib/wire/schemas'
import { decodeRecord } from '../lib/wire/struct'

/** The file channel's frame limit: the largest any guard of ours allows. */
const GUARD_MAX_BYTES = 4 * 1024 * 1024 + 64
/** Random buffers tried per schema (or op type) to find inputs that decode: the mutation corpus. */
const SEED_ATTEMPTS = 4000
const MAX_SEEDS = 32
const SEED_BYTES = 320
/** Room op type tags probed for a decoder (ours are small; a new op is found without a change here). */
const MAX_OP_TYPE = 127
/** Bytes that sit on compact-encoding's edges: varint prefixes, booleans, sign and length limits. */
const EDGES = [0x00, 0x01, 0x02, 0x7f, 0x80, 0xfc, 0xfd, 0xfe, 0xff]

export interface FuzzTarget {
  name: string
  encoding: Encoding<unknown>
  /** a room op's type tag: every input keeps it as its first byte, so that op's decoder runs */
  opType?: number
}

export interface FuzzResult {
  name: string
  inputs: number
  seeds: number
  /** decoded whole, and re-encoded to the same bytes twice */
  decoded: number
  /** refused by the guard with an Error: what a channel turns into a logged close */
  refused: number
  /** thrown values that are not Errors, or anything else that got past the guard */
  escaped: number
  /** decoded, but re-encoding failed or did not settle: a value a handler could not store or send */
  unstable: number
  /** the first few failing inputs, hex, to reproduce */
  examples: string[]
}

/** Every compact-encoding declared in lib/wire/ (gathered by schemas.ts), found by shape, plus one target per room op type. */
export function fuzzTargets(): FuzzTarget[] {
  const targets: FuzzTarget[] = []
  for (const [name, value] of Object.entries(schema)) {
    if (isEncoding(value)) targets.push({ name, encoding: value })
  }
  const rng = new Rng(0x0f0f)
  for (let type = 0; type <= MAX_OP_TYPE; type++) {
    if (seedsFor({ name: 'op', encoding: schema.roomOp as Encoding<unknown>, opType: type }, rng, 300).length > 0) {
      targets.push({ name: `roomOp type ${type}`, encoding: schema.roomOp as Encoding<unknown>, opType: type })
    }
  }
  return targets
}

/**
 * Feeds `count` random and mutated inputs to one decoder through the same guard the channels and
 * room apply use (decodeRecord inside try/catch), and checks that what decodes re-encodes stably.
 * Deterministic for a given `seed`.
 */
export function fuzz(target: FuzzTarget, count: number, seed = 1): FuzzResult {
  const rng = new Rng(seed)
  const seeds = seedsFor(target, rng, SEED_ATTEMPTS)
  const result: FuzzResult = { name: target.name, inputs: 0, seeds: seeds.length, decoded: 0, refused: 0, escaped: 0, unstable: 0, examples: [] }
  for (let i = 0; i < count; i++) {
    const input = mutate(rng, seeds, target.opType)
    result.inputs++
    const outcome = guard(target.encoding, input)
    if (outcome === 'refused') result.refused++
    else if (outcome === 'decoded') result.decoded++
    else {
      if (outcome === 'escaped') result.escaped++
      else result.unstable++
      if (result.examples.length < 5) result.examples.push(`${outcome}: ${b4a.toString(input, 'hex')}`)
    }
  }
  return result
}

type Outcome = 'decoded' | 'refused' | 'escaped' | 'unstable'

function guard(encoding: Encoding<unknown>, input: Buffer): Outcome {
  let value: unknown
  try {
    value = decodeRecord(encoding, input, GUARD_MAX_BYTES)
  } catch (err) {
    return err instanceof Error ? 'refused' : 'escaped'
  }
  try {
    const once = c.encode(encoding, value)
    const twice = c.encode(encoding, c.decode(encoding, once))
    return b4a.equals(once, twice) ? 'decoded' : 'unstable'
  } catch {
    return 'unstable'
  }
}

/** Inputs that decode: prefixes of random buffers that the decoder accepted. */
function seedsFor(target: FuzzTarget, rng: Rng, attempts: number): Buffer[] {
  const seen = new Set<string>()
  const seeds: Buffer[] = []
  for (let i = 0; i < attempts && seeds.length < MAX_SEEDS; i++) {
    const buf = rng.bytes(rng.below(SEED_BYTES) + 1)
    // Short lengths and small numbers decode far more often: bias every byte toward them.
    for (let j = 0; j < buf.byteLength; j++) if (rng.below(3) === 0) buf[j] = buf[j] & 0x1f
    if (target.opType !== undefined) buf[0] = target.opType
    const state = { start: 0, end: buf.byteLength, buffer: buf }
    try {
      target.encoding.decode(state)
    } catch {
      continue
    }
    const prefix = buf.subarray(0, state.start)
    const key = b4a.toString(prefix, 'hex')
    if (!seen.has(key)) {
      seen.add(key)
      seeds.push(b4a.from(prefix))
    }
  }
  return seeds
}

function mutate(rng: Rng, seeds: Buffer[], opType: number | undefined): Buffer {
  const pick = (): Buffer => (seeds.length > 0 ? seeds[rng.below(seeds.length)] : rng.bytes(rng.below(64)))
  let out: Buffer
  switch (seeds.length === 0 ? 0 : rng.below(9)) {
    case 0: // pure noise
      out = rng.bytes(rng.below(256))
      break
    case 1: // bit flips
      out = b4a.from(pick())
      for (let n = rng.below(4) + 1; n > 0 && out.byteLength > 0; n--) out[rng.below(out.byteLength)] ^= 1 << rng.below(8)
      break
    case 2: // an edge byte somewhere
      out = b4a.from(pick())
      if (out.byteLength > 0) out[rng.below(out.byteLength)] = EDGES[rng.below(EDGES.length)]
      break
    case 3: // truncated
      out = pick()
      out = b4a.from(out.subarray(0, rng.below(out.byteLength + 1)))
      break
    case 4: // trailing bytes
      out = b4a.concat([pick(), rng.bytes(rng.below(16) + 1)])
      break
    case 5: {
      // a huge length or number prefix spliced in
      const s = pick()
      const at = rng.below(s.byteLength + 1)
      const big = [b4a.from([0xfd, 0xff, 0xff]), b4a.from([0xfe, 0xff, 0xff, 0xff, 0x7f]), b4a.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])]
      out = b4a.concat([s.subarray(0, at), big[rng.below(big.length)], s.subarray(at)])
      break
    }
    case 6: {
      // two seeds spliced
      const a = pick()
      const b = pick()
      out = b4a.concat([a.subarray(0, rng.below(a.byteLength + 1)), b.subarray(rng.below(b.byteLength + 1))])
      break
    }
    case 7: {
      // a run repeated
      const s = pick()
      const from = rng.below(s.byteLength + 1)
      const run = s.subarray(from, from + rng.below(32) + 1)
      out = b4a.concat([s.subarray(0, from), run, run, s.subarray(from)])
      break
    }
    default: // a valid input, unchanged (the decoder must also take what it should)
      out = b4a.from(pick())
  }
  if (opType !== undefined && out.byteLength > 0 && rng.below(8) !== 0) out[0] = opType
  return out
}

function isEncoding(value: unknown): value is Encoding<unknown> {
  const v = value as Partial<Encoding<unknown>> | null
  return typeof v === 'object' && v !== null && typeof v.preencode === 'function' && typeof v.encode === 'function' && typeof v.decode === 'function'
}

/** xorshift32: small, fast, and the same inputs on every run and runtime. */
class Rng {
  private _s: number

  constructor(seed: number) {
    this._s = seed >>> 0 || 1
  }

  next(): number {
    let x = this._s
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    this._s = x >>> 0
    return this._s
  }

  below(n: number): number {
    return n <= 0 ? 0 : this.next() % n
  }

  bytes(n: number): Buffer {
    const buf = b4a.allocUnsafe(n)
    for (let i = 0; i < n; i++) buf[i] = this.next() & 0xff
    return buf
  }
}
