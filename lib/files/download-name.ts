import fs from 'fs'
import path from 'path'
import { PeerlineError } from '../errors'
import { pathInFolder } from './file-name'

/** `name (1).ext` ... `name (MAX_SUFFIX).ext`, then we give up rather than loop. */
const MAX_SUFFIX = 9999

export interface Reserved {
  target: string
  part: string
}

/**
 * Picks where a download goes: `name.ext`, or `name (1).ext`, ... if that, or its `.part`, is
 * taken. The `.part` is created exclusively ('wx'), so two downloads (in this process or another)
 * never share one. `resume` is the `.part` an earlier run of this same file left, reused as is.
 */
export function reserveDownload(folder: string, name: string, resume: string | null, active: Set<string>): Reserved {
  const first = pathInFolder(folder, name)
  if (resume !== null && path.dirname(resume) === path.dirname(first) && resume.endsWith('.part') && !active.has(resume)) {
    const target = resume.slice(0, -'.part'.length)
    if (fs.existsSync(resume) && !fs.existsSync(target)) return { target, part: resume }
  }
  const dot = first.lastIndexOf('.')
  const slash = Math.max(first.lastIndexOf('/'), first.lastIndexOf('\\'))
  const [base, ext] = dot > slash + 1 ? [first.slice(0, dot), first.slice(dot)] : [first, '']
  for (let n = 0; n <= MAX_SUFFIX; n++) {
    const target = n === 0 ? first : `${base} (${n})${ext}`
    const part = target + '.part'
    if (active.has(part) || fs.existsSync(target)) continue
    let fd: number
    try {
      fd = fs.openSync(part, 'wx')
    } catch (err) {
      if ((err as { code?: string }).code === 'EEXIST') continue
      throw PeerlineError.NOT_WRITABLE(`Cannot write in ${path.dirname(first)}: ${(err as Error).message}`)
    }
    fs.closeSync(fd)
    // A `.bits` left beside a `.part` that is gone belongs to nothing now.
    fs.rmSync(target + '.bits', { force: true })
    return { target, part }
  }
  throw PeerlineError.NOT_WRITABLE(`Too many files named like ${path.basename(first)} in ${path.dirname(first)}.`)
}
