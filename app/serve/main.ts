// `peerline serve`: the always-on peer as a program of its own (it shares the CLI's flags).
import z32 from 'z32'
import { NumberScheme } from '../../lib/identity/number-scheme'
import type { Log } from '../../lib/log'
import type { PeerAddress } from '../../lib/network/swarm-network'
import { shutdown } from '../shutdown'
import { AlwaysOnServer } from './always-on-server'

export interface ServeOptions {
  storage: string
  scheme?: NumberScheme | undefined
  bootstrap?: PeerAddress[] | undefined
  host?: string | undefined
  log: Log
}

/** Runs until a signal: prints one JSON-RPC `ready` line with the key members add. */
export async function serve({ storage, scheme = new NumberScheme(), bootstrap, host, log }: ServeOptions): Promise<void> {
  const server = new AlwaysOnServer({ storage, scheme, log, ...(bootstrap ? { bootstrap } : {}), ...(host ? { host } : {}) })
  shutdown(() => server.close(), { log })
  await server.ready()
  const publicKey = server.publicKey.toString('hex')
  process.stdout.write(JSON.stringify({ jsonrpc: '2.0', method: 'ready', params: { publicKey, key: z32.encode(server.publicKey) } }) + '\n')
  log(`always-on peer ready: ${publicKey}`)
}
