import type { ContactInfo } from '../../lib/contacts/contacts'
import type { HistoryEntry, MemberInfo, RoomSummary } from '../../lib/api/room-methods'
import type { FileProgress } from '../../lib/files/files'

export type { ContactInfo, HistoryEntry, MemberInfo, RoomSummary, FileProgress }

export interface Me {
  number: string
  publicKey: string
  name: string
}

/** The Api's networkStatus / `network` notification. */
export interface NetworkStatus {
  state: 'online' | 'lan-only' | 'offline'
  dhtNodes: number
  lanPeers: number
  peers: number
}

export type FileState = FileProgress & { state: 'downloading' | 'done' | 'failed'; path?: string; code?: string }

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
}
