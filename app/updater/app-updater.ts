/**
 * P2P updates for the packaged desktop app, on pear-runtime's Updater. The Electron main process
 * owns one; it imports no Electron, so a test drives it with the real pear-runtime.
 *
 * What pear-runtime expects (pear-runtime-updater 3.0, read from its source):
 * - the release drive holds `/package.json` (its `version` must be newer than ours) and
 *   `/by-arch/<platform>-<arch>/app/<name>`, where name is the packaged file: Peerline.AppImage,
 *   Peerline.app or Peerline.msix; it mirrors only that path;
 * - `app` is the file it swaps in place: the AppImage itself on Linux (`$APPIMAGE`; the execPath
 *   is inside the AppImage's read-only mount), the .app bundle on macOS (three levels above the
 *   execPath); on Windows msix-manager installs the package and `app` only has to be set;
 * - nothing changes on disk until `applyUpdate()`; we call it only when the person says so.
 *
 * The updater gets its own Corestore and network (pear-runtime's default swarm uses the public
 * DHT only). The network is the worker's kind, `SwarmNetwork`, with the DHT bootstrap and bind
 * host the worker was given: with no internet it finds the other Peerlines on the LAN by their
 * beacons, as the worker does. Like pear-runtime's own swarm it seeds what it has of the release
 * drive, so one laptop that got an update can hand it to the rest of the LAN.
 */
import fs from 'fs'
import path from 'path'
import ReadyResource from 'ready-resource'
import Corestore from 'corestore'
import PearRuntime from 'pear-runtime'
import type { Log } from '../../lib/log'
import { SwarmNetwork } from '../../lib/network/swarm-network'

export type Platform = 'linux' | 'darwin' | 'win32' | string

/** off: nothing to update (not packaged, or no link); watching; downloading; ready: waits for the person. */
export type UpdateState = 'off' | 'watching' | 'downloading' | 'ready' | 'applied' | 'failed'

export interface DhtAddress {
  host: string
  port: number
}

export interface AppUpdaterOptions {
  /** Where the updater keeps its store and the mirrored release (the app's user-data dir). */
  dir: string
  productName: string
  version: string
  /** package.json `upgrade`: the pear:// link of the release drive */
  upgrade: string
  platform?: Platform
  arch?: string
  execPath?: string
  env?: Record<string, string | undefined>
  /** the worker's DHT bootstrap; omit for the public HyperDHT */
  bootstrap?: DhtAddress[]
  /** the worker's DHT bind host */
  host?: string
  /** find peers on the LAN by beacons (default: as the worker, on unless `host` is loopback) */
  lan?: boolean
  log?: Log
}

/** The file name pear-runtime looks up under by-arch/<platform-arch>/app/, or null where we ship none. */
export function appFileName(productName: string, platform: Platform): string | null {
  if (platform === 'linux') return productName + '.AppImage'
  if (platform === 'darwin') return productName + '.app'
  if (platform === 'win32') return productName + '.msix'
  return null
}

/** The path inside the release drive that `pear stage` must produce for this platform. */
export function stagedAppPath(productName: string, platform: Platform, arch: string): string | null {
  const file = appFileName(productName, platform)
  return file === null ? null : `/by-arch/${platform}-${arch}/app/${file}`
}

/**
 * What applyUpdate() replaces, or null when this copy cannot update itself: a deb/rpm install
 * (no $APPIMAGE; the package manager updates it) or a macOS binary outside a bundle.
 */
export function appPath(platform: Platform, execPath: string, env: Record<string, string | undefined>): string | null {
  if (platform === 'linux') return env.APPIMAGE || null
  if (platform === 'darwin') {
    // <bundle>.app/Contents/MacOS/<binary>
    const bundle = path.dirname(path.dirname(path.dirname(execPath)))
    return bundle.endsWith('.app') ? bundle : null
  }
  if (platform === 'win32') return execPath
  return null
}

/**
 * How to start the new version. An AppImage is relaunched through the AppImage file (the
 * execPath is in its old mount, gone once we quit); elsewhere the same path runs the new code.
 */
export function relaunchOptions(platform: Platform, execPath: string, env: Record<string, string | undefined>, args: string[]): { execPath: string; args: string[] } {
  if (platform === 'linux' && env.APPIMAGE) return { execPath: env.APPIMAGE, args }
  return { execPath, args }
}

export class AppUpdater extends ReadyResource {
  state: UpdateState = 'off'
  /** Why the state is off or failed, for the log. */
  reason = ''
  /** The version that is ready, once state is 'ready'. */
  readyVersion: string | null = null
  readonly file: string | null
  readonly app: string | null

  private readonly _o: Required<Omit<AppUpdaterOptions, 'bootstrap' | 'host' | 'lan'>> & Pick<AppUpdaterOptions, 'bootstrap' | 'host' | 'lan'>
  private _store: Corestore | null = null
  private _network: SwarmNetwork | null = null
  private _pear: PearRuntime | null = null

  constructor(opts: AppUpdaterOptions) {
    super()
    const {
      dir,
      productName,
      version,
      upgrade,
      platform = process.platform,
      arch = process.arch,
      execPath = process.execPath,
      env = process.env,
      bootstrap,
      host,
      lan,
      log = () => {}
    } = opts
    this._o = { dir, productName, version, upgrade, platform, arch, execPath, env, bootstrap, host, lan, log }
    this.file = appFileName(productName, platform)
    this.app = appPath(platform, execPath, env)
  }

  protected override async _open(): Promise<void> {
    const { dir, version, upgrade, bootstrap, host, lan, log } = this._o
    if (!upgrade.startsWith('pear://')) return this._off('the package has no pear:// upgrade link')
    if (this.file === null) return this._off(`no packaged app for ${this._o.platform}`)
    if (this.app === null) return this._off('not running from an AppImage or an app bundle')

    const store = new Corestore(path.join(dir, 'updates', 'corestore'))
    this._store = store
    const keyPair = await store.createKeyPair('peerline-updates')
    // A release drive is public: anyone may fetch it from us, and its signatures are checked.
    const network = new SwarmNetwork({ keyPair, bootstrap, host, lan, firewall: () => false, log: (msg) => log('updates: ' + msg) })
    this._network = network
    network.onconnection = (conn) => store.replicate(conn)
    const swarm = network.swarm

    const pear = new PearRuntime({ dir: path.join(dir, 'updates'), app: this.app, updates: true, version, upgrade, name: this.file, store, swarm })
    this._pear = pear
    const updater = pear.updater
    updater.on('error', (err) => this._fail(err.message))
    updater.on('updating', () => this._set('downloading'))
    updater.on('updated', () => void this._onUpdated())
    await Promise.all([pear.ready(), network.ready()])
    // Given our swarm, pear-runtime joins nothing: meet the release drive's other holders
    // ourselves, both ways (the network announces it again whenever the reachable DHT changes).
    network.meet(updater.drive.core.discoveryKey)
    this._set('watching')
  }

  protected override async _close(): Promise<void> {
    // pear-runtime's close destroys the swarm and closes the store we gave it; the network's close
    // then stops its LAN beacons and DHT node (destroying the swarm again is a no-op).
    if (this._pear !== null) await this._pear.close()
    else await this._store?.close()
    await this._network?.close()
  }

  /**
   * Swaps the new version in; the caller relaunches. False unless an update is ready, or when the
   * swap fails (the app moved, or its folder is read-only): the running copy is then left as is.
   */
  async apply(): Promise<boolean> {
    if (this.state !== 'ready' || this._pear === null) return false
    try {
      await this._pear.updater.applyUpdate()
    } catch (err) {
      this._fail(`could not put the update in place of ${this.app}: ${(err as Error).message}`)
      return false
    }
    this._set('applied')
    return true
  }

  private async _onUpdated(): Promise<void> {
    const next = this._pear?.updater.next
    const staged = stagedAppPath(this._o.productName, this._o.platform, this._o.arch)
    // pear-runtime reports 'updated' even when the release has no file for us, and applying that
    // would swap our app with nothing: only a release that carries our file is ready.
    if (!next || staged === null || !fs.existsSync(path.join(next, staged))) {
      return this._fail(`the newer release has no ${staged ?? this.file} for this computer`)
    }
    let version: string | null = null
    try {
      const pkg = await this._pear?.updater.drive.get('/package.json')
      version = pkg ? ((JSON.parse(pkg.toString()) as { version?: unknown }).version as string) ?? null : null
    } catch {
      version = null
    }
    this.readyVersion = typeof version === 'string' ? version : null
    this._set('ready')
  }

  private _off(reason: string): void {
    this.reason = reason
    this._o.log(`updates off: ${reason}`)
    this._set('off')
  }

  private _fail(reason: string): void {
    this.reason = reason
    this._o.log(`updates: ${reason}`)
    this._set('failed')
  }

  private _set(state: UpdateState): void {
    this.state = state
    this.emit('state', state)
  }
}
