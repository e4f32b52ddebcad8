/**
 * What one number derivation costs here, and so what forging a key for a given number costs
 * (about 1e9 derivations on average: each try hits a given 9-digit number with p = 1e-9).
 *
 *   node dist/bench/number-cost.js
 */
import os from 'os'
import crypto from 'hypercore-crypto'
import { NumberScheme } from '../lib/identity/number-scheme'

const RUNS = 20
const TRIES = 1e9

async function main(): Promise<void> {
  const scheme = new NumberScheme()
  const times: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const { publicKey } = crypto.keyPair()
    const t0 = process.hrtime.bigint()
    await scheme.derive(publicKey)
    times.push(Number(process.hrtime.bigint() - t0) / 1e6)
  }
  times.sort((a, b) => a - b)
  const median = times[RUNS >> 1]
  const coreYears = (TRIES * median) / 1000 / 3600 / 24 / 365
  const { opslimit, memlimit } = scheme.params
  console.log(`machine: ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}`)
  console.log(`Argon2id, ${opslimit} passes, ${memlimit / 2 ** 20} MiB: median ${median.toFixed(1)} ms per derivation (min ${times[0].toFixed(1)}, max ${times[RUNS - 1].toFixed(1)})`)
  console.log(`forging one number: ~${TRIES.toExponential(0)} derivations = ${coreYears.toFixed(1)} core-years, each guess holding ${memlimit / 2 ** 20} MiB`)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
