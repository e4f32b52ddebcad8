import WebSocket from 'ws'
import type { MethodName, ParamsArg, Result } from '../lib/contract'

/** A JSON-RPC client on a web shell's bridge, as the page would be (our Origin and the session cookie). */
export class BridgeClient {
  private readonly _ws: WebSocket
  private readonly _calls = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  private _id = 0

  private constructor(ws: WebSocket) {
    this._ws = ws
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string } }
      const call = typeof msg.id === 'number' ? this._calls.get(msg.id) : undefined
      if (!call) return
      this._calls.delete(msg.id as number)
      if (msg.error) call.reject(new Error(msg.error.message))
      else call.resolve(msg.result)
    })
  }

  static open(origin: string, cookie: string): Promise<BridgeClient> {
    const ws = new WebSocket(`ws://${new URL(origin).host}/bridge`, { headers: { Origin: origin, Cookie: cookie } })
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new BridgeClient(ws)))
      ws.once('error', reject)
    })
  }

  /** A method of the contract, typed by it. */
  call<M extends MethodName>(method: M, ...params: ParamsArg<M>): Promise<Result<M>> {
    const id = ++this._id
    return new Promise<Result<M>>((resolve, reject) => {
      this._calls.set(id, { resolve: resolve as (v: unknown) => void, reject })
      this._ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params: params[0] ?? {} }))
    })
  }

  close(): void {
    this._ws.close()
  }
}
