import fs from 'fs'
import path from 'path'
import { PeerlineError } from '../errors'
import { pathInFolder, sanitizeFileName } from '../files/file-name'
import { syncFolder } from '../storage/durable-file'
import type { Progress } from './profile-archive'

// A copy of one's conversations to read without Peerline (the GDPR-style "take your data"):
// plain JSON and the files themselves, laid out as README.txt explains.

export interface ReadableFile {
  id: string
  name: string
  size: number
  sha256: string
}

/** A message as the Api's history gives it; only its file matters here, the rest is written as is. */
export interface ReadableMessage {
  file: ReadableFile | null
}

export interface ReadableConversation<M extends ReadableMessage = ReadableMessage> {
  room: string
  name: string
  kind: 'direct' | 'group'
  active: boolean
  members: Array<{ number: string; name: string; role: string }>
  messages: M[]
}

export interface ReadableProfile {
  number: string
  name: string
  contacts: Array<{ number: string; name: string; state: string }>
}

export interface ReadableSource<M extends ReadableMessage> {
  profile: ReadableProfile
  conversations: Array<ReadableConversation<M>>
  /** Where this device holds a file whole (shared from here or downloaded), else null. */
  fileOnDisk: (id: string) => string | null
}

const CONVERSATIONS = 'conversations'

const README = `Peerline export
===============

This folder is a copy of your Peerline conversations, readable without Peerline.

  README.txt              this file
  profile.json            your number, your name and your contacts
  conversations/          one JSON file per conversation, named after it
    NAME-ID.json          {room, name, kind, active, members, messages}
    NAME-ID/              the files of that conversation this device had

Each message in "messages" (oldest first) has:
  id        the message id
  from      the sender's number (nine digits)
  text      what was written ("" for a file or a call event)
  time      when it was sent, in milliseconds since 1970-01-01 UTC
  edited    true if it was edited (text is the last version)
  deleted   true if it was deleted (its text is gone)
  reactions sender number -> emoji
  file      {id, name, size, sha256} when a file was shared, else null
  savedAs   where that file is in this folder (conversations/NAME-ID/...), or null when this
            device never had the file (ask someone in the conversation for it)
  call      a call event (its outcome and length), else null
  expires   when a disappearing message leaves history (ms since 1970), 0 if it stays

The SHA-256 of a saved file is the one its sender announced: check it with \`sha256sum\`.
This copy is not encrypted. Keep it somewhere safe, or delete it when you are done.
`

/**
 * Writes the readable export into `dir` (which must not exist yet, or be empty). It is built
 * beside it under a temp name and renamed into place, so `dir` holds a whole export or nothing.
 */
export function writeReadableExport<M extends ReadableMessage>(dir: string, src: ReadableSource<M>, onprogress: (p: Progress) => void = () => {}): { conversations: number; files: number } {
  const target = path.resolve(dir)
  if (fs.existsSync(target) && (!fs.statSync(target).isDirectory() || fs.readdirSync(target).length > 0)) {
    throw PeerlineError.BAD_REQUEST(`${target} already exists: choose a new folder for the export.`)
  }
  const tmp = target + '.partial'
  fs.rmSync(tmp, { recursive: true, force: true })
  fs.mkdirSync(path.join(tmp, CONVERSATIONS), { recursive: true, mode: 0o700 })
  try {
    let files = 0
    const total = src.conversations.length
    onprogress({ done: 0, total })
    fs.writeFileSync(path.join(tmp, 'README.txt'), README)
    fs.writeFileSync(path.join(tmp, 'profile.json'), JSON.stringify({ ...src.profile, exported: Date.now() }, null, 2))
    const used = new Set<string>()
    src.conversations.forEach((conv, i) => {
      const slug = unique(used, `${sanitizeFileName(conv.name || conv.kind).slice(0, 60)}-${conv.room.slice(0, 8)}`)
      const names = new Set<string>()
      const messages = conv.messages.map((m) => {
        const from = m.file !== null ? src.fileOnDisk(m.file.id) : null
        if (m.file === null || from === null) return { ...m, savedAs: null }
        const name = unique(names, sanitizeFileName(m.file.name))
        const folder = path.join(tmp, CONVERSATIONS, slug)
        fs.mkdirSync(folder, { recursive: true })
        fs.copyFileSync(from, pathInFolder(folder, name))
        files++
        return { ...m, savedAs: `${CONVERSATIONS}/${slug}/${name}` }
      })
      const out = { room: conv.room, name: conv.name, kind: conv.kind, active: conv.active, members: conv.members, messages }
      fs.writeFileSync(path.join(tmp, CONVERSATIONS, slug + '.json'), JSON.stringify(out, null, 2))
      onprogress({ done: i + 1, total })
    })
    if (fs.existsSync(target)) fs.rmdirSync(target)
    fs.renameSync(tmp, target)
    syncFolder(path.dirname(target))
    return { conversations: src.conversations.length, files }
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true })
    throw err
  }
}

/** `name`, or `name (2)`, `name (3)`... before its extension, whichever is not taken yet. */
function unique(used: Set<string>, name: string): string {
  const ext = path.extname(name)
  const base = name.slice(0, name.length - ext.length)
  let candidate = name
  for (let n = 2; used.has(candidate.toLowerCase()); n++) candidate = `${base} (${n})${ext}`
  used.add(candidate.toLowerCase())
  return candidate
}
