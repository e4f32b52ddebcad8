import type EventEmitter from 'bare-events'
import ReadyResource from 'ready-resource'

/**
 * Holepunch's ReadyResource (ready() opens once, close() releases once, a closed object is never
 * half alive) with its events typed like bare-events' EventEmitter<M>: `on`, `emit` and `off`
 * are checked against the event map. The class is ReadyResource itself; only its type is richer.
 */
/** What every ReadyResource emits itself: 'ready' once opened, 'close' once closed. */
export interface ResourceEvents {
  ready: []
  close: []
}

export interface Resource<M extends Record<keyof M, unknown[]>> extends EventEmitter<M & ResourceEvents> {
  readonly opening: Promise<void> | null
  readonly closing: Promise<void> | null
  readonly opened: boolean
  readonly closed: boolean
  ready(): Promise<void>
  close(): Promise<void>
}

type ResourceClass = abstract new <M extends Record<keyof M, unknown[]>>() => Resource<M>

export const Resource = ReadyResource as unknown as ResourceClass
