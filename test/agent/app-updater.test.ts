import test from 'brittle'
import fs from 'fs'
import os from 'os'
import path from 'path'
import z32 from 'z32'
import Corestore from 'corestore'
import Hyperdrive from 'hyperdrive'
import Hyperswarm from 'hyperswarm'
import HyperDHT from 'hyperdht'
import createTestnet from 'hyperdht/testnet'
import { AppUpdater, appFileName, appPath, relaunchOptions, stagedAppPath } from '../../app/updater/app-updater'
import type { UpdateState } from '../../app/updater/app-updater'

// The updater against pear-runtime's real Updater: a release drive staged the way `pear stage`
// lays it out, seeded on a local testnet, and an "installed" AppImage that must change only when
// apply() is called. pear-runtime looks for its own host (platform-arch), so the staged path uses
// this machine's.

const HOST = '127.0.0.1'
type Teardown = (fn: () => Promise<void> | void, opts?: { order?: number }) => void

test('file names, app paths and relaunch per OS', (t) => {
  t.is(appFileName('Peerline', 'linux'), 'Peerline.AppImage')
  t.is(appFileName('Peerline', 'darwin'), 'Peerline.app')
  t.is(appFileName('Peerline', 'win32'), 'Peerline.msix')
  t.is(appFileName('Peerline', 'freebsd'), null, 'no packaged app, no updates')
  t.is(stagedAppPath('Peerline', 'darwin', 'arm64'), '/by-arch/darwin-arm64/app/Peerline.app')

  const appImage = '/home/a/Apps/Peerline.AppImage'
  t.is(appPath('linux', '/tmp/.mount_PeerlXYZ/peerline', { APPIMAGE: appImage }), appImage, 'Linux swaps the AppImage, not the mounted binary')
  t.is(appPath('linux', '/usr/lib/peerline/peerline', {}), null, 'a deb/rpm install is left to the package manager')
  t.is(appPath('darwin', '/Applications/Peerline.app/Contents/MacOS/Peerline', {}), '/Applications/Peerline.app', 'macOS swaps the bundle')
  t.is(appPath('darwin', '/usr/local/bin/electron', {}), null, 'an unbundled binary does not update')

  t.alike(relaunchOptions('linux', '/tmp/.mount_PeerlXYZ/peerline', { APPIMAGE: appImage }, ['--storage', 'x']), { execPath: appImage, args: ['--storage', 'x'] })
  t.alike(relaunchOptions('darwin', '/Applications/Peerline.app/Contents/MacOS/Peerline', {}, []), {
    execPath: '/Applications/Peerline.app/Contents/MacOS/Peerline',
    args: []
  })
})

test('a newer release downloads, waits for the person, and apply() swaps the AppImage in place', async (t) => {
  const { tmp, bootstrap, upgrade } = await release(t, '0.2.0', stagedAppPath('Peerline', process.platform, process.arch)!)
  const appImage = path.join(tmp, 'installed', 'Peerline.AppImage')
  fs.mkdirSync(path.dirname(appImage))
  fs.writeFileSync(appImage, 'version 0.1.0')

  const updater = installed(t, tmp, upgrade, bootstrap, appImage)
  const ready = reaches(updater, 'ready')
  await updater.ready()
  await ready
  t.is(updater.readyVersion, '0.2.0')
  t.is(fs.readFileSync(appImage, 'utf8'), 'version 0.1.0', 'nothing changes before the person confirms')

  t.ok(await updater.apply(), 'applied')
  t.is(updater.state, 'applied')
  t.is(fs.readFileSync(appImage, 'utf8'), 'version 0.2.0', 'the AppImage is the new release')
  t.absent(await updater.apply(), 'a second apply does nothing')
})

test('an app that moved away before apply() is left alone and the failure is said', async (t) => {
  const { updater, appImage } = await installedWith(t, stagedAppPath('Peerline', process.platform, process.arch)!, 'ready')
  fs.renameSync(appImage, appImage + '.moved')
  t.absent(await updater.apply(), 'not applied')
  t.is(updater.state, 'failed')
  t.ok(updater.reason.includes(appImage), updater.reason)
  t.is(fs.readFileSync(appImage + '.moved', 'utf8'), 'version 0.1.0', 'the moved app is untouched')
})

test('a release without our platform file is not offered, and the app is left alone', async (t) => {
  // The old bug: staged (or looked up) under the bare product name instead of Peerline.AppImage.
  const { updater, appImage } = await installedWith(t, `/by-arch/${process.platform}-${process.arch}/app/Peerline`, 'failed')
  t.ok(updater.reason.includes('Peerline.AppImage'), updater.reason)
  t.absent(await updater.apply(), 'nothing to apply')
  t.is(fs.readFileSync(appImage, 'utf8'), 'version 0.1.0')
})

test('no AppImage, no updater: a deb/rpm install stays off and opens no swarm', async (t) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'peerline-upd-'))
  t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }))
  const updater = new AppUpdater({
    dir: tmp,
    productName: 'Peerline',
    version: '0.1.0',
    upgrade: 'pear://' + z32.encode(Buffer.alloc(32, 1)),
    platform: 'linux',
    execPath: '/usr/lib/peerline/peerline',
    env: {}
  })
  await updater.ready()
  t.is(updater.state, 'off')
  t.ok(updater.reason.includes('AppImage'), updater.reason)
  t.absent(fs.existsSync(path.join(tmp, 'updates')), 'no store was made')
  await updater.close()
})

/** A 0.2.0 release with `file`, an installed 0.1.0 AppImage, and its updater once it reached `state`. */
async function installedWith(t: { teardown: Teardown }, file: string, state: UpdateState): Promise<{ updater: AppUpdater; appImage: string }> {
  const { tmp, bootstrap, upgrade } = await release(t, '0.2.0', file)
  const appImage = path.join(tmp, 'Peerline.AppImage')
  fs.writeFileSync(appImage, 'version 0.1.0')
  const updater = installed(t, tmp, upgrade, bootstrap, appImage)
  const reached = reaches(updater, state)
  await updater.ready()
  await reached
  return { updater, appImage }
}

/** The Peerline an updater runs in: version 0.1.0, on the test DHT only. */
function installed(t: { teardown: Teardown }, tmp: string, upgrade: string, bootstrap: HyperDHT.Address[], appImage: string): AppUpdater {
  const updater = new AppUpdater({
    dir: path.join(tmp, 'user'),
    productName: 'Peerline',
    version: '0.1.0',
    upgrade,
    platform: 'linux',
    arch: process.arch,
    execPath: '/tmp/.mount_Peerline/peerline',
    env: { APPIMAGE: appImage },
    bootstrap,
    host: HOST
  })
  t.teardown(() => updater.close(), { order: -1 })
  return updater
}

/** A release drive with package.json at `version` and a file at `file`, seeded on a fresh testnet. */
async function release(t: { teardown: Teardown }, version: string, file: string): Promise<{ tmp: string; bootstrap: HyperDHT.Address[]; upgrade: string }> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'peerline-upd-'))
  t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }), { order: 2 })
  const testnet = await createTestnet(3, { host: HOST })
  const store = new Corestore(path.join(tmp, 'release'))
  const drive = new Hyperdrive(store)
  await drive.ready()
  await drive.put('/package.json', JSON.stringify({ name: 'peerline', productName: 'Peerline', version }))
  await drive.put(file, 'version ' + version)
  const swarm = new Hyperswarm({ dht: new HyperDHT({ bootstrap: testnet.bootstrap, host: HOST }) })
  swarm.on('connection', (conn) => {
    conn.on('error', () => {})
    store.replicate(conn)
  })
  // Teardowns run by order: the updater (-1), then the seeder and testnet (1), then the files (2).
  t.teardown(async () => {
    await swarm.destroy()
    await drive.close()
    await store.close()
    await testnet.destroy()
  }, { order: 1 })
  await swarm.join(drive.discoveryKey, { server: true, client: false }).flushed()
  return { tmp, bootstrap: testnet.bootstrap, upgrade: 'pear://' + z32.encode(drive.key) }
}

function reaches(updater: AppUpdater, want: UpdateState): Promise<void> {
  return new Promise((resolve, reject) => {
    updater.on('state', (state: UpdateState) => {
      if (state === want) resolve()
      else if (state === 'failed') reject(new Error(`updater failed: ${updater.reason}`))
    })
  })
}
