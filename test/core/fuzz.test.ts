import test from 'brittle'
import * as schema from '../../lib/wire/schemas'
import { fuzz, fuzzTargets } from '../../harness/schema-fuzzer'

// The short variant of `npm run bench:fuzz` (100,000 inputs per decoder there).
const INPUTS = 2000

test('fuzz: every wire schema and room op decoder refuses garbage with an Error, and what decodes re-encodes', (t) => {
  const targets = fuzzTargets()
  const exported = Object.values(schema).filter((v) => typeof v === 'object' && v !== null && 'decode' in v).length
  t.is(targets.filter((x) => x.opType === undefined).length, exported, `all ${exported} schemas`)
  t.ok(targets.filter((x) => x.opType !== undefined).length >= 13, 'every room op type')
  let inputs = 0
  for (const target of targets) {
    const r = fuzz(target, INPUTS)
    inputs += r.inputs
    const crashes = r.escaped + r.unstable
    if (crashes > 0) t.fail(`${r.name}: ${crashes} crashes, e.g. ${r.examples[0]}`)
    // Not vacuous: each decoder saw inputs it took and inputs it refused.
    if (r.decoded === 0 || r.refused === 0) t.fail(`${r.name}: decoded ${r.decoded}, refused ${r.refused}`)
  }
  t.pass(`${inputs} inputs over ${targets.length} decoders, 0 crashes`)
})
