import type test from 'brittle'
import path from 'path'
import { Api } from '../lib/api/api'
import type { PeerlineOptions } from '../lib/peerline'
import { localTestnet } from './testnet'

type T = Parameters<Parameters<typeof test>[1]>[0]

export interface Note {
  name: string
  params: Record<string, unknown>
}

// Bare has no global process: its environment is the bare-env module.
const ENV = (typeof process !== 'undefined' ? process.env : require('bare-env')) as Record<string, string | undefined>
const LOG = ENV.PEERLINE_TEST_LOG

/** An in-process Api on a test DHT, with its notifications and logs recorded; closed at teardown. */
export async function startApi(t: T, dir: string, bootstrap: Array<{ host: string; port: number }>, extra: Partial<PeerlineOptions> = {}) {
  const logs: string[] = []
  // PEERLINE_TEST_LOG=1 prints each core's log as it happens, with the time: for chasing a slow or failed step.
  const t0 = Date.now()
  const record = (m: string): void => {
    logs.push(m)
    if (LOG) console.error(`[${path.basename(dir)} +${Date.now() - t0} ms] ${m}`)
  }
  const api = new Api({ storage: dir, bootstrap, host: '127.0.0.1', lookupTimeout: 8000, log: (m) => record(m), ...extra })
  const notes: Note[] = []
  api.on('notification', (name, params) => notes.push({ name, params: { ...params } }))
  await api.ready()
  t.teardown(() => api.close(), { order: 0 })
  /** The first notification (past or future, up to 30 s) that matches. */
  const next = async (name: string, match: (p: Record<string, unknown>) => boolean = () => true): Promise<Record<string, unknown>> => {
    for (let i = 0; i < 1500; i++) {
      const n = notes.find((x) => x.name === name && match(x.params))
      if (n) return n.params
      await new Promise((r) => setTimeout(r, 20))
    }
    throw new Error('no ' + name)
  }
  return { api, notes, next, logs }
}

/** The PeerlineError code a call failed with, or 'no error'. */
export async function errorCode(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p
  } catch (err) {
    return (err as { code?: string }).code
  }
  return 'no error'
}

/** A local testnet and a temp folder for one test; `start(name)` opens an Api in `dir/name`. */
export async function coreNet(t: T) {
  const { testnet } = await localTestnet()
  t.teardown(() => testnet.destroy(), { order: 1000 })
  const dir = await t.tmp()
  return { dir, testnet, start: (name: string, extra?: Partial<PeerlineOptions>) => startApi(t, path.join(dir, name), testnet.bootstrap, extra) }
}
