// One laptop's updater, or the publisher's seeder, run inside a network namespace for the LAN
// tests. No bootstrap and no host are given: exactly what a laptop with the internet gone runs.
//   seed DIR VERSION   a release drive staged the way `pear stage` lays it out for this machine,
//                      seeded on the LAN; prints {"upgrade": "pear://..."} once it is announced
//   update DIR LINK    an installed 0.1.0 AppImage in DIR and its AppUpdater; prints
//                      {"state": s, "version": v} on every change of state
// Both run until stdin closes or SIGTERM.
import fs from 'fs'
import path from 'path'
import z32 from 'z32'
import Corestore from 'corestore'
import Hyperdrive from 'hyperdrive'
import { shutdown } from '../app/shutdown'
import { AppUpdater, stagedAppPath } from '../app/updater/app-updater'
import { SwarmNetwork } from '../lib/network/swarm-network'

const log = (msg: string): void => void process.stderr.write(msg + '\n')
const print = (value: object): void => void process.stdout.write(JSON.stringify(value) + '\n')

async function seed(dir: string, version: string): Promise<() => Promise<void>> {
  const store = new Corestore(path.join(dir, 'release'))
  const drive = new Hyperdrive(store)
  await drive.ready()
  await drive.put('/package.json', JSON.stringify({ name: 'peerline', productName: 'Peerline', version }))
  await drive.put(stagedAppPath('Peerline', process.platform, process.arch)!, 'version ' + version)
  const network = new SwarmNetwork({ keyPair: await store.createKeyPair('seeder'), firewall: () => false, log })
  network.onconnection = (conn) => store.replicate(conn)
  await network.ready()
  network.meet(drive.discoveryKey)
  await network.swarm.flush()
  print({ upgrade: 'pear://' + z32.encode(drive.key) })
  return async () => {
    await network.close()
    await drive.close()
    await store.close()
  }
}

async function update(dir: string, upgrade: string): Promise<() => Promise<void>> {
  const appImage = path.join(dir, 'Peerline.AppImage')
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(appImage, 'version 0.1.0')
  const updater = new AppUpdater({
    dir: path.join(dir, 'user'),
    productName: 'Peerline',
    version: '0.1.0',
    upgrade,
    platform: 'linux',
    execPath: '/tmp/.mount_Peerline/peerline',
    env: { APPIMAGE: appImage },
    log
  })
  updater.on('state', (state: string) => print({ state, version: updater.readyVersion, reason: updater.reason }))
  await updater.ready()
  return () => updater.close()
}

async function main(): Promise<void> {
  const [mode, dir, arg] = process.argv.slice(2)
  if (mode !== 'seed' && mode !== 'update') throw new Error('usage: update-main seed DIR VERSION | update DIR LINK')
  const close = mode === 'seed' ? await seed(dir, arg) : await update(dir, arg)
  const stop = shutdown(close, { log })
  process.stdin.on('end', () => void stop('stdin closed'))
  process.stdin.resume()
}

main().catch((err: Error) => {
  process.stderr.write(err.stack + '\n')
  process.exit(1)
})
