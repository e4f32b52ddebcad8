import Corestore from 'corestore'
import fs from 'fs'
import Protomux from 'protomux'
import CoreStorage from 'hypercore-storage'
import path from 'path'
import type NoiseSecretStream from '@hyperswarm/secret-stream'
import { CallManager } from './calls/call-manager'
import { ContactBook } from './contacts/contact-book'
import { Contacts } from './contacts/contacts'
import { PeerSession } from './contacts/peer-session'
import { PeerVersions } from './contacts/peer-versions'
import { Blocklist } from './files/blocklist'
import { Files } from './files/files'
import { Identity, STORE_DIR } from './identity/identity'
import { NumberScheme } from './identity/number-scheme'
import { NumberVerifier } from './identity/number-verifier'
import { ConnectionGate } from './network/connection-gate'
import type { Log } from './log'
import { silent } from './log'
import { SwarmNetwork } from './network/swarm-network'
import type { NetworkStatus, PeerVersionNote } from './contract'
import type { ApiServices } from './api/services'
import type { PeerAddress } from './network/swarm-network'
import { AlwaysOnPeers } from './rooms/always-on'
import { RoomInvites } from './rooms/room-invites'
import { RoomList } from './rooms/room-list'
import { WriterCatchUp } from './rooms/writer-catch-up'
import { Rooms } from './rooms/rooms'
import { CALL_MEDIA_PROTOCOL, CALL_PROTOCOL, DEVICE_PROTOCOL, FILE_PROTOCOL, MEMBER_ACTIVE, ROOM_GROUP, ROOM_LIVE_PROTOCOL } from './wire/schemas'
import b4a from 'b4a'
import type { RoomKind } from './wire/schemas'
import type { Room } from './rooms/room'
import { openSealedKey } from './rooms/epoch-keys'
import { ProfileSync } from './profile/profile-sync'
import { DeviceLinks } from './profile/device-links'
import { RESTORE_MARKER } from './profile/profile-restore'
import { Resource } from './resource'
import { PeerlineError } from './errors'
import { formatVersion, written } from './wire/version'
import type { PeerVersion } from './contacts/peer-session'


export interface PeerlineOptions {
  /** The profile directory: identity, Corestore, contacts and settings all live here. */
  storage: string
  /** DHT bootstrap nodes; omit for the public HyperDHT. */
  bootstrap?: PeerAddress[]
  /** Address to bind the DHT socket to. */
  host?: string
  /** LAN discovery and a LAN DHT (default: on unless `host` is a loopback address). */
  lan?: boolean
  scheme?: NumberScheme
  log?: Log
  /** How long addContact looks for a number before NUMBER_NOT_FOUND (ms). */
  lookupTimeout?: number
  /** Where downloads go when no folder is named (default ~/Downloads). */
  downloads?: string
  /** How long ready() waits for our own announce to reach the DHT before going on (ms). */
  announceTimeout?: number
  /** How long a call rings before it counts as missed (ms, default 30 s). */
  ringTimeout?: number
  /** Tunnel call media on a protomux channel even where secret-stream datagrams work (tests). */
  tunnelOverChannel?: boolean
  /** Unanswered contact requests kept at most (default 200; the oldest gives way). */
  maxRequests?: number
  /** How long an unanswered contact request is kept (ms, default 30 days). */
  requestTtl?: number
  /** A room idle this long with no member connected closes its cores until used (ms, default 5 min; 0: never). */
  roomRestAfter?: number
}

const DEFAULT_ANNOUNCE_TIMEOUT = 10_000
const WRITE_BUFFER_SIZE = 16 * 1024 * 1024
const DEFAULT_JOIN_TIMEOUT = 30_000
const DEFAULT_ROOM_REST_AFTER = 5 * 60_000
/** Group rooms up to this many other members keep a direct connection to each (a mesh). */
const MESH_LIMIT = 32
/** Peers whose protocol version we remember having reported. */
const MAX_VERSIONS_SEEN = 1024

export interface PeerlineEvents {
  network: [NetworkStatus]
  'peer-version': [PeerVersionNote]
}

/**
 * One profile's P2P core: identity, storage, the swarm, contacts and rooms, wired together.
 * The Api is the only thing that should hold one of these.
 */
export class Peerline extends Resource<PeerlineEvents> implements ApiServices {
  readonly scheme: NumberScheme
  readonly log: Log
  // The services, set once by _open; read through the getters below (nobody swaps them).
  private _identity!: Identity
  private _store!: Corestore
  private _book!: ContactBook
  private _rooms!: Rooms
  private _network!: SwarmNetwork
  private _contacts!: Contacts
  private _invites!: RoomInvites
  private _alwaysOn!: AlwaysOnPeers
  private _files!: Files
  private _calls!: CallManager
  /** The profile core (contacts and rooms, for a restore from the phrase) and contacts' blind copies. */
  private _profileSync!: ProfileSync
  /** Devices we linked (on the device with the identity key) and linking (on a new one). */
  private _deviceLinks!: DeviceLinks
  private readonly _o: PeerlineOptions
  private readonly _gate = new ConnectionGate()
  private _verifier!: NumberVerifier
  /** Connections turned away at the gate since the last log line (logged at most once a second). */
  private _refused = 0
  private _refusedReason = ''
  private _refusedTimer: ReturnType<typeof setTimeout> | null = null
  /** The version last reported per peer key, so a reconnecting peer is told of once (bounded). */
  private readonly _versionsSeen = new Map<string, string>()
  private readonly _dialing = new Set<string>()
  /** Rooms whose members changed while _dialMembers was resting. */
  private readonly _dialAgain = new Set<string>()
  /** Active members (besides us) per room at the last _dialMembers, to notice newcomers. */
  private readonly _memberCount = new Map<string, number>()
  /** Sessions of linked devices (ours or contacts'): a room's removal of one ends its session. */
  private readonly _deviceSessions = new Set<PeerSession>()

  constructor(opts: PeerlineOptions) {
    super()
    this._o = opts
    this.scheme = opts.scheme ?? new NumberScheme()
    this.log = opts.log ?? silent
  }

  get identity(): Identity {
    return this._identity
  }

  get store(): Corestore {
    return this._store
  }

  get book(): ContactBook {
    return this._book
  }

  get rooms(): Rooms {
    return this._rooms
  }

  get network(): SwarmNetwork {
    return this._network
  }

  get contacts(): Contacts {
    return this._contacts
  }

  get invites(): RoomInvites {
    return this._invites
  }

  get alwaysOn(): AlwaysOnPeers {
    return this._alwaysOn
  }

  get files(): Files {
    return this._files
  }

  get calls(): CallManager {
    return this._calls
  }

  get profileSync(): ProfileSync {
    return this._profileSync
  }

  get deviceLinks(): DeviceLinks {
    return this._deviceLinks
  }

  protected async _open(): Promise<void> {
    const { storage, bootstrap, host, lookupTimeout } = this._o
    this._identity = await Identity.open(storage, this.scheme)
    // RocksDB's default 64 MiB memtables (two of them) cost memory a messenger does not need.
    this._store = new Corestore(new CoreStorage(path.join(storage, STORE_DIR), { writeBufferSize: WRITE_BUFFER_SIZE }))
    await this.store.ready()
    this._book = new ContactBook(this.store.get({ name: 'profile' }))
    await this.book.ready()
    // Contacts' numbers were checked when they were pinned: their hellos cost no derivation.
    this._verifier = new NumberVerifier(this.scheme)
    for (const r of this.book.all()) this._verifier.remember(r.publicKey, r.number)
    const roomList = new RoomList(this.store.get({ name: 'rooms' }))
    this._rooms = new Rooms({
      store: this.store,
      list: roomList,
      log: this.log,
      restAfter: this._o.roomRestAfter ?? DEFAULT_ROOM_REST_AFTER,
      // Always-on peers mirror open Autobases: with any set, rooms stay open.
      mayRest: () => this._alwaysOn === undefined || this._alwaysOn.keys.length === 0,
      self: () => ({
        publicKey: this.identity.publicKey,
        name: this.book.settings.name,
        sign: (m) => this.identity.sign(m),
        openSealed: (box) => openSealedKey(this.identity.keyPair.secretKey, box)
      }),
      scheme: this.scheme,
      catchUp: new WriterCatchUp(storage)
    })
    await this.rooms.ready()
    const link = this.identity.link
    this._profileSync = new ProfileSync({
      store: this.store,
      // A linked device reads its person's profile (opened with the key it was handed), never writes it.
      keyPair: link === null ? this.identity.keyPair : { publicKey: this.identity.publicKey, secretKey: null },
      seed: link === null ? this.identity.seed : { encryptionKey: link.profileEncryptionKey },
      readOnly: link !== null,
      devices: () => (this._deviceLinks ? this._deviceLinks.list() : []),
      book: this.book,
      rooms: () => roomList.all(),
      hold: fs.existsSync(path.join(storage, RESTORE_MARKER)),
      muxers: () => (this.network ? [...this.network.swarm.connections].map((c) => c.userData).filter((m): m is Protomux => Protomux.isProtomux(m)) : []),
      log: this.log
    })
    await this.profileSync.ready()
    this._files = new Files({
      store: this.store,
      blocklist: new Blocklist(storage),
      log: this.log,
      mayFetch: (room, id, peer) => this.rooms.mayFetch(room, id, peer),
      isMember: (room, peer) => this.rooms.isMember(room, peer)
    })
    await this.files.ready()

    this._calls = new CallManager({
      rooms: this.rooms,
      self: this.identity.publicKey,
      log: this.log,
      ...(this._o.ringTimeout ? { ringTimeout: this._o.ringTimeout } : {}),
      ...(this._o.tunnelOverChannel ? { tunnelOverChannel: true } : {})
    })
    await this.calls.ready()

    this._network = new SwarmNetwork({
      keyPair: this.identity.keyPair,
      log: this.log,
      firewall: (key) => this.contacts.firewall(key),
      ...(bootstrap ? { bootstrap } : {}),
      ...(host ? { host } : {}),
      ...(this._o.lan !== undefined ? { lan: this._o.lan } : {})
    })
    let lastStatus: NetworkStatus | null = null
    this.network.onstatus = (status) => {
      // More of the network is reachable than before: numbers nobody answered on may answer now.
      if (lastStatus !== null && (status.lanPeers > lastStatus.lanPeers || (status.state !== lastStatus.state && status.state !== 'offline'))) {
        this.contacts.wakeSearches()
      }
      lastStatus = status
      this.emit('network', status)
    }
    this._contacts = new Contacts({
      identity: this.identity,
      scheme: this.scheme,
      book: this.book,
      network: this.network,
      rooms: this.rooms,
      log: this.log,
      // Our own linked devices, and while a device link is open, the device about to ask.
      alsoAllow: (key) => this.rooms.knows(key) || this.deviceLinks.isOurs(key) || this.deviceLinks.waiting,
      ...(lookupTimeout ? { lookupTimeout } : {}),
      ...(this._o.maxRequests ? { maxRequests: this._o.maxRequests } : {}),
      ...(this._o.requestTtl ? { requestTtl: this._o.requestTtl } : {})
    })
    this.network.onconnection = (conn) => this._onconnection(conn)
    await this.network.ready()

    this._invites = new RoomInvites({
      swarm: this.network.swarm,
      store: this.store,
      rooms: this.rooms,
      identity: this.identity,
      scheme: this.scheme,
      verifier: this._verifier,
      name: () => this.book.settings.name,
      log: this.log,
      timeout: lookupTimeout ?? DEFAULT_JOIN_TIMEOUT
    })
    await this.invites.ready()

    this._deviceLinks = new DeviceLinks({
      swarm: this.network.swarm,
      identity: this.identity,
      scheme: this.scheme,
      rooms: this.rooms,
      versions: new PeerVersions(storage),
      storage,
      devices: (await this.profileSync.profile.read()).devices ?? [],
      onchange: () => void this.profileSync.sync(),
      log: this.log,
      timeout: lookupTimeout ?? DEFAULT_JOIN_TIMEOUT
    })
    await this.deviceLinks.ready()

    this._alwaysOn = new AlwaysOnPeers({ dht: this.network.dht, store: this.store, log: this.log })
    await this.alwaysOn.configure(this.book.settings.alwaysOn)

    // Group members meet on the room's discovery key and answer its room keys; direct rooms
    // ride the contact's own connection. Every room is kept on our always-on peers.
    const meet = (room: Room, kind: RoomKind): void => {
      this.alwaysOn.mirror(room)
      if (kind !== ROOM_GROUP) return
      this.network.joinRoom(room.discoveryKey)
      this.invites.listen(room)
      this._dialMembers(room)
    }
    // A broken room is listed (with its reason) but not open: nothing to meet.
    for (const entry of this.rooms.list()) if (entry.broken === null) meet(await this.rooms.open(entry.id), entry.kind)
    // Direct rooms stay what they claim across restarts: only the two people in them.
    for (const r of this.book.all()) {
      if (r.state !== 'accepted' || r.roomKey === null) continue
      const room = await this.rooms.open(r.roomKey).catch(() => null)
      if (room) this.rooms.guardDirect(room, r.publicKey)
    }
    this.rooms.on('joined', meet)
    this.rooms.on('room-update', (id: string) => {
      // A device its person just removed: its open sessions end now, not at its next hello.
      for (const s of this._deviceSessions) {
        if (!this.rooms.revoked(s.publicKey, s.deviceKey)) continue
        this.log(`peer ${b4a.toString(s.deviceKey, 'hex').slice(0, 8)}: a removed device: disconnecting`)
        this._deviceSessions.delete(s)
        s.destroy()
      }
      // New writers must reach the always-on peers too, and new members be dialed.
      this.rooms.open(id).then((room) => {
        this.alwaysOn.mirror(room)
        if (this.rooms.list().some((e) => e.id === id && e.kind === ROOM_GROUP)) this._dialMembers(room)
      }, () => {})
    })
    this.rooms.on('left', (room: Room) => {
      this.alwaysOn.forget(room)
      this.invites.unlisten(room)
      this.network.leaveRoom(room.discoveryKey)
      this._memberCount.delete(room.id)
    })
    this.contacts.dialAll()
    await this.contacts.ready()
    await this._announce()
  }

  protected async _close(): Promise<void> {
    // Calls first (their peers hear the hang-up), then the swarm, so no new connection opens a core while the stores close.
    if (this._refusedTimer) clearTimeout(this._refusedTimer)
    if (this.calls) await this.calls.close()
    if (this.alwaysOn) await this.alwaysOn.close()
    if (this.deviceLinks) await this.deviceLinks.close()
    if (this.invites) await this.invites.close()
    if (this.contacts) await this.contacts.close()
    if (this.network) await this.network.close()
    if (this.files) await this.files.close()
    if (this.rooms) await this.rooms.close()
    if (this.profileSync) await this.profileSync.close()
    if (this.book) await this.book.close()
    if (this.store) await this.store.close()
  }

  private async _announce(): Promise<void> {
    const topic = this.scheme.topic(this.identity.number)
    const announced = this.network.announce(topic)
    const timeout = this._o.announceTimeout ?? DEFAULT_ANNOUNCE_TIMEOUT
    let timer: ReturnType<typeof setTimeout> | null = null
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeout)
    })
    const done = await Promise.race([announced.then(() => true), late])
    if (timer) clearTimeout(timer)
    // Offline or on a slow DHT: keep going, the swarm goes on announcing in the background.
    if (!done) this.log(`announce of our number is still under way after ${timeout} ms`)
    announced.catch((err: Error) => this.log('announce failed: ' + err.message))
  }

  /**
   * Keeps a direct connection to every member of a small group room, by key, as with contacts.
   * The room topic alone can leave two members unconnected (the DHT answers a lookup with some of
   * the announcers, and after a partition the records may sit on the other side), and then a file
   * only one of them holds, or the newest messages, wait for a third member.
   */
  private _dialMembers(room: Room): void {
    if (this.closing) return
    // At most once a second per room (room-update comes with every batch of stored messages),
    // but an update inside that second is kept for its end: it may be the one adding a member.
    if (this._dialing.has(room.id)) return void this._dialAgain.add(room.id)
    this._dialing.add(room.id)
    room
      .members()
      .then((members) => {
        const active = members.filter((m) => m.state === MEMBER_ACTIVE && !b4a.equals(m.publicKey, this.identity.publicKey))
        // A new member: look the room topic up again at once, so we find them (and they us) by
        // the topic too. Hyperswarm alone would look again only ~10 min later.
        if (active.length > (this._memberCount.get(room.id) ?? 0)) this.network.refreshRoom(room.discoveryKey)
        this._memberCount.set(room.id, active.length)
        if (active.length > MESH_LIMIT || this.closing) return
        for (const m of active) this.network.dial(m.publicKey)
      })
      .catch((err: Error) => this.log(`room ${room.id}: dial members: ${err.message}`))
      .finally(() => {
        setTimeout(() => {
          this._dialing.delete(room.id)
          if (this._dialAgain.delete(room.id)) this._dialMembers(room)
        }, 1000).unref()
      })
  }

  private _onconnection(conn: NoiseSecretStream): void {
    if (this.closing) return void conn.destroy()
    const key = conn.remotePublicKey as Buffer
    // The firewall refuses blocked keys; this catches one blocked while its handshake ran.
    if (this.book.isBlocked(key)) return void conn.destroy()
    const known = this.book.get(key) !== null || this.rooms.knows(key) || (this.deviceLinks?.isOurs(key) ?? false)
    const decision = this._gate.admit(conn, known)
    if (!decision.admitted) return this._refuse(conn, decision.reason ?? '')
    // No store.replicate here: room cores go only to proven members, once the hello checks out.
    const session = new PeerSession(conn, {
      verifier: this._verifier,
      log: this.log,
      self: { number: this.identity.number, name: this.book.settings.name, certificate: this.identity.link?.certificate ?? null },
      laterProtocols: [ROOM_LIVE_PROTOCOL, FILE_PROTOCOL, CALL_PROTOCOL, CALL_MEDIA_PROTOCOL, DEVICE_PROTOCOL],
      // A linked device its person removed (a room of ours says so) is refused.
      deviceAllowed: (identity, device) => !this.rooms.revoked(identity, device)
    })
    session.once('authenticated', () => {
      // A linked device speaks for its person: a blocked person's devices are blocked too.
      if (session.certificate !== null && this.book.isBlocked(session.publicKey)) return void conn.destroy()
      if (session.certificate !== null) {
        this._deviceSessions.add(session)
        session.once('close', () => this._deviceSessions.delete(session))
      }
      // Another device of ours (either way round): listDevices says when it was last here.
      if (b4a.equals(session.publicKey, this.identity.publicKey)) {
        this.deviceLinks.attach(session)
        this.deviceLinks.saw(session.deviceKey)
        conn.once('close', () => this.deviceLinks.saw(session.deviceKey))
      }
      // A person's own device (no certificate) says the version their admin writers run: device
      // sign-ins that waited for it go ahead (see DeviceLinks).
      if (session.certificate === null && session.version !== null) {
        this.deviceLinks.versions.saw(session.publicKey, session.version)
        void this.deviceLinks.retry()
      }
      this._gate.verified(conn)
      this.rooms.attachLive(session.publicKey, session.mux)
      this.rooms.replicate(session.publicKey, session.mux)
      this.profileSync.attach(session.publicKey, session.mux)
      this.files.attach(session.publicKey, session.mux, session.deviceKey)
      this.calls.attach(session.publicKey, session.mux, conn)
    })
    session.once('verified', () => this.contacts.attach(session))
    session.on('version', (v) => this._onpeerversion(v))
  }

  private _onpeerversion(v: PeerVersion): void {
    const id = b4a.toString(v.publicKey, 'hex')
    const version = formatVersion(v.version)
    if (this._versionsSeen.get(id) === version) return
    // A hostile peer may claim a new version on every reconnect; keep the memory of it bounded.
    if (this._versionsSeen.size >= MAX_VERSIONS_SEEN) this._versionsSeen.clear()
    this._versionsSeen.set(id, version)
    const number = this.scheme.format(v.number)
    const who = v.name ? `${v.name} (${number})` : number
    const err =
      v.compatibility === 'newer-major' ? PeerlineError.UPGRADE_REQUIRED(who) : v.compatibility === 'older-major' ? PeerlineError.PEER_OUTDATED(who) : null
    const message =
      err?.message ?? (v.compatibility === 'newer-minor' ? `${who} runs a newer Peerline; update to see everything.` : `${who} runs an older Peerline.`)
    const note: PeerVersionNote = {
      number: v.number,
      name: v.name,
      publicKey: id,
      version,
      ours: formatVersion(written()),
      compatibility: v.compatibility,
      code: err === null ? null : (err.code as 'UPGRADE_REQUIRED' | 'PEER_OUTDATED'),
      message
    }
    this.log(`peer ${id.slice(0, 8)}: ${message} (protocol ${note.version}, ours ${note.ours})`)
    this.emit('peer-version', note)
  }

  /** Drops a connection the gate turned away; a flood makes one log line a second, not thousands. */
  private _refuse(conn: NoiseSecretStream, reason: string): void {
    conn.on('error', () => {})
    conn.destroy()
    this._refused++
    this._refusedReason = reason
    if (this._refusedTimer) return
    this._refusedTimer = setTimeout(() => {
      this._refusedTimer = null
      this.log(`turned away ${this._refused} connection(s) from unknown keys: ${this._refusedReason}`)
      this._refused = 0
    }, 1000)
  }
}
