/**
 * Baseline peers for the file benchmark, each its own process:
 *   recv  BOOTSTRAP TOPIC OUT   Hyperswarm server: writes what arrives to OUT, prints "done BYTES MS"
 *   send  BOOTSTRAP TOPIC FILE  Hyperswarm client: pipes FILE into the connection
 *   tcp-recv OUT                TCP server on 127.0.0.1: prints "port N", then "done BYTES MS"
 *   tcp-send PORT FILE          TCP client: pipes FILE
 */
import Hyperswarm from 'hyperswarm'
import HyperDHT from 'hyperdht'
import b4a from 'b4a'
import fs from 'fs'
import net from 'net'
import type NoiseSecretStream from '@hyperswarm/secret-stream'
import type { Duplex } from 'stream'

function receive(stream: Duplex | NoiseSecretStream, out: string, onend: () => void): void {
  const file = fs.createWriteStream(out)
  const t0 = Date.now()
  let bytes = 0
  stream.on('data', (d: Buffer) => {
    bytes += d.byteLength
    if (!file.write(d)) {
      stream.pause()
      file.once('drain', () => stream.resume())
    }
  })
  stream.on('end', () => file.end(() => {
    process.stdout.write(`done ${bytes} ${Date.now() - t0}\n`)
    onend()
  }))
  stream.on('error', () => {})
}

async function main(): Promise<void> {
  const [mode, ...args] = process.argv.slice(2)
  if (mode === 'tcp-recv') {
    const server = net.createServer((socket) => receive(socket, args[0], () => server.close()))
    server.listen(0, '127.0.0.1', () => process.stdout.write(`port ${(server.address() as net.AddressInfo).port}\n`))
    return
  }
  if (mode === 'tcp-send') {
    const socket = net.connect(Number(args[0]), '127.0.0.1', () => fs.createReadStream(args[1]).pipe(socket))
    socket.on('close', () => process.exit(0))
    return
  }
  const bootstrap = args[0].split(',').map((s) => ({ host: s.split(':')[0], port: Number(s.split(':')[1]) }))
  const swarm = new Hyperswarm({ dht: new HyperDHT({ bootstrap, host: '127.0.0.1', firewalled: false }) })
  const topic = b4a.from(args[1], 'hex')
  if (mode === 'recv') {
    swarm.on('connection', (conn: NoiseSecretStream) => receive(conn, args[2], () => void swarm.destroy().then(() => process.exit(0))))
    await swarm.join(topic, { server: true, client: false }).flushed()
    process.stdout.write('ready\n')
    return
  }
  swarm.on('connection', (conn: NoiseSecretStream) => {
    conn.on('error', () => {})
    const src = fs.createReadStream(args[2])
    src.pipe(conn as unknown as NodeJS.WritableStream)
    conn.on('close', () => void swarm.destroy().then(() => process.exit(0)))
  })
  swarm.join(topic, { server: false, client: true })
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
