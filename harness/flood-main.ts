/**
 * A flooder in its own process (so its CPU does not slow the test's own measurements): opens
 * connections to a victim's key from fresh key pairs, `rate` a second, each sending a hello with a
 * made-up number, until SIGTERM; then prints {"opened": N} and exits.
 *
 *   node flood-main.js <bootstrap host:port,...> <victim key hex> <rate>
 */
import c from 'compact-encoding'
import HyperDHT from 'hyperdht'
import Protomux from 'protomux'
import type NoiseSecretStream from '@hyperswarm/secret-stream'
import * as schema from '../lib/wire/schemas'

const [bootstrapText, victimHex, rateText] = process.argv.slice(2)
const bootstrap = bootstrapText.split(',').map((s) => ({ host: s.split(':')[0], port: Number(s.split(':')[1]) }))
const dht = new HyperDHT({ bootstrap, host: '127.0.0.1', firewalled: false })
const victim = Buffer.from(victimHex, 'hex')
const conns: NoiseSecretStream[] = []
let opened = 0

const timer = setInterval(() => {
  const conn = dht.connect(victim, { keyPair: HyperDHT.keyPair() })
  conns.push(conn)
  conn.on('error', () => {})
  conn.on('open', () => {
    opened++
    const number = String(Math.floor(Math.random() * 1e9)).padStart(9, '0')
    const ch = Protomux.from(conn).createChannel({ protocol: schema.HELLO_PROTOCOL, handshake: c.raw })
    ch?.open(c.encode(schema.hello, { number, name: 'flood', version: schema.PROTOCOL_VERSION }))
  })
}, 1000 / Number(rateText))

process.once('SIGTERM', () => {
  clearInterval(timer)
  for (const conn of conns) conn.destroy()
  process.stdout.write(JSON.stringify({ opened }) + '\n')
  dht.destroy().then(() => process.exit(0), () => process.exit(0))
})
