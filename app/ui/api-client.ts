import type { Client, MethodName, NotificationName, Notifications, ParamsArg, Result } from '../../lib/contract'

/** A channel that carries one JSON-RPC message per frame: a WebSocket or Electron's preload bridge. */
export interface TextTransport {
  send(text: string): void
  onmessage: (text: string) => void
  onclose: () => void
}

/** An Api error with the code from docs/api.md (data.code) and a sentence for people. */
export class ApiError extends Error {
  readonly code: string
  constructor(message: string, code: string) {
    super(message)
    this.code = code
  }
}

interface Pending {
  resolve: (value: unknown) => void
  reject: (err: Error) => void
}

interface RpcReply {
  id?: number
  result?: unknown
  error?: { message: string; data?: { code?: string } }
  method?: string
  params?: unknown
}

/** JSON-RPC 2.0 client: the renderer's only way to the core. */
export class ApiClient implements Client {
  private readonly _transport: TextTransport
  private readonly _pending = new Map<number, Pending>()
  private readonly _listeners = new Map<string, Set<(payload: never) => void>>()
  private _nextId = 1
  private _closed = false
  onclose: () => void = () => {}

  constructor(transport: TextTransport) {
    this._transport = transport
    transport.onmessage = (text) => this._receive(text)
    transport.onclose = () => {
      this._closed = true
      for (const p of this._pending.values()) p.reject(new ApiError('Peerline stopped.', 'CLOSED'))
      this._pending.clear()
      this.onclose()
    }
  }

  call<M extends MethodName>(method: M, ...args: ParamsArg<M>): Promise<Result<M>> {
    if (this._closed) return Promise.reject(new ApiError('Peerline stopped.', 'CLOSED'))
    const id = this._nextId++
    const params = args[0] ?? {}
    return new Promise<Result<M>>((resolve, reject) => {
      this._pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
      this._transport.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }))
    })
  }

  on<K extends NotificationName>(event: K, fn: (payload: Notifications[K]) => void): () => void {
    let set = this._listeners.get(event)
    if (!set) this._listeners.set(event, (set = new Set()))
    set.add(fn as (payload: never) => void)
    return () => set.delete(fn as (payload: never) => void)
  }

  private _receive(text: string): void {
    let msg: RpcReply
    try {
      msg = JSON.parse(text) as RpcReply
    } catch {
      return
    }
    if (typeof msg.method === 'string') {
      for (const fn of this._listeners.get(msg.method) ?? []) (fn as (p: unknown) => void)(msg.params)
      return
    }
    const pending = typeof msg.id === 'number' ? this._pending.get(msg.id) : undefined
    if (!pending || typeof msg.id !== 'number') return
    this._pending.delete(msg.id)
    if (msg.error) pending.reject(new ApiError(msg.error.message, msg.error.data?.code ?? 'ERROR'))
    else pending.resolve(msg.result)
  }
}

/** The web shell's bridge: ws://<same host>/bridge, admitted by the HttpOnly session cookie. */
export function webSocketTransport(): Promise<TextTransport> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${location.host}/bridge`)
    const transport: TextTransport = {
      send: (text) => ws.send(text),
      onmessage: () => {},
      onclose: () => {}
    }
    ws.onmessage = (e) => transport.onmessage(String(e.data))
    ws.onopen = () => resolve(transport)
    ws.onerror = () => reject(new Error('Could not reach Peerline. This window may be left over from an earlier start: start Peerline again.'))
    ws.onclose = () => transport.onclose()
  })
}

/** What app/electron/preload exposes on window.peerline. */
export interface ElectronBridge {
  send(text: string): void
  onMessage(fn: (text: string) => void): void
  onExit(fn: () => void): void
}

export function electronTransport(bridge: ElectronBridge): TextTransport {
  const transport: TextTransport = { send: (text) => bridge.send(text), onmessage: () => {}, onclose: () => {} }
  bridge.onMessage((text) => transport.onmessage(text))
  bridge.onExit(() => transport.onclose())
  return transport
}
