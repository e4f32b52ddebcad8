import { PeerlineError } from '../errors'

// Checks for a method's params as they arrive (JSON from any client): each returns the value in
// its type or throws BAD_REQUEST naming the param, so a bad call gets a sentence, not a stack.

/** A method's params before they are checked. */
export type RawParams = Record<string, unknown>

/** A string; empty only with `allowEmpty`. */
export function str(p: RawParams, key: string, allowEmpty = false): string {
  const v = p[key]
  if (typeof v !== 'string' || (!allowEmpty && v.length === 0)) throw PeerlineError.INVALID_PARAM(key, allowEmpty ? 'a string' : 'a non-empty string')
  return v
}

export function optStr(p: RawParams, key: string): string | undefined {
  return p[key] === undefined ? undefined : str(p, key)
}

export function bool(p: RawParams, key: string): boolean {
  if (typeof p[key] !== 'boolean') throw PeerlineError.INVALID_PARAM(key, 'true or false')
  return p[key] as boolean
}

export function optBool(p: RawParams, key: string): boolean | undefined {
  return p[key] === undefined ? undefined : bool(p, key)
}

/** An integer in min..max. */
export function int(p: RawParams, key: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
  const v = p[key]
  if (typeof v !== 'number' || !Number.isInteger(v)) throw PeerlineError.INVALID_PARAM(key, 'an integer')
  if (v < min || v > max) throw PeerlineError.INVALID_PARAM(key, `${min}..${max}`)
  return v
}

export function optInt(p: RawParams, key: string, min?: number, max?: number): number | undefined {
  return p[key] === undefined ? undefined : int(p, key, min, max)
}

export function strList(p: RawParams, key: string): string[] {
  const v = p[key]
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw PeerlineError.INVALID_PARAM(key, 'a list of strings')
  return v as string[]
}

/** One of `values`. */
export function oneOf<T extends string>(p: RawParams, key: string, values: readonly T[]): T {
  const v = p[key]
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) throw PeerlineError.INVALID_PARAM(key, values.map((x) => `"${x}"`).join(' or '))
  return v as T
}

/** Methods that change something answer `{}`. */
export function done(_: unknown): Record<string, never> {
  return {}
}
