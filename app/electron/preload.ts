// Runs in the sandboxed renderer's isolated world: the only things the page gets are a line
// channel to the worker, a file's path (browsers hide paths; the worker reads files by path), the
// "update ready" notice with its restart, peerline:// links the OS opened, and "show this file in
// its folder".
import { contextBridge, ipcRenderer, webUtils } from 'electron'

contextBridge.exposeInMainWorld('peerline', {
  send: (text: string): void => ipcRenderer.send('peerline:send', text),
  onMessage: (fn: (text: string) => void): void => {
    ipcRenderer.on('peerline:message', (_e, text: string) => fn(text))
  },
  onExit: (fn: () => void): void => {
    ipcRenderer.on('peerline:exit', () => fn())
  },
  pathForFile: (file: File): string => webUtils.getPathForFile(file),
  /** Opens the system's file manager at a downloaded file (main checks it is one). */
  showInFolder: (path: string): void => ipcRenderer.send('peerline:show-in-folder', String(path)),
  /** A newer version is downloaded; it applies only through restartToUpdate(). */
  onUpdateReady: (fn: (version: string) => void): void => {
    ipcRenderer.on('peerline:update-ready', (_e, version: string) => fn(String(version)))
  },
  restartToUpdate: (): void => ipcRenderer.send('peerline:update-apply'),
  /** { kind: 'number', number } or { kind: 'room', invite }: the page asks before acting on it. */
  onOpenLink: (fn: (link: unknown) => void): void => {
    ipcRenderer.on('peerline:open', (_e, link: unknown) => fn(link))
  }
})
