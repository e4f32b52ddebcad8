import test from 'brittle'
import { shutdown } from '../../app/shutdown'

/** A process stand-in: signals we fire by hand, exits we record. */
function fakeProcess() {
  const p = { fire: (_name: string) => {}, unsubscribed: 0, codes: [] as number[], logs: [] as string[] }
  const opts = {
    log: (m: string) => p.logs.push(m),
    signals: (on: (name: string) => void) => {
      p.fire = on
      return () => p.unsubscribed++
    },
    exit: (code: number) => p.codes.push(code)
  }
  return { p, opts }
}

test('shutdown: the first signal closes once, says why and exits 0; later reasons join it', async (t) => {
  const { p, opts } = fakeProcess()
  let closes = 0
  const stop = shutdown(async () => {
    closes++
  }, opts)
  p.fire('SIGTERM')
  await stop('stdin closed')
  t.is(closes, 1, 'closed once')
  t.alike(p.codes, [0], 'exit 0')
  t.alike(p.logs, ['shutting down (SIGTERM)'], 'the first reason is the one logged')
  t.is(p.unsubscribed, 1, 'signals let go, so a second Ctrl+C ends the process the usual way')
})

test('shutdown: a close that fails says so and exits 1', async (t) => {
  const { p, opts } = fakeProcess()
  await shutdown(async () => {
    throw new Error('disk gone')
  }, opts)('window closed')
  t.alike(p.codes, [1])
  t.alike(p.logs, ['shutting down (window closed)', 'close failed: disk gone'])
})

test('shutdown: a close that never ends still exits (1) after its bound, and says so', async (t) => {
  const { p, opts } = fakeProcess()
  await shutdown(() => new Promise<void>(() => {}), { ...opts, bound: 50 })('SIGTERM')
  t.alike(p.codes, [1])
  t.alike(p.logs, ['shutting down (SIGTERM)', 'close did not finish in 0.05 s: exiting anyway'])
})
