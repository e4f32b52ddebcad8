import type { ContactInfo, FileProgress, HistoryEntry, Me, MemberInfo, NetworkStatus, RoomSummary } from '../../lib/contract'

export type { ContactInfo, HistoryEntry, Me, MemberInfo, RoomSummary, FileProgress, NetworkStatus }


/** `waiting`: nobody online has the file; it goes on by itself when someone who has it connects. */
export type FileState = Omit<FileProgress, 'state' | 'code'> & { state: 'downloading' | 'waiting' | 'done' | 'failed'; path?: string; code?: string }

/** Everything the views show; the App changes it and re-renders. */
export interface Model {
  me: Me
  contacts: ContactInfo[]
  rooms: RoomSummary[]
  current: string | null
  messages: HistoryEntry[]
  members: MemberInfo[]
  network: NetworkStatus | null
  files: Map<string, FileState>
  /** Every name seen for a number this session (members, contacts): a removed member keeps theirs. */
  names: Map<string, string>
}
