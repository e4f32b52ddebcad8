import fs from 'fs'
import path from 'path'

// What the Electron window may show. The preload hands every page it loads the bridge to the
// worker (the whole Api), so the window shows our renderer file and nothing else: navigation
// away is cancelled, new windows are refused, and only https links go to the system browser.

/** True when the window may navigate to `target`: only our own renderer page (any fragment). */
export function isAppPage(target: string, appUrl: string): boolean {
  let url: URL
  try {
    url = new URL(target)
  } catch {
    return false
  }
  const app = new URL(appUrl)
  return url.protocol === 'file:' && url.pathname === app.pathname && url.search === ''
}

/** True for a link worth handing to the system browser (never file:, javascript:, custom schemes). */
export function isExternalLink(target: string): boolean {
  try {
    return new URL(target).protocol === 'https:'
  } catch {
    return false
  }
}

/**
 * The file "Show in folder" may reveal, or null: an absolute path to a regular file that exists.
 * The page asks with a path it was given for a download; revealing only opens the file manager
 * there (nothing runs), so a wrong path costs nothing but is still refused.
 */
export function revealable(target: unknown): string | null {
  if (typeof target !== 'string' || target.length === 0 || target.length > 4096 || target.includes('\0')) return null
  if (!path.isAbsolute(target)) return null
  try {
    return fs.statSync(target).isFile() ? path.normalize(target) : null
  } catch {
    return null
  }
}
