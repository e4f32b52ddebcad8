// Runs in the sandboxed renderer's isolated world: the only things the page gets are a line
// channel to the worker and a file's path (browsers hide paths; the worker reads files by path).
import { contextBridge, ipcRenderer, webUtils } from 'electron'

contextBridge.exposeInMainWorld('peerline', {
  send: (text: string): void => ipcRenderer.send('peerline:send', text),
  onMessage: (fn: (text: string) => void): void => {
    ipcRenderer.on('peerline:message', (_e, text: string) => fn(text))
  },
  onExit: (fn: () => void): void => {
    ipcRenderer.on('peerline:exit', () => fn())
  },
  pathForFile: (file: File): string => webUtils.getPathForFile(file)
})
