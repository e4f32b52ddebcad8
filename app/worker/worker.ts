/**
 * The P2P worker of the desktop app: the whole core (lib/) under Bare, started by pear-runtime
 * from Electron's main process. It speaks JSON-RPC, one message per line, on Bare.IPC; the main
 * process passes lines to and from the renderer and adds nothing.
 *
 * Arguments: <storage> [--bootstrap host:port,...] [--host addr]
 */
import b4a from 'b4a'
import Signal from 'bare-signals'
import { Api } from '../../lib/api/api'
import { JsonRpcServer } from '../../lib/api/json-rpc'
import { NumberScheme } from '../../lib/identity/number-scheme'
import { parseBootstrap } from '../../lib/network/swarm-network'
import type { PeerlineOptions } from '../../lib/peerline'
import { shutdown } from '../shutdown'

interface BareIPC {
  on(event: 'data', fn: (data: Uint8Array) => void): void
  on(event: 'end', fn: () => void): void
  write(data: string): boolean
}

interface BareGlobal {
  argv: string[]
  IPC: BareIPC
  on(event: 'teardown', fn: () => Promise<void> | void): void
  exit(code?: number): void
}

declare const Bare: BareGlobal

const log = (msg: string): void => console.error(`[peerline worker] ${msg}`)

function options(argv: string[]): PeerlineOptions {
  const [storage, ...rest] = argv
  if (!storage) throw new Error('usage: worker <storage> [--bootstrap list] [--host addr]')
  const flag = (name: string): string | undefined => {
    const i = rest.indexOf('--' + name)
    return i === -1 ? undefined : rest[i + 1]
  }
  const bootstrap = flag('bootstrap')
  const host = flag('host')
  return {
    storage,
    log,
    scheme: new NumberScheme(),
    ...(bootstrap ? { bootstrap: parseBootstrap(bootstrap) } : {}),
    ...(host ? { host } : {})
  }
}

async function main(): Promise<void> {
  const api = new Api(options(Bare.argv.slice(2)))
  const rpc = new JsonRpcServer(api, (msg) => Bare.IPC.write(JSON.stringify(msg) + '\n'), log)
  let buffered = ''
  Bare.IPC.on('data', (data) => {
    buffered += b4a.toString(data as Buffer)
    let nl: number
    while ((nl = buffered.indexOf('\n')) !== -1) {
      const line = buffered.slice(0, nl)
      buffered = buffered.slice(nl + 1)
      if (line.trim()) void rpc.receive(line)
    }
  })
  // The app quits by closing the pipe or by a signal (bare-sidecar's destroy sends SIGTERM):
  // close the core either way, so storage and the DHT records are left tidy.
  const stop = shutdown(() => api.close(), { log, signals: bareSignals, exit: (code) => Bare.exit(code) })
  Bare.IPC.on('end', () => void stop('pipe closed'))
  await api.ready()
  log('ready')
}

/** SIGTERM and SIGINT under Bare (bare-signals; Bare has no process.on). */
function bareSignals(onsignal: (name: string) => void): () => void {
  const signals = (['SIGTERM', 'SIGINT'] as const).map((name) => {
    const signal = new Signal(name)
    signal.on('signal', () => onsignal(name)).start()
    signal.unref()
    return signal
  })
  return () => {
    for (const s of signals) s.close()
  }
}

main().catch((err: Error) => {
  log('failed to start: ' + (err.stack ?? err.message))
  Bare.exit(1)
})
