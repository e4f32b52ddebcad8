import readline from 'readline'
import type { Readable, Writable } from 'stream'
import type { Api } from '../../lib/api/api'
import { JsonRpcServer } from '../../lib/api/json-rpc'
import type { RpcMessage } from '../../lib/api/json-rpc'

/** JSON-RPC on stdio: one JSON object per line each way. Framing only; the rest is JsonRpcServer. */
export class StdioTransport {
  private readonly _rl: readline.Interface
  private readonly _server: JsonRpcServer
  private _pending = new Set<Promise<void>>()

  constructor(api: Api, input: Readable, output: Writable, log: (msg: string) => void) {
    this._server = new JsonRpcServer(api, (msg: RpcMessage) => output.write(JSON.stringify(msg) + '\n'), log)
    this._rl = readline.createInterface({ input, crlfDelay: Infinity })
    this._rl.on('line', (line) => {
      if (line.trim() === '') return
      const p = this._server.receive(line).finally(() => this._pending.delete(p))
      this._pending.add(p)
    })
  }

  /** Resolves when the input ends. */
  ended(): Promise<void> {
    return new Promise((resolve) => this._rl.once('close', resolve))
  }

  close(): void {
    this._server.detach()
    this._rl.close()
  }
}
