import type { CallManager } from '../calls/call-manager'
import type { ContactBook } from '../contacts/contact-book'
import type { Contacts } from '../contacts/contacts'
import type Corestore from 'corestore'
import type { Files } from '../files/files'
import type { Identity } from '../identity/identity'
import type { NumberScheme } from '../identity/number-scheme'
import type { ProfileSync } from '../profile/profile-sync'
import type { DeviceLinks } from '../profile/device-links'
import type { SwarmNetwork } from '../network/swarm-network'
import type { AlwaysOnPeers } from '../rooms/always-on'
import type { RoomInvites } from '../rooms/room-invites'
import type { Rooms } from '../rooms/rooms'

// What the Api's handlers may use of the core: a narrow slice of each service, so a handler
// depends on a few methods rather than on Peerline and everything it holds. Peerline implements it.

export type IdentityService = Pick<Identity, 'number' | 'publicKey' | 'phrase' | 'keyPair' | 'linked'>
export type NumberService = Pick<NumberScheme, 'parse' | 'format'>
export type SettingsService = Pick<ContactBook, 'settings' | 'setSettings' | 'get'>
export type ContactsService = Pick<
  Contacts,
  'add' | 'accept' | 'decline' | 'cancel' | 'list' | 'requests' | 'block' | 'unblock' | 'blocked' | 'resolve' | 'isOnline'
>
export type RoomsService = Pick<Rooms, 'open' | 'list' | 'create' | 'leave' | 'markRead' | 'findFile' | 'kindOf'>
export type InvitesService = Pick<RoomInvites, 'create' | 'join'>
export type FilesService = Pick<Files, 'add' | 'download' | 'pause' | 'cancel' | 'blocklist' | 'states' | 'completePath' | 'held' | 'relocate' | 'localPath'>
export type CallsService = Pick<CallManager, 'start' | 'answer' | 'join' | 'status' | 'decline' | 'hangUp' | 'signal' | 'chat' | 'tunnel'>
export type NetworkService = Pick<SwarmNetwork, 'status'>
export type AlwaysOnService = Pick<AlwaysOnPeers, 'configure'>
export type ProfileService = Pick<ProfileSync, 'profile' | 'holding' | 'mirrors'>
export type DevicesService = Pick<DeviceLinks, 'create' | 'list' | 'markRemoved' | 'lastSeen' | 'whyNotIndexer'>
/** The store's records, for a profile archive's snapshot. */
export type StoreService = Pick<Corestore, 'storage'>

export interface ApiServices {
  readonly identity: IdentityService
  readonly scheme: NumberService
  readonly book: SettingsService
  readonly contacts: ContactsService
  readonly rooms: RoomsService
  readonly invites: InvitesService
  readonly files: FilesService
  readonly calls: CallsService
  readonly network: NetworkService
  readonly alwaysOn: AlwaysOnService
  readonly profileSync: ProfileService
  readonly deviceLinks: DevicesService
  readonly store: StoreService
}
