import test from 'brittle'
import fs from 'fs'
import os from 'os'
import path from 'path'
import { localTestnet } from '../../harness/testnet'
import { eventually } from '../../harness/eventually'
import type PearRuntimeClass from 'pear-runtime'

const WORKER = path.join(__dirname, '..', '..', 'app', 'worker', 'worker.js')

/** pear-runtime is optional (it comes with the desktop app); answers null when it is not installed. */
function pearRuntime(): typeof PearRuntimeClass | null {
  try {
    return require('pear-runtime') as typeof PearRuntimeClass
  } catch {
    return null
  }
}

test('the desktop worker runs the core under pear-runtime\'s Bare and answers JSON-RPC on its IPC', { skip: pearRuntime() === null, timeout: 90_000 }, async (t) => {
  const PearRuntime = pearRuntime()!
  const { testnet, bootstrap } = await localTestnet()
  const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'peerline-worker-'))
  const worker = PearRuntime.run(WORKER, [storage, '--bootstrap', bootstrap, '--host', '127.0.0.1'])
  let stderr = ''
  worker.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<number | null>((resolve) => worker.once('exit', resolve))
  t.teardown(async () => {
    worker._process.kill('SIGKILL')
    await exited
    await testnet.destroy()
    fs.rmSync(storage, { recursive: true, force: true })
  })

  const replies = new Map<number, { result?: { number?: string; name?: string }; error?: { data?: { code: string } } }>()
  let buffered = ''
  worker.on('data', (d: Buffer) => {
    buffered += d.toString()
    let nl: number
    while ((nl = buffered.indexOf('\n')) !== -1) {
      const msg = JSON.parse(buffered.slice(0, nl)) as { id?: number; result?: { number?: string; name?: string }; error?: { data?: { code: string } } }
      if (typeof msg.id === 'number') replies.set(msg.id, msg)
      buffered = buffered.slice(nl + 1)
    }
  })
  let id = 0
  const call = async (method: string, params: object = {}): Promise<{ number?: string; name?: string }> => {
    const mine = ++id
    worker.write(JSON.stringify({ jsonrpc: '2.0', id: mine, method, params }) + '\n')
    await eventually(async () => replies.has(mine), (v) => v, 20_000)
    const reply = replies.get(mine)!
    if (reply.error) throw new Error(reply.error.data?.code ?? 'error')
    return reply.result ?? {}
  }

  await eventually(async () => stderr.includes('ready'), (v) => v, 60_000)
  const me = await call('whoami')
  t.ok(/^\d{9}$/.test(me.number ?? ''), 'the worker has a nine-digit number')
  await call('setProfile', { name: 'Desk' })
  t.is((await call('whoami')).name, 'Desk', 'and keeps the profile it is given')
  worker._process.kill('SIGTERM') // what Electron's main does at quit
  t.is(await exited, 0, 'the worker closes its core and exits cleanly when the app quits')
})
