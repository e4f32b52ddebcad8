import type { MethodName } from '../../contract'
import { callHandlers } from './calls'
import { contactHandlers } from './contacts'
import type { Handler } from './handler'
import { fileHandlers } from './files'
import { identityHandlers } from './identity'
import { messageHandlers } from './messages'
import { profileHandlers } from './profile'
import { deviceHandlers } from './devices'
import { roomHandlers } from './rooms'

/** Every method's handler, one table per capability; the type makes sure none is missing. */
export const HANDLERS: { readonly [M in MethodName]: Handler<M> } = {
  ...identityHandlers,
  ...contactHandlers,
  ...messageHandlers,
  ...roomHandlers,
  ...fileHandlers,
  ...callHandlers,
  ...profileHandlers,
  ...deviceHandlers
}
