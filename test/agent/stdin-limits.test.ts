import test from 'brittle'
import fs from 'fs'
import { setup } from '../helpers/agent-net'

const MIB = 1024 * 1024
const LINE_MIB = 100
const INSECURE = { PEERLINE_INSECURE_TEST_NUMBERS: '1' }

function rss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) * 1024 : 0
}

test('a 100 MiB line on the agent\'s stdin is refused without being buffered, and the next request is answered', { timeout: 120_000 }, async (t) => {
  const { start } = await setup(t)
  const a = await start('a', INSECURE)
  const pid = a.proc.pid as number
  await a.call('whoami')
  const before = rss(pid)
  let peak = before
  const sampler = setInterval(() => (peak = Math.max(peak, rss(pid))), 5)

  // 100 MiB with no newline, written as the pipe takes it. Before the bounded framer a 20 MiB line
  // alone grew RSS by 62 MiB (the line held whole, then as a string); now what grows is only
  // the stream's own chunks awaiting garbage collection, whatever the line's length.
  const chunk = Buffer.alloc(MIB, 'x')
  for (let i = 0; i < LINE_MIB; i++) {
    if (!a.proc.stdin.write(chunk)) await new Promise((resolve) => a.proc.stdin.once('drain', resolve))
  }
  a.proc.stdin.write('\n')
  const me = await a.call<{ number: string }>('whoami')
  clearInterval(sampler)
  peak = Math.max(peak, rss(pid))

  t.is(me.number, a.number, 'the next valid request is answered')
  const refused = a.raw.find((m) => (m.error as { message?: string } | undefined)?.message?.includes('too large'))
  t.ok(refused, 'the long line got an error reply')
  t.ok(a.logs.some((l) => /line over 1048576 bytes/.test(l)), 'and a logged reason')
  t.comment(`RSS before ${(before / MIB).toFixed(1)} MiB, peak ${(peak / MIB).toFixed(1)} MiB`)
  t.ok(peak - before < LINE_MIB * MIB, `RSS grew by ${((peak - before) / MIB).toFixed(1)} MiB, less than the line itself: never held whole`)
})
