// describes b4a@1.x (test/core/types-pinned.test.ts checks the installed major)
// Overrides the shipped b4a/index.d.ts: on Node and Bare every allocating helper returns a Buffer.
declare module 'b4a' {
  namespace b4a {
    type Encoding = BufferEncoding

    /** true for any Uint8Array, not only Buffers */
    function isBuffer(value: unknown): value is Uint8Array
    function isEncoding(encoding: unknown): encoding is BufferEncoding

    function alloc(size: number, fill?: string | Uint8Array | number | boolean, encoding?: BufferEncoding): Buffer
    function allocUnsafe(size: number): Buffer
    function allocUnsafeSlow(size: number): Buffer

    function byteLength(
      value: string | ArrayBufferView | ArrayBuffer | SharedArrayBuffer,
      encoding?: BufferEncoding
    ): number
    function compare(a: Uint8Array, b: Uint8Array): -1 | 0 | 1
    function concat(buffers: readonly Uint8Array[], totalLength?: number): Buffer
    function copy(source: Uint8Array, target: Uint8Array, targetStart?: number, start?: number, end?: number): number
    function equals(a: Uint8Array, b: Uint8Array): boolean

    function fill(buffer: Uint8Array, value: string, encoding?: BufferEncoding): Buffer
    function fill(buffer: Uint8Array, value: string, offset?: number, encoding?: BufferEncoding): Buffer
    function fill(
      buffer: Uint8Array,
      value: string | Uint8Array | number | boolean,
      offset?: number,
      end?: number,
      encoding?: BufferEncoding
    ): Buffer

    /** Always copies, except for an ArrayBuffer (which is viewed). */
    function from(value: string, encoding?: BufferEncoding): Buffer
    function from(value: ArrayBuffer | SharedArrayBuffer, byteOffset?: number, length?: number): Buffer
    function from(value: Uint8Array | readonly number[] | ArrayLike<number> | Iterable<number>): Buffer

    function includes(buffer: Uint8Array, value: string, encoding?: BufferEncoding): boolean
    function includes(
      buffer: Uint8Array,
      value: string | Uint8Array | number,
      byteOffset?: number,
      encoding?: BufferEncoding
    ): boolean
    function indexOf(buffer: Uint8Array, value: string, encoding?: BufferEncoding): number
    function indexOf(
      buffer: Uint8Array,
      value: string | Uint8Array | number,
      byteOffset?: number,
      encoding?: BufferEncoding
    ): number
    function lastIndexOf(buffer: Uint8Array, value: string, encoding?: BufferEncoding): number
    function lastIndexOf(
      buffer: Uint8Array,
      value: string | Uint8Array | number,
      byteOffset?: number,
      encoding?: BufferEncoding
    ): number

    function swap16(buffer: Uint8Array): Buffer
    function swap32(buffer: Uint8Array): Buffer
    function swap64(buffer: Uint8Array): Buffer

    /** Zero-copy view of a Uint8Array as a Buffer. */
    function toBuffer(buffer: Uint8Array): Buffer
    function toString(buffer: Uint8Array, encoding?: BufferEncoding, start?: number, end?: number): string
    function toHex(buffer: Uint8Array, start?: number, end?: number): string

    function write(buffer: Uint8Array, string: string, encoding?: BufferEncoding): number
    function write(buffer: Uint8Array, string: string, offset: number, encoding?: BufferEncoding): number
    function write(
      buffer: Uint8Array,
      string: string,
      offset: number,
      length: number,
      encoding?: BufferEncoding
    ): number

    function readDoubleBE(buffer: Uint8Array, offset?: number): number
    function readDoubleLE(buffer: Uint8Array, offset?: number): number
    function readFloatBE(buffer: Uint8Array, offset?: number): number
    function readFloatLE(buffer: Uint8Array, offset?: number): number
    function readInt32BE(buffer: Uint8Array, offset?: number): number
    function readInt32LE(buffer: Uint8Array, offset?: number): number
    function readUInt32BE(buffer: Uint8Array, offset?: number): number
    function readUInt32LE(buffer: Uint8Array, offset?: number): number

    function writeDoubleBE(buffer: Uint8Array, value: number, offset?: number): number
    function writeDoubleLE(buffer: Uint8Array, value: number, offset?: number): number
    function writeFloatBE(buffer: Uint8Array, value: number, offset?: number): number
    function writeFloatLE(buffer: Uint8Array, value: number, offset?: number): number
    function writeInt32BE(buffer: Uint8Array, value: number, offset?: number): number
    function writeInt32LE(buffer: Uint8Array, value: number, offset?: number): number
    function writeUInt32BE(buffer: Uint8Array, value: number, offset?: number): number
    function writeUInt32LE(buffer: Uint8Array, value: number, offset?: number): number
  }

  export = b4a
}
