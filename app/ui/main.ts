import { ApiClient, electronTransport, webSocketTransport } from './api-client'
import type { ElectronBridge, TextTransport } from './api-client'
import { App } from './app'
import { h, replace, sentence } from './dom'
import type { Me } from './model'
import { showFirstRun } from './views/first-run'
import { showShellNotices } from './views/shell-notices'
import type { ShellNotices } from './views/shell-notices'

/** What app/electron/preload.ts puts on window. */
interface PeerlineWindow {
  peerline?: ElectronBridge & ShellNotices & { pathForFile(file: File): string; showInFolder?(path: string): void }
}

const root = document.getElementById('root') as HTMLElement

/**
 * Boots the renderer on whichever shell serves it: Electron's preload bridge, or the web shell's
 * WebSocket with the launch token from the URL fragment (then dropped from the address bar).
 */
async function boot(): Promise<void> {
  const electron = (window as unknown as PeerlineWindow).peerline
  let transport: TextTransport
  let filePath: (file: File) => Promise<string>
  let discard: (path: string) => void = () => {}
  if (electron) {
    transport = electronTransport(electron)
    filePath = async (file) => electron.pathForFile(file)
  } else {
    // The shell set an HttpOnly cookie when this window opened its one-time launch address.
    transport = await webSocketTransport()
    filePath = upload
    discard = discardUpload
  }
  const api = new ApiClient(transport)
  api.onclose = () => replace(root, h('div.first-run', {}, h('div.card', {}, h('h1', {}, 'Peerline stopped'), h('p', {}, 'The Peerline worker is no longer running. Start it again to go on.'))))
  if (electron) showShellNotices(electron, api)
  const me = await api.call('whoami')
  const start = (who: Me): void => {
    const app = new App(api, who)
    app.filePath = filePath
    app.discardFile = discard
    // Only a shell with a file manager to open: the web shell (a browser page) has none.
    if (electron?.showInFolder) app.showInFolder = (path) => electron.showInFolder?.(path)
    app.start(root).catch((err) => fatal(err))
  }
  if (!me.name) showFirstRun(root, api, me, start)
  else start(me)
}

/** The web shell keeps sent files in the profile's outbox: browsers do not reveal paths. */
async function upload(file: File): Promise<string> {
  const res = await fetch(`/upload?name=${encodeURIComponent(file.name)}`, { method: 'POST', body: file })
  const body = (await res.json().catch(() => ({}))) as { path?: string; error?: string }
  if (!res.ok || !body.path) throw new Error(body.error ?? 'Could not hand the file to Peerline.')
  return body.path
}

/** An upload that could not be sent is removed from the outbox. */
function discardUpload(path: string): void {
  void fetch(`/upload?path=${encodeURIComponent(path)}`, { method: 'DELETE' }).catch(() => {})
}

function fatal(err: unknown): void {
  replace(root, h('div.first-run', {}, h('div.card', { role: 'alert' }, h('h1', {}, 'Peerline could not start'), h('p', {}, sentence(err)))))
}

boot().catch(fatal)
