// Errors as factories, as hypercore-errors does it: one static per code, carrying the code's
// default sentence, so a sentence people read is written once and a code is never misspelt.
// The code strings are a public contract: the agent's JSON-RPC errors carry them as `data.code`.

import { ERROR_CODES } from './contract'
import type { ErrorCode } from './contract'

// The contract owns the codes; they are re-exported here beside their factories.
export { ERROR_CODES }
export type { ErrorCode }

type Details = Record<string, unknown>

/** An error a user can act on: a code for programs and a sentence for people. */
export class PeerlineError extends Error {
  readonly code: ErrorCode
  readonly details: Details | undefined

  constructor(code: ErrorCode, message: string, details?: Details) {
    super(message)
    this.name = 'PeerlineError'
    this.code = code
    this.details = details
  }

  // Requests

  /** Params a caller got wrong; the sentence says which and how. */
  static BAD_REQUEST(msg: string): PeerlineError {
    return new PeerlineError('BAD_REQUEST', msg)
  }

  /** One param missing or of the wrong type: names it and what it must be; data.param says which. */
  static INVALID_PARAM(name: string, must: string): PeerlineError {
    return new PeerlineError('BAD_REQUEST', `"${name}" must be ${must}`, { param: name })
  }

  static CLOSED(msg = 'Peerline is shutting down.'): PeerlineError {
    return new PeerlineError('CLOSED', msg)
  }

  static PROFILE_IN_USE(msg = 'This profile already has contacts or rooms. Restore into a new profile instead.'): PeerlineError {
    return new PeerlineError('PROFILE_IN_USE', msg)
  }

  // Identity

  static PHRASE_INVALID(msg = 'That recovery phrase is not valid: check that all 24 words are spelled right and in order.'): PeerlineError {
    return new PeerlineError('PHRASE_INVALID', msg)
  }

  static IDENTITY_EXISTS(dir: string): PeerlineError {
    return new PeerlineError('IDENTITY_EXISTS', `This profile (${dir}) already has another identity; restore into an empty profile.`)
  }

  // Numbers and contacts (`number` is the formatted number, `123 456 789`)

  static NUMBER_INVALID(input: string): PeerlineError {
    return new PeerlineError('NUMBER_INVALID', `"${input}" is not a Peerline number: it has nine digits, like 123 456 789.`)
  }

  static NUMBER_NOT_FOUND(number: string): PeerlineError {
    return new PeerlineError('NUMBER_NOT_FOUND', `Nobody answered on ${number}. Check the number, and that they have Peerline open.`)
  }

  /** Found on the DHT but no hole punch worked: both sides randomise ports and there is no relay. */
  static PEER_UNREACHABLE(number: string, details?: Details): PeerlineError {
    return new PeerlineError(
      'PEER_UNREACHABLE',
      `Found ${number}, but could not connect: your network changes ports at random (a strict NAT, ` +
        'common on mobile and corporate networks), theirs most likely too, and Peerline uses no relay servers. ' +
        'Try again in a minute, or from another network such as home Wi-Fi or a phone hotspot.',
      details
    )
  }

  static NUMBER_IS_YOURS(msg = 'That is your own number.'): PeerlineError {
    return new PeerlineError('NUMBER_IS_YOURS', msg)
  }

  static KEY_MISMATCH(number: string, details?: Details): PeerlineError {
    return new PeerlineError(
      'KEY_MISMATCH',
      `${number} now answers with a different key than the one you trusted. ` +
        'This can mean someone is impersonating them: compare safety codes in person before trusting it.',
      details
    )
  }

  static NOT_A_CONTACT(number: string, msg = `${number} is not one of your contacts.`): PeerlineError {
    return new PeerlineError('NOT_A_CONTACT', msg)
  }

  // Rooms and messages

  static NO_SUCH_ROOM(msg = 'There is no conversation with that id here.'): PeerlineError {
    return new PeerlineError('NO_SUCH_ROOM', msg)
  }

  static NO_SUCH_MESSAGE(msg = 'That message is not in this room (or was deleted).'): PeerlineError {
    return new PeerlineError('NO_SUCH_MESSAGE', msg)
  }

  static NOT_ADMIN(msg = 'Only an admin of this room can do that.'): PeerlineError {
    return new PeerlineError('NOT_ADMIN', msg)
  }

  /** A rule of the room forbids it; the sentence names the rule. */
  static NOT_ALLOWED(msg: string): PeerlineError {
    return new PeerlineError('NOT_ALLOWED', msg)
  }

  static NOT_A_MEMBER(msg = 'You are not a member of this room.'): PeerlineError {
    return new PeerlineError('NOT_A_MEMBER', msg)
  }

  static NOT_WRITABLE(msg: string): PeerlineError {
    return new PeerlineError('NOT_WRITABLE', msg)
  }

  static INVITE_EXPIRED(msg = 'That room key has expired: ask a member for a new one.'): PeerlineError {
    return new PeerlineError('INVITE_EXPIRED', msg)
  }

  static INVITE_INVALID(msg = 'That room key is not valid: check that it was copied whole.'): PeerlineError {
    return new PeerlineError('INVITE_INVALID', msg)
  }

  // Files (`name` is the file's name as shared)

  static FILE_NOT_FOUND(msg: string): PeerlineError {
    return new PeerlineError('FILE_NOT_FOUND', msg)
  }

  static FILE_BLOCKED(name: string): PeerlineError {
    return new PeerlineError('FILE_BLOCKED', `${name} is on your blocklist and was not downloaded.`)
  }

  static FILE_CORRUPT(msg: string): PeerlineError {
    return new PeerlineError('FILE_CORRUPT', msg)
  }

  static FILE_TOO_LARGE(msg: string): PeerlineError {
    return new PeerlineError('FILE_TOO_LARGE', msg)
  }

  /** Paused (or stopped by shutdown): what is on disk stays, and a new download resumes it. */
  static FILE_PAUSED(name: string, msg = `Download of ${name} paused; download it again to resume.`): PeerlineError {
    return new PeerlineError('FILE_PAUSED', msg)
  }

  static FILE_CANCELLED(name: string): PeerlineError {
    return new PeerlineError('FILE_CANCELLED', `Download of ${name} cancelled.`)
  }

  static NO_SUCH_FILE(msg = 'No conversation here has that file.'): PeerlineError {
    return new PeerlineError('NO_SUCH_FILE', msg)
  }

  // Calls

  static BUSY(msg = 'You are already in a call: hang up first.'): PeerlineError {
    return new PeerlineError('BUSY', msg)
  }

  static NOT_ONLINE(msg = 'That peer is not connected.'): PeerlineError {
    return new PeerlineError('NOT_ONLINE', msg)
  }

  static NO_SUCH_CALL(msg = 'There is no such call (it may have ended).'): PeerlineError {
    return new PeerlineError('NO_SUCH_CALL', msg)
  }

  // Versions (`what` names who or what is newer or older: "123 456 789", "a room op of protocol 3.0")

  /** They speak a newer major protocol version: we cannot read it until we update. */
  static UPGRADE_REQUIRED(what: string, details?: Details): PeerlineError {
    return new PeerlineError('UPGRADE_REQUIRED', `${what} uses a newer Peerline: update Peerline to talk to them and see everything.`, details)
  }

  /** They speak an older major protocol version: they cannot read ours until they update. */
  static PEER_OUTDATED(what: string, details?: Details): PeerlineError {
    return new PeerlineError('PEER_OUTDATED', `${what} uses an older Peerline that cannot read yours: ask them to update.`, details)
  }

  // Profile archives (export and import)

  static PASSPHRASE_WRONG(msg = 'That passphrase does not open this archive (or the archive is damaged at its start).'): PeerlineError {
    return new PeerlineError('PASSPHRASE_WRONG', msg)
  }

  /** Truncated, damaged or not an archive at all; nothing was changed. */
  static ARCHIVE_CORRUPT(msg = 'This archive is damaged or incomplete; nothing was imported.'): PeerlineError {
    return new PeerlineError('ARCHIVE_CORRUPT', msg)
  }

  static ARCHIVE_UNSUPPORTED(msg = 'This archive was made by a newer Peerline: update Peerline to import it.'): PeerlineError {
    return new PeerlineError('ARCHIVE_UNSUPPORTED', msg)
  }
}

export function isPeerlineError(err: unknown): err is PeerlineError {
  return err instanceof PeerlineError
}
