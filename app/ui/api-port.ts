/**
 * What the renderer needs from the worker: JSON-RPC calls to the Api and its notifications.
 * The web shell (WebSocket bridge) and the Electron preload each implement it.
 */
export interface ApiPort {
  call<T = unknown>(method: string, params?: Record<string, unknown>): Promise<T>
  /** Subscribes to one notification; returns the unsubscribe function. */
  on(event: string, fn: (payload: any) => void): () => void
}
