import { optStr, str } from '../params'
import { none } from './handler'
import type { HandlerTable } from './handler'

const number = (p: Record<string, unknown>): { number: string } => ({ number: str(p, 'number') })

/** Adding people by number, answering requests, blocking. */
export const contactHandlers: HandlerTable<'contacts'> = {
  addContact: { params: (p) => ({ number: str(p, 'number'), publicKey: optStr(p, 'publicKey') }), run: ({ core }, p) => core.contacts.add(p.number, p.publicKey) },
  acceptContact: { params: number, run: ({ core }, p) => core.contacts.accept(p.number) },
  declineContact: { params: number, run: ({ core }, p) => core.contacts.decline(p.number) },
  cancelContact: { params: number, run: async ({ core }, p) => ({ cancelled: await core.contacts.cancel(p.number) }) },
  listContacts: { params: none, run: ({ core }) => core.contacts.list() },
  listRequests: { params: none, run: ({ core }) => core.contacts.requests() },
  blockContact: { params: number, run: ({ core }, p) => core.contacts.block(p.number) },
  unblockContact: { params: number, run: ({ core }, p) => core.contacts.unblock(p.number) },
  listBlocked: { params: none, run: ({ core }) => core.contacts.blocked() }
}
