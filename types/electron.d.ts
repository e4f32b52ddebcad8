// The part of Electron's API that app/electron uses. Electron cannot install on the CI machines
// (its postinstall downloads a binary), so the shell is typechecked against this instead.
declare module 'electron' {
  import type { EventEmitter } from 'events'

  interface WebContents extends EventEmitter {
    send(channel: string, ...args: unknown[]): void
    setWindowOpenHandler(fn: (details: { url: string }) => { action: 'deny' } | { action: 'allow' }): void
  }

  interface BrowserWindowOptions {
    width?: number
    height?: number
    title?: string
    webPreferences?: { preload?: string; sandbox?: boolean; contextIsolation?: boolean; nodeIntegration?: boolean }
  }

  export class BrowserWindow extends EventEmitter {
    constructor(opts: BrowserWindowOptions)
    readonly webContents: WebContents
    isDestroyed(): boolean
    isMinimized(): boolean
    restore(): void
    focus(): void
    loadFile(file: string): Promise<void>
  }

  interface IpcMainEvent {
    sender: WebContents
    /** null once the frame has gone. */
    senderFrame: { url: string } | null
  }

  export const ipcMain: {
    on(channel: string, fn: (event: IpcMainEvent, ...args: never[]) => void): void
  }

  export const shell: {
    openExternal(url: string): Promise<void>
    showItemInFolder(fullPath: string): void
  }

  export const app: {
    readonly isPackaged: boolean
    setPath(name: 'userData', path: string): void
    getPath(name: 'userData'): string
    requestSingleInstanceLock(): boolean
    whenReady(): Promise<void>
    quit(): void
    /** Starts a new instance when this one quits (the AppImage, after an update). */
    relaunch(opts?: { execPath?: string; args?: string[] }): void
    setAsDefaultProtocolClient(protocol: string, path?: string, args?: string[]): boolean
    on(event: 'window-all-closed' | 'before-quit', fn: () => void): void
    /** Linux and Windows: a second launch (a peerline:// link) hands its argv to the first. */
    on(event: 'second-instance', fn: (event: unknown, argv: string[]) => void): void
    /** macOS: a peerline:// link was opened. */
    on(event: 'open-url', fn: (event: { preventDefault(): void }, url: string) => void): void
  }

  interface DesktopCapturerSource {
    id: string
    name: string
  }

  export const desktopCapturer: {
    getSources(opts: { types: Array<'screen' | 'window'> }): Promise<DesktopCapturerSource[]>
  }

  export const session: {
    defaultSession: {
      setDisplayMediaRequestHandler(fn: (request: unknown, callback: (streams: { video?: DesktopCapturerSource }) => void) => void): void
      setPermissionRequestHandler(fn: (webContents: WebContents, permission: string, callback: (granted: boolean) => void) => void): void
    }
  }

  interface IpcRendererEvent {
    sender: unknown
  }

  export const ipcRenderer: {
    send(channel: string, ...args: unknown[]): void
    on(channel: string, fn: (event: IpcRendererEvent, ...args: never[]) => void): void
  }

  export const contextBridge: {
    exposeInMainWorld(key: string, api: Record<string, unknown>): void
  }

  export const webUtils: {
    getPathForFile(file: File): string
  }
}
