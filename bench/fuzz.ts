/**
 * Fuzzes every compact-encoding in lib/wire/ and every room op decoder (and the version envelope):
 * random and mutated inputs through the guard the channels and room apply use (decodeRecord in
 * try/catch).
 * A crash is a throw that is not an Error, a decoded value that will not re-encode stably, or the
 * process dying. Prints one line per decoder and the total; exits 1 on any crash.
 *
 *   npm run bench:fuzz                 (100,000 inputs per decoder)
 *   FUZZ_INPUTS=1000000 npm run bench:fuzz
 */
import { fuzz, fuzzTargets } from '../harness/schema-fuzzer'

const INPUTS = Number(process.env.FUZZ_INPUTS ?? 100_000)
const SEED = Number(process.env.FUZZ_SEED ?? 1)

const started = Date.now()
const targets = fuzzTargets()
let inputs = 0
let crashes = 0
console.log(`fuzz: ${targets.length} decoders, ${INPUTS} inputs each, seed ${SEED}`)
console.log('decoder'.padEnd(22) + 'inputs'.padStart(10) + 'seeds'.padStart(7) + 'decoded'.padStart(10) + 'refused'.padStart(10) + 'escaped'.padStart(9) + 'unstable'.padStart(10))
for (const target of targets) {
  const r = fuzz(target, INPUTS, SEED)
  inputs += r.inputs
  crashes += r.escaped + r.unstable
  console.log(
    r.name.padEnd(22) + String(r.inputs).padStart(10) + String(r.seeds).padStart(7) + String(r.decoded).padStart(10) + String(r.refused).padStart(10) + String(r.escaped).padStart(9) + String(r.unstable).padStart(10)
  )
  for (const e of r.examples) console.log('  ' + e)
}
const seconds = (Date.now() - started) / 1000
console.log(`fuzz: ${inputs} inputs over ${targets.length} decoders in ${seconds.toFixed(1)} s, ${crashes} crashes`)
process.exit(crashes === 0 ? 0 : 1)
