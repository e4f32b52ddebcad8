import type { Client, MethodName, NotificationName, Notifications, ParamsArg, Result } from '../contract'
import type { Api } from './api'

/** The contract's typed client over an Api in this process (the terminal chat, tests). */
export class LocalClient implements Client {
  private readonly _api: Api

  constructor(api: Api) {
    this._api = api
  }

  call<M extends MethodName>(method: M, ...params: ParamsArg<M>): Promise<Result<M>> {
    return this._api.request(method, ...params)
  }

  on<N extends NotificationName>(name: N, fn: (payload: Notifications[N]) => void): () => void {
    const listener = (n: NotificationName, payload: Notifications[NotificationName]): void => {
      if (n === name) fn(payload as Notifications[N])
    }
    this._api.on('notification', listener)
    return () => void this._api.off('notification', listener)
  }
}
