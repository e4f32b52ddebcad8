import type { ContactInfo, FileProgress, HistoryEntry, LocalFileState, Me, MemberInfo, NetworkStatus, NoticeEntry, ReplyQuote, RoomSummary, SearchHit } from '../../lib/contract'

export type { ContactInfo, HistoryEntry, LocalFileState, Me, MemberInfo, NoticeEntry, ReplyQuote, SearchHit, RoomSummary, FileProgress, NetworkStatus }


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
