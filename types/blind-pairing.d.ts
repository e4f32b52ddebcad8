// describes blind-pairing@2.x (test/core/types-pinned.test.ts checks the installed major)
declare module 'blind-pairing' {
  import type Hyperswarm from 'hyperswarm'
  import type { EventEmitter } from 'events'

  namespace BlindPairing {
    interface CreatedInvite {
      id: Buffer
      /** the invite to hand out (z32-encode it for people) */
      invite: Buffer
      seed: Buffer
      publicKey: Buffer
      discoveryKey: Buffer
      /** seconds since epoch, 0 for never; blind-pairing only encodes it, nobody enforces it */
      expires: number
    }
    interface DecodedInvite {
      id: Buffer
      seed: Buffer
      discoveryKey: Buffer
      expires: number
    }
    /** What a member sees of a join request. */
    interface MemberRequest {
      inviteId: Buffer
      /** set by open() */
      userData: Buffer | null
      /** throws when the request was not made with the invite of this public key */
      open(publicKey: Buffer): Buffer
      confirm(response: { key: Buffer; encryptionKey: Buffer; additional?: unknown }): void
      /** status 1 rejected, 2 used, 3 expired */
      deny(opts?: { status?: number }): void
    }
    interface Member {
      flushed(): Promise<void>
      close(): Promise<void>
    }
    interface PairingResult {
      key: Buffer
      encryptionKey: Buffer
      data: Buffer | null
    }
    interface CandidateRequest extends EventEmitter {
      on(event: 'rejected', listener: (err: Error & { code?: string }) => void): this
    }
    interface Candidate {
      request: CandidateRequest
      /** resolves with the result once a member confirmed; never on rejection (close it) */
      pairing: Promise<PairingResult | null>
      close(): Promise<void>
    }
  }

  class BlindPairing {
    /** Joins topics and handles connections on the swarm itself. */
    constructor(swarm: Hyperswarm, opts?: { poll?: number })
    static createInvite(key: Buffer, opts?: { expires?: number; discoveryKey?: Buffer }): BlindPairing.CreatedInvite
    /** throws on an invite that does not decode */
    static decodeInvite(invite: Buffer): BlindPairing.DecodedInvite
    addMember(opts: { discoveryKey: Buffer; announce?: boolean; onadd: (request: BlindPairing.MemberRequest) => unknown }): BlindPairing.Member
    addCandidate(opts: { invite: Buffer; userData: Buffer; onadd?: (result: BlindPairing.PairingResult) => unknown }): BlindPairing.Candidate
    close(): Promise<void>
  }

  export = BlindPairing
}
