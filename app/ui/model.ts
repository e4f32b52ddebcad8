import type { ContactInfo } from '../../lib/contacts/contacts'
import type { HistoryEntry, MemberInfo, RoomSummary } from '../../lib/api/room-methods'
import type { FileProgress } from '../../lib/files/files'

import type { NetworkStatus } from '../../lib/network/swarm-network'

export type { ContactInfo, HistoryEntry, MemberInfo, RoomSummary, FileProgress, NetworkStatus }

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
  members: MemberInfo[]
  network: NetworkStatus | null
  files: Map<string, FileState>
  /** Every name seen for a number this session (members, contacts): a removed member keeps theirs. */
  names: Map<string, string>
}
