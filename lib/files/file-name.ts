import b4a from 'b4a'
import path from 'path'

const MAX_NAME_BYTES = 200

/**
 * A file name from a peer made safe to write: no directories, no control or reserved characters,
 * not empty, not `.`/`..`, at most 200 bytes. What is left is a plain name in one folder.
 */
export function sanitizeFileName(input: string): string {
  const last = String(input).split(/[/\\]/).pop() ?? ''
  let name = last
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '') // control characters
    .replace(/[<>:"|?*]/g, '_') // reserved on some systems
    .replace(/^[\s.]+/, '') // no hidden files, no `..`
    .replace(/[\s.]+$/, '')
  while (b4a.byteLength(name) > MAX_NAME_BYTES) name = name.slice(0, -1)
  return name.length > 0 ? name : 'file'
}

/** `folder/name`, guaranteed to be inside `folder` (the name is sanitised first). */
export function pathInFolder(folder: string, name: string): string {
  const root = path.resolve(folder)
  const full = path.resolve(root, sanitizeFileName(name))
  if (path.dirname(full) !== root) throw new Error('refusing to write outside ' + root)
  return full
}
