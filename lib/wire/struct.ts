import c from 'compact-encoding'
import type { Encoding, State } from 'compact-encoding'

type Fields<T> = { [K in keyof T]: Encoding<T[K]> }

/**
 * A compact-encoding for a record, fields in declaration order. Decoding fails (throws) on a
 * truncated buffer; callers decide what a failure means.
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

/** Decodes a whole buffer, refusing trailing bytes and anything over `max` bytes. */
export function decodeExact<T>(enc: Encoding<T>, buf: Buffer, max: number): T {
  if (buf.byteLength > max) throw new Error(`frame of ${buf.byteLength} bytes is over the ${max}-byte limit`)
  const state = { start: 0, end: buf.byteLength, buffer: buf }
  const value = enc.decode(state)
  if (state.start !== state.end) throw new Error(`${state.end - state.start} trailing bytes`)
  return value
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

function indexOf<T>(values: readonly T[], v: T): number {
  const i = values.indexOf(v)
  if (i < 0) throw new Error('not one of ' + values.join(', '))
  return i
}
