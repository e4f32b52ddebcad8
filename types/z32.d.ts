// describes z32@1.x (test/core/types-pinned.test.ts checks the installed major)
declare module 'z32' {
  namespace z32 {
    const ALPHABET: string
    /** Strings are utf-8 encoded first. */
    function encode(buf: Uint8Array | string): string
    /** Throws on characters outside the z-base-32 alphabet; does not validate the length. */
    function decode(s: string): Buffer
    function decode<T extends Uint8Array>(s: string, out: T): T
  }

  export = z32
}
