import createTestnet from 'hyperdht/testnet'
import type { Testnet } from 'hyperdht/testnet'

/** A local DHT of three nodes on 127.0.0.1 (fewer stalls NAT sampling). */
export async function localTestnet(): Promise<{ testnet: Testnet; bootstrap: string }> {
  const testnet = await createTestnet(3, { host: '127.0.0.1' })
  const bootstrap = testnet.bootstrap.map((b) => `${b.host}:${b.port}`).join(',')
  return { testnet, bootstrap }
}
