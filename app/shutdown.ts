/**
 * One way out for every Peerline process: a signal (SIGINT, SIGTERM) or any other reason the
 * process gives (stdin closed, the window closed) runs `close` once, logs why, and exits 0, or 1
 * when closing failed. Node's process signals by default; the Bare worker passes its own.
 */
export interface ShutdownOptions {
  log: (msg: string) => void
  /** Subscribes to the process's stop signals; answers an unsubscribe. */
  signals?: (onsignal: (name: string) => void) => () => void
  exit?: (code: number) => void
  /** ms a close may take before the process exits anyway (1): a stuck close must not keep it alive. */
  bound?: number
}

/** A close has this long: past it a process nobody can stop would hold its profile's locks. */
const CLOSE_BOUND = 30_000

const SIGNALS = ['SIGINT', 'SIGTERM'] as const

/** Returns `stop(why)`, the same shutdown the signals start (safe to call many times). */
export function shutdown(close: () => Promise<void>, { log, signals = processSignals, exit = (code) => process.exit(code), bound = CLOSE_BOUND }: ShutdownOptions): (why: string) => Promise<void> {
  let stopping: Promise<void> | null = null
  const stop = (why: string): Promise<void> => {
    if (stopping) return stopping
    log(`shutting down (${why})`)
    unsubscribe()
    let timer: ReturnType<typeof setTimeout> | null = null
    const stuck = new Promise<number>((resolve) => {
      timer = setTimeout(() => {
        log(`close did not finish in ${bound / 1000} s: exiting anyway`)
        resolve(1)
      }, bound)
    })
    const closed = close().then(
      () => 0,
      (err: Error) => {
        log('close failed: ' + (err?.message ?? String(err)))
        return 1
      }
    )
    stopping = Promise.race([closed, stuck]).then((code) => {
      if (timer !== null) clearTimeout(timer)
      exit(code)
    })
    return stopping
  }
  const unsubscribe = signals((name) => void stop(name))
  return stop
}

function processSignals(onsignal: (name: string) => void): () => void {
  const handlers = SIGNALS.map((name) => [name, () => onsignal(name)] as const)
  for (const [name, fn] of handlers) process.once(name, fn)
  return () => {
    for (const [name, fn] of handlers) process.off(name, fn)
  }
}
