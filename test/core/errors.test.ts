import test from 'brittle'
import { ERROR_CODES, PeerlineError, isPeerlineError } from '../../lib/errors'

// Each code has a factory of the same name that makes an error with that code and a sentence.
test('every error code has a factory that keeps the code on the error', (t) => {
  const factories = PeerlineError as unknown as Record<string, ((...args: string[]) => PeerlineError) | undefined>
  for (const code of ERROR_CODES) {
    const make = factories[code]
    if (typeof make !== 'function') {
      t.fail(`no factory for ${code}`)
      continue
    }
    const err = make('123 456 789')
    t.ok(isPeerlineError(err), `${code} makes a PeerlineError`)
    t.is(err.code, code)
    t.ok(err.message.length > 0, `${code} has a sentence`)
  }
})

test('default sentences, and a sentence given instead', (t) => {
  t.is(PeerlineError.CLOSED().message, 'Peerline is shutting down.')
  t.is(PeerlineError.CLOSED('Peerline is still starting.').message, 'Peerline is still starting.')
  t.is(PeerlineError.NOT_A_CONTACT('123 456 789').message, '123 456 789 is not one of your contacts.')
  const mismatch = PeerlineError.KEY_MISMATCH('123 456 789', { number: '123 456 789' })
  t.alike(mismatch.details, { number: '123 456 789' }, 'details ride along')
  t.ok(mismatch.message.startsWith('123 456 789 now answers with a different key'))
})
