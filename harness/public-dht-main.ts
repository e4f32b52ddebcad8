// A stand-in for the public HyperDHT, run inside a network namespace: three persistent nodes on
// `host` (all bound to it). Prints {"bootstrap":"host:port"} once they are up; exits when stdin closes or on SIGTERM.
import HyperDHT from 'hyperdht'
import { shutdown } from '../app/shutdown'

async function main(host: string): Promise<void> {
  const first = HyperDHT.bootstrapper(49737, host)
  await first.fullyBootstrapped()
  const nodes = [first]
  for (let i = 0; i < 2; i++) {
    const node = new HyperDHT({ ephemeral: false, firewalled: false, host, bootstrap: [{ host, port: 49737 }] })
    await node.fullyBootstrapped()
    nodes.push(node)
  }
  const stop = shutdown(async () => void (await Promise.all(nodes.map((n) => n.destroy()))), { log: (msg) => process.stderr.write(msg + '\n') })
  process.stdin.on('end', () => void stop('stdin closed'))
  process.stdin.resume()
  process.stdout.write(JSON.stringify({ bootstrap: `${host}:49737` }) + '\n')
}

main(process.argv[2]).catch((err: Error) => {
  process.stderr.write(err.stack + '\n')
  process.exit(1)
})
