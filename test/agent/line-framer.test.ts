import test from 'brittle'
import { LineFramer } from '../../app/cli/line-framer'

function framer(max: number): { lines: string[]; oversize: number[]; f: LineFramer } {
  const lines: string[] = []
  const oversize: number[] = []
  return { lines, oversize, f: new LineFramer({ max, online: (l) => lines.push(l), onoversize: (n) => oversize.push(n) }) }
}

test('lines split across chunks, CRLF, and a last line without a newline', (t) => {
  const { lines, f } = framer(100)
  f.push(Buffer.from('{"a":'))
  f.push(Buffer.from('1}\r\n{"b":2}\n{"c"'))
  f.push(Buffer.from(':3}'))
  f.end()
  t.alike(lines, ['{"a":1}', '{"b":2}', '{"c":3}'])
})

test('a line over the cap is dropped as it arrives, reported once, and the next line still counts', (t) => {
  const { lines, oversize, f } = framer(10)
  f.push(Buffer.from('12345678'))
  f.push(Buffer.from('9abcdef'))
  f.push(Buffer.from('ghij\nok\n'))
  t.alike(oversize, [19], 'one report with the size')
  t.alike(lines, ['ok'])
  const exact = framer(4)
  exact.f.push(Buffer.from('1234\n12345\n'))
  t.alike(exact.lines, ['1234'], 'the cap itself is allowed')
  t.alike(exact.oversize, [5])
})

test('multi-byte characters split across chunks survive', (t) => {
  const { lines, f } = framer(100)
  const bytes = Buffer.from('héllo ✓\n')
  f.push(bytes.subarray(0, 2))
  f.push(bytes.subarray(2, 9))
  f.push(bytes.subarray(9))
  t.alike(lines, ['héllo ✓'])
})
