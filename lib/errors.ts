/** Stable error codes: the agent's JSON-RPC errors carry them as `data.code`. */
export type ErrorCode =
  | 'BAD_REQUEST'
  | 'NUMBER_INVALID'
  | 'NUMBER_NOT_FOUND'
  | 'PEER_UNREACHABLE'
  | 'NUMBER_IS_YOURS'
  | 'KEY_MISMATCH'
  | 'NOT_A_CONTACT'
  | 'NO_SUCH_ROOM'
  | 'NO_SUCH_MESSAGE'
  | 'NOT_ADMIN'
  | 'NOT_ALLOWED'
  | 'NOT_A_MEMBER'
  | 'INVITE_EXPIRED'
  | 'INVITE_INVALID'
  | 'FILE_NOT_FOUND'
  | 'FILE_BLOCKED'
  | 'FILE_CORRUPT'
  | 'FILE_TOO_LARGE'
  | 'FILE_PAUSED'
  | 'FILE_CANCELLED'
  | 'NO_SUCH_FILE'
  | 'NOT_WRITABLE'
  | 'PHRASE_INVALID'
  | 'IDENTITY_EXISTS'
  | 'PROFILE_IN_USE'
  | 'CLOSED'
  | 'BUSY'
  | 'NOT_ONLINE'
  | 'NO_SUCH_CALL'

/** An error a user can act on: a code for programs and a sentence for people. */
export class PeerlineError extends Error {
  readonly code: ErrorCode
  readonly details: Record<string, unknown> | undefined

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message)
    this.name = 'PeerlineError'
    this.code = code
    this.details = details
  }

  static BAD_REQUEST(msg: string): PeerlineError {
    return new PeerlineError('BAD_REQUEST', msg)
  }

  static NUMBER_INVALID(input: string): PeerlineError {
    return new PeerlineError(
      'NUMBER_INVALID',
      `"${input}" is not a Peerline number: it has nine digits, like 123 456 789.`
    )
  }

  static NOT_A_CONTACT(number: string): PeerlineError {
    return new PeerlineError('NOT_A_CONTACT', `${number} is not one of your contacts.`)
  }

  static CLOSED(): PeerlineError {
    return new PeerlineError('CLOSED', 'Peerline is shutting down.')
  }
}

export function isPeerlineError(err: unknown): err is PeerlineError {
  return err instanceof PeerlineError
}
