import c from 'compact-encoding'
import type { Encoding, State } from 'compact-encoding'
import { extension } from './version'

type Fields<T> = { [K in keyof T]: Encoding<T[K]> }

/**
 * A compact-encoding for a record, fields in declaration order. Decoding fails (throws) on a
 * truncated buffer; callers decide what a failure means. A record only grows at its end (see
 * `since`), so a reader of an older version reads the fields it knows and stops.
 */
export function struct<T extends object>(fields: Fields<T>): Encoding<T> {
  const entries = Object.entries(fields) as Array<[keyof T & string, Encoding<unknown>]>
  return {
    preencode(state: State, value: T): void {
      for (const [name, enc] of entries) enc.preencode(state, value[name])
    },
    encode(state: State, value: T): void {
      for (const [name, enc] of entries) enc.encode(state, value[name])
    },
    decode(state: State): T {
      const out = {} as Record<string, unknown>
      for (const [name, enc] of entries) out[name] = enc.decode(state)
      return out as T
    }
  }
}

/**
 * Decodes one whole frame or stored value. Anything over `max` bytes, or cut short, fails (throws).
 * Bytes after the fields we know are fields of a newer minor version: they are ignored, which is
 * what lets a record grow without breaking the peers and stores of older versions.
 */
export function decodeRecord<T>(enc: Encoding<T>, buf: Buffer, max: number): T {
  if (buf.byteLength > max) throw new Error(`frame of ${buf.byteLength} bytes is over the ${max}-byte limit`)
  const state = { start: 0, end: buf.byteLength, buffer: buf }
  return enc.decode(state)
}

/**
 * A field added at the end of a record in a later version: a record written before it (it ends
 * first) decodes with `fallback`. Only the last fields of a top-level record may be `since` fields.
 */
export function since<T>(enc: Encoding<T>, fallback: T): Encoding<T> {
  return {
    preencode: (state, v) => enc.preencode(state, v),
    encode: (state, v) => enc.encode(state, v),
    decode: (state) => (state.start < state.end ? enc.decode(state) : fallback)
  }
}

/**
 * Marks a top-level record that may grow: it is the whole frame (or stored value), so a newer
 * version may append fields that this one skips. Nested records never grow (their reader cannot
 * tell where they end), and a record ending in raw bytes cannot either.
 * Encoding appends the simulated next-version fields when `simulateNextVersion` is on (tests only).
 */
export function growable<T>(enc: Encoding<T>): Encoding<T> {
  return {
    preencode(state, v) {
      enc.preencode(state, v)
      const ext = extension()
      if (ext !== null) state.end += ext.byteLength
    },
    encode(state, v) {
      enc.encode(state, v)
      const ext = extension()
      if (ext !== null && state.buffer !== null) {
        state.buffer.set(ext, state.start)
        state.start += ext.byteLength
      }
    },
    decode: (state) => enc.decode(state)
  }
}

/** The empty record: for channel handshakes that carry nothing. */
export const empty: Encoding<null> = {
  preencode(): void {},
  encode(): void {},
  decode(): null {
    return null
  }
}

/** One of a fixed list of names, sent as its index; an unknown index fails to decode. */
export function oneOf<T extends string>(values: readonly T[]): Encoding<T> {
  return {
    preencode(state: State, v: T): void {
      c.uint.preencode(state, indexOf(values, v))
    },
    encode(state: State, v: T): void {
      c.uint.encode(state, indexOf(values, v))
    },
    decode(state: State): T {
      const v = values[c.uint.decode(state)]
      if (v === undefined) throw new Error('unknown value')
      return v
    }
  }
}

/** A flag, then the value if the flag is set (undefined counts as absent: optional fields). */
export function optional<T>(enc: Encoding<T>): Encoding<T | null> {
  return {
    preencode(state, v) {
      c.bool.preencode(state, v != null)
      if (v != null) enc.preencode(state, v)
    },
    encode(state, v) {
      c.bool.encode(state, v != null)
      if (v != null) enc.encode(state, v)
    },
    decode(state) {
      return c.bool.decode(state) ? enc.decode(state) : null
    }
  }
}

function indexOf<T>(values: readonly T[], v: T): number {
  const i = values.indexOf(v)
  if (i < 0) throw new Error('not one of ' + values.join(', '))
  return i
}
