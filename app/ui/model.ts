import type { ContactInfo } from '../../lib/contacts/contacts'
import type { HistoryEntry, MemberInfo, RoomSummary } from '../../lib/api/room-methods'
import type { FileProgress, LocalFileState } from '../../lib/files/files'
import type { NoticeEntry } from '../../lib/api/notice-methods'
import type { SearchHit } from '../../lib/api/search-methods'

import type { NetworkStatus } from '../../lib/network/swarm-network'

export type { ContactInfo, HistoryEntry, LocalFileState, MemberInfo, NoticeEntry, SearchHit, RoomSummary, FileProgress, NetworkStatus }

export interface Me {
  number: string
  publicKey: string
  name: string
}


/** `waiting`: nobody online has the file; it goes on by itself when someone who has it connects. */
export type FileState = Omit<FileProgress, 'state' | 'code'> & { state: 'downloading' | 'waiting' | 'done' | 'failed'; path?: string; code?: string }

/** Everything the views show; the App changes it and re-renders. */
export interface Model {
  me: Me
  contacts: ContactInfo[]
  rooms: RoomSummary[]
  current: string | null
  messages: HistoryEntry[]
  /** The open room's notices from its oldest loaded message on (joins, removals, renames, timers). */
  notices: NoticeEntry[]
  /** Older messages than those loaded exist: scrolling to the top loads them. */
  hasOlder: boolean
  /** The first message that was unread when the conversation opened (the "New messages" line), or null. */
  unreadFrom: number | null
  members: MemberInfo[]
  network: NetworkStatus | null
  files: Map<string, FileState>
  /** Every name seen for a number this session (members, contacts): a removed member keeps theirs. */
  names: Map<string, string>
}
