import type { NotificationName, Notifications } from '../../lib/api/api'

export type { NotificationName, Notifications }

/** What views and the call engine need of the Api: calls by name and typed notifications. */
export interface ApiPort {
  call<T = unknown>(method: string, params?: Record<string, unknown>): Promise<T>
  on<K extends NotificationName>(event: K, fn: (payload: Notifications[K]) => void): () => void
}
