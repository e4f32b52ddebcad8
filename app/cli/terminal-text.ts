// Text from peers (names, messages, file names) goes to a terminal, where escape sequences are
// commands: OSC 52 writes the clipboard, CSI moves the cursor and clears the screen, a bare CR or
// a bidi override makes a line say something else. Everything a peer controls passes through here.

const ESCAPES = [
  // OSC ... BEL or ST (OSC 52 clipboard writes, window titles, hyperlinks).
  /\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?/g,
  // DCS, SOS, PM, APC ... ST.
  /\x1b[PX^_][^\x1b]*(?:\x1b\\)?/g,
  // CSI (7-bit and 8-bit): colours, cursor moves, screen clears.
  /(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?/g,
  // Any other two-byte escape.
  /\x1b[\s\S]?/g
]
// C0 and C1 controls except newline, DEL, and the bidi controls that reorder what is shown.
const CONTROLS = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

/** `text` with every terminal control removed. Line breaks become spaces, or, given `indent`, are kept and indented. */
export function terminalSafe(text: string, indent: string | null = null): string {
  let s = String(text)
  for (const re of ESCAPES) s = s.replace(re, '')
  s = s.replace(CONTROLS, '')
  return indent === null ? s.replace(/\n/g, ' ') : s.replace(/\n/g, '\n' + indent)
}
