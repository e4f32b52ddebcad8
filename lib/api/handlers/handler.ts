import type { Capability, Me, MethodName, METHODS, NotificationName, Notifications, Params, Result } from '../../contract'
import type { RoomMethods } from '../room-methods'
import type { ApiServices } from '../services'
import type { RawParams } from '../params'

/** What a handler gets besides its params: the core's services and the few Api-level acts. */
export interface HandlerContext {
  readonly core: ApiServices
  readonly rooms: RoomMethods
  /** Where downloads go when the caller names no folder. */
  downloadsFolder(): string
  /** Swaps a fresh profile's identity for the one `phrase` restores (the Api reopens the core). */
  restoreIdentity(phrase: string): Promise<Me>
  /** Makes this fresh profile a linked device of the person behind `link` (the Api reopens the core). */
  linkDevice(link: string): Promise<{ number: string }>
  /** The profile directory. */
  readonly storage: string
  /**
   * Closes the core, runs `between` on the closed profile (import), and opens the profile again,
   * also when `between` failed; `core` is the new core afterwards.
   */
  reopen(between: () => Promise<unknown> | void): Promise<void>
  /** Pushes a notification to the clients (progress of a long method). */
  notify<N extends NotificationName>(name: N, params: Notifications[N]): void
}

/**
 * One method: `params` checks what arrived (throwing BAD_REQUEST with a sentence) and returns it
 * typed as the contract says; `run` does the work.
 */
export interface Handler<M extends MethodName> {
  params: (p: RawParams) => Params<M>
  run: (ctx: HandlerContext, p: Params<M>) => Promise<Result<M>> | Result<M>
}

/** The methods of one capability, as the contract's METHODS assigns them. */
export type MethodsOf<C extends Capability> = { [M in MethodName]: (typeof METHODS)[M] extends C ? M : never }[MethodName]

/** A capability's handler table: exactly its methods, each typed by the contract. */
export type HandlerTable<C extends Capability> = { [M in MethodsOf<C>]: Handler<M> }

/** For methods that take nothing. */
export const none = (): Record<string, never> => ({})
