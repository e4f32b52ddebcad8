// describes compact-encoding@3.x (test/core/types-pinned.test.ts checks the installed major)
// Overrides the shipped compact-encoding/index.d.ts (which returns Uint8Array; on Node/Bare
// decoded buffers are Buffer subarrays of the input and encode() allocates a Buffer).
declare module 'compact-encoding' {
  namespace c {
    interface State {
      start: number
      end: number
      /** null during preencode */
      buffer: Buffer | null
      cache?: unknown
    }

    /** In = what encode accepts, Out = what decode returns. */
    interface Encoder<In, Out = In> {
      preencode(state: State, value: In): void
      encode(state: State, value: In): void
      decode(state: State): Out
    }
    type Encoding<T> = Encoder<T, T>

    type EncodedType<E> = E extends Encoder<infer I, unknown> ? I : never
    type DecodedType<E> = E extends Encoder<never, infer O> ? O : never

    interface StringEncoder extends Encoder<string> {
      /** Fixed-size string of n bytes (no length prefix). */
      fixed(n: number): Encoder<string>
    }

    interface Address {
      host: string
      port: number
    }
    interface FamilyAddress<F extends number = 4 | 6> extends Address {
      family: F
    }

    /** Encodings without a length prefix: they consume the rest of the state. */
    interface Raw extends Encoder<Uint8Array, Buffer> {
      buffer: Encoder<Uint8Array, Buffer>
      binary: Encoder<string | Uint8Array, Buffer>
      arraybuffer: Encoder<ArrayBuffer>
      uint8array: Encoder<Uint8Array>
      uint16array: Encoder<Uint16Array>
      uint32array: Encoder<Uint32Array>
      int8array: Encoder<Int8Array>
      int16array: Encoder<Int16Array>
      int32array: Encoder<Int32Array>
      biguint64array: Encoder<BigUint64Array>
      bigint64array: Encoder<BigInt64Array>
      float32array: Encoder<Float32Array>
      float64array: Encoder<Float64Array>
      string: Encoder<string>
      utf8: Encoder<string>
      ascii: Encoder<string>
      hex: Encoder<string>
      base64: Encoder<string>
      ucs2: Encoder<string>
      utf16le: Encoder<string>
      array<I, O>(enc: Encoder<I, O>): Encoder<ArrayLike<I>, O[]>
      json: Encoder<unknown>
      ndjson: Encoder<unknown>
    }

    interface Codec<In, Out = In> {
      encode(value: In): Uint8Array
      decode(buffer: Buffer): Out
    }
    interface AbstractEncoding<In, Out = In> {
      encodingLength(value: In): number
      encode: ((value: In, buffer: Uint8Array, offset: number) => unknown) & { bytes: number }
      decode: ((buffer: Uint8Array, start: number, end: number) => Out) & { bytes: number }
    }

    function state(start?: number, end?: number, buffer?: Buffer | null): State

    const raw: Raw

    const uint: Encoder<number>
    const uint8: Encoder<number>
    const uint16: Encoder<number>
    const uint24: Encoder<number>
    const uint32: Encoder<number>
    const uint32be: Encoder<number>
    const uint40: Encoder<number>
    const uint48: Encoder<number>
    const uint56: Encoder<number>
    const uint64: Encoder<number>
    const uint64be: Encoder<number>
    /** zig-zag encoded; limited to +-2^52 */
    const int: Encoder<number>
    const int8: Encoder<number>
    const int16: Encoder<number>
    const int24: Encoder<number>
    const int32: Encoder<number>
    const int40: Encoder<number>
    const int48: Encoder<number>
    const int56: Encoder<number>
    const int64: Encoder<number>
    const biguint64: Encoder<bigint>
    const bigint64: Encoder<bigint>
    const biguint: Encoder<bigint>
    const bigint: Encoder<bigint>
    const lexint: Encoder<number>
    const float32: Encoder<number>
    const float64: Encoder<number>

    /** length-prefixed bytes; decodes to a subarray of the input */
    const buffer: Encoder<Uint8Array, Buffer>
    /** encodes null/empty as a zero length, decodes zero length to null */
    const optionalBuffer: Encoder<Uint8Array | null | undefined, Buffer | null>
    /** like buffer, but also accepts (utf-8) strings */
    const binary: Encoder<string | Uint8Array, Buffer>
    const arraybuffer: Encoder<ArrayBuffer>
    const bitarray: Encoder<ArrayLike<boolean | 0 | 1>, boolean[]>

    const uint8array: Encoder<Uint8Array>
    const uint16array: Encoder<Uint16Array>
    const uint32array: Encoder<Uint32Array>
    const int8array: Encoder<Int8Array>
    const int16array: Encoder<Int16Array>
    const int32array: Encoder<Int32Array>
    const biguint64array: Encoder<BigUint64Array>
    const bigint64array: Encoder<BigInt64Array>
    const float32array: Encoder<Float32Array>
    const float64array: Encoder<Float64Array>

    const string: StringEncoder
    const utf8: StringEncoder
    const ascii: StringEncoder
    const hex: StringEncoder
    const base64: StringEncoder
    const ucs2: StringEncoder
    const utf16le: StringEncoder

    const bool: Encoder<boolean>

    /** exactly n bytes, no length prefix (preencode throws on a wrong size) */
    function fixed(n: number): Encoder<Uint8Array, Buffer>
    const fixed8: Encoder<Uint8Array, Buffer>
    const fixed16: Encoder<Uint8Array, Buffer>
    const fixed24: Encoder<Uint8Array, Buffer>
    const fixed32: Encoder<Uint8Array, Buffer>
    const fixed64: Encoder<Uint8Array, Buffer>

    /** length-prefixed; decode throws above 0x100000 entries */
    function array<I, O>(enc: Encoder<I, O>): Encoder<ArrayLike<I>, O[]>
    /** length-prefixes the encoded value so it can be skipped */
    function frame<I, O>(enc: Encoder<I, O>): Encoder<I, O>

    const date: Encoder<Date>
    const json: Encoder<unknown>
    const ndjson: Encoder<unknown>
    /** encodes nothing, decodes to null */
    const none: Encoder<unknown, null>
    /** self-describing: null, boolean, string, buffer, number, array, plain object, Date */
    const any: Encoder<unknown>

    const port: Encoder<number>
    const ipv4: Encoder<string>
    const ipv4Address: Encoder<Address, FamilyAddress<4>>
    const ipv6: Encoder<string>
    const ipv6Address: Encoder<Address, FamilyAddress<6>>
    const ip: Encoder<string>
    const ipAddress: Encoder<Address, FamilyAddress>

    function record<I, O>(
      keyEncoding: Encoder<string>,
      valueEncoding: Encoder<I, O>
    ): Encoder<Record<string, I>, Record<string, O>>
    const stringRecord: Encoder<Record<string, string>>

    /** Named encodings resolve to the raw (unprefixed) variants; unknown names fall back to raw.binary. */
    function from(name: 'json'): Encoder<unknown>
    function from(name: 'ndjson'): Encoder<unknown>
    function from(
      name: 'ascii' | 'utf-8' | 'utf8' | 'hex' | 'base64' | 'utf16-le' | 'utf16le' | 'ucs-2' | 'ucs2'
    ): Encoder<string>
    function from(name: 'binary' | (string & {})): Encoder<string | Uint8Array, Buffer>
    function from<I, O>(enc: Encoder<I, O>): Encoder<I, O>
    function from<I, O>(enc: AbstractEncoding<I, O>): Encoder<I, O>
    function from<I, O>(enc: Codec<I, O>): Encoder<I, O>

    function encode<I>(enc: Encoder<I, unknown>, value: I): Buffer
    function decode<O>(enc: Encoder<never, O>, buffer: Uint8Array): O
  }

  export = c
}
