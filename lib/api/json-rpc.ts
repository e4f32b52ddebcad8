import { isPeerlineError } from '../errors'
import type { Log } from '../log'
import { MethodNotFound } from './api'
import type { NotificationName, Notifications } from '../contract'
import type { Api } from './api'

/** JSON-RPC 2.0 error codes (the spec's) */
const PARSE_ERROR = -32700
const INVALID_REQUEST = -32600
const METHOD_NOT_FOUND = -32601
const INVALID_PARAMS = -32602
const INTERNAL_ERROR = -32603
/** Ours: an error the user can act on; data.code says which. */
const APP_ERROR = -32000

const MAX_MESSAGE_BYTES = 1024 * 1024

type Id = string | number | null

interface RpcError {
  code: number
  message: string
  data?: { code: string; [k: string]: unknown }
}

export type RpcMessage =
  | { jsonrpc: '2.0'; id: Id; result: unknown }
  | { jsonrpc: '2.0'; id: Id; error: RpcError }
  | { jsonrpc: '2.0'; method: string; params: unknown }

/**
 * JSON-RPC 2.0 over any framing: give it one message's text, it answers through `send`.
 * Requests run concurrently; notifications from the Api are pushed the same way.
 */
export class JsonRpcServer {
  private readonly _api: Api
  private readonly _send: (msg: RpcMessage) => void
  private readonly _log: Log
  private readonly _onnotification: (name: NotificationName, params: Notifications[NotificationName]) => void

  constructor(api: Api, send: (msg: RpcMessage) => void, log: Log) {
    this._api = api
    this._send = send
    this._log = log
    this._onnotification = (method, params) => this._send({ jsonrpc: '2.0', method, params })
    api.on('notification', this._onnotification)
  }

  detach(): void {
    this._api.off('notification', this._onnotification)
  }

  /** Handles one framed message. Never throws. */
  async receive(text: string): Promise<void> {
    if (text.length > MAX_MESSAGE_BYTES) return this._error(null, INVALID_REQUEST, 'message too large')
    let msg: unknown
    try {
      msg = JSON.parse(text)
    } catch {
      return this._error(null, PARSE_ERROR, 'Parse error: not valid JSON')
    }
    if (Array.isArray(msg)) {
      if (msg.length === 0) return this._error(null, INVALID_REQUEST, 'empty batch')
      await Promise.all(msg.map((m) => this._one(m)))
      return
    }
    await this._one(msg)
  }

  private async _one(msg: unknown): Promise<void> {
    if (msg === null || typeof msg !== 'object') return this._error(null, INVALID_REQUEST, 'Invalid Request')
    const req = msg as { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown }
    const id = validId(req.id) ? (req.id as Id) : null
    const isNotification = !('id' in req)
    if (req.jsonrpc !== '2.0' || typeof req.method !== 'string' || (!isNotification && !validId(req.id))) {
      return this._error(id, INVALID_REQUEST, 'Invalid Request: need {"jsonrpc":"2.0","id":..,"method":"..."}')
    }
    try {
      const result = await this._api.call(req.method, req.params)
      if (!isNotification) this._send({ jsonrpc: '2.0', id, result: result === undefined ? null : result })
    } catch (err) {
      if (isNotification) return
      if (err instanceof MethodNotFound) return this._error(id, METHOD_NOT_FOUND, err.message)
      if (isPeerlineError(err)) {
        const code = err.code === 'BAD_REQUEST' ? INVALID_PARAMS : APP_ERROR
        return this._error(id, code, err.message, { code: err.code, ...(err.details ?? {}) })
      }
      this._log(`${req.method} failed: ${(err as Error).stack ?? String(err)}`)
      this._error(id, INTERNAL_ERROR, 'Internal error: ' + (err as Error).message, { code: 'INTERNAL' })
    }
  }

  private _error(id: Id, code: number, message: string, data?: RpcError['data']): void {
    this._send({ jsonrpc: '2.0', id, error: data ? { code, message, data } : { code, message } })
  }
}

function validId(id: unknown): boolean {
  return id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id))
}
