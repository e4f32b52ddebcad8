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
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const

/** Returns `stop(why)`, the same shutdown the signals start (safe to call many times). */
export function shutdown(close: () => Promise<void>, { log, signals = processSignals, exit = (code) => process.exit(code) }: ShutdownOptions): (why: string) => Promise<void> {
  let stopping: Promise<void> | null = null
  const stop = (why: string): Promise<void> => {
    if (stopping) return stopping
    log(`shutting down (${why})`)
    unsubscribe()
    stopping = close().then(
      () => exit(0),
      (err: Error) => {
        log('close failed: ' + (err?.message ?? String(err)))
        exit(1)
      }
    )
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
