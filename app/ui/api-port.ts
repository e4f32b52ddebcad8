import type { Client, NotificationName, Notifications } from '../../lib/contract'

export type { NotificationName, Notifications }

/** What views and the call engine need of the Api: the contract's typed client. */
export type ApiPort = Client
