import type { MessageRecord } from '../wire/schemas'
import { sanitizeFileName } from '../files/file-name'
import type { ReplyQuote } from '../contract'

/** The longest reply id kept: message ids are at most 64 characters (apply's validId). */
export const MAX_REPLY_ID = 64
/** How much of the original's text a quote carries. */
export const QUOTE_CHARS = 100

/**
 * What a reply shows of the message it answers, as this device has it. The id comes from a peer
 * and may name nothing here (unknown, another room's, deleted, past its time): then `available`
 * is false and the rest is empty, and clients say "Original message not available".
 */
export interface QuoteState {
  id: string
  available: boolean
  seq: number | null
  from: string
  publicKey: Buffer | null
  text: string
  /** the file's name (made safe: it comes from a peer) if the original is a file */
  file: string | null
  call: boolean
}

/** The quote of `original` (its current state: edited text, or gone when deleted) for reply id `id`. */
export function quoteOf(id: string, original: (Pick<MessageRecord, 'from' | 'publicKey' | 'file' | 'call'> & { seq: number; text: string; deleted: boolean }) | null): QuoteState {
  if (original === null || original.deleted) return { id, available: false, seq: null, from: '', publicKey: null, text: '', file: null, call: false }
  const file = original.file ? sanitizeFileName(original.file.name) : null
  const text = file !== null || original.call !== null ? '' : original.text.slice(0, QUOTE_CHARS)
  return { id, available: true, seq: original.seq, from: original.from, publicKey: original.publicKey, text, file, call: original.call !== null }
}

/** A quote as clients see it, with the author's name from `nameOf` ('' if none). */
export function replyQuote(q: QuoteState, nameOf: (publicKey: Buffer) => string): ReplyQuote {
  return { id: q.id, available: q.available, seq: q.seq, from: q.from, name: q.publicKey === null ? '' : nameOf(q.publicKey), text: q.text, file: q.file, call: q.call }
}
