/**
 * One process of the large-room bench (bench/rooms-large.ts): several members, each a whole
 * in-process Peerline (its own identity, store, DHT node and swarm), driven over the fork IPC.
 */
import Autobase from 'autobase'
import crypto from 'hypercore-crypto'
import fs from 'fs'
import path from 'path'
import { Api } from '../lib/api/api'
import { NumberScheme } from '../lib/identity/number-scheme'
import { roomStore } from '../lib/rooms/room'
import { ROLE_MEMBER, ROOM_GROUP } from '../lib/wire/schemas'
import type { NewMember } from '../lib/rooms/room'

/** Cheap numbers (as the room tests use): 100 members each deriving 100 numbers at 126 ms would be the bench. */
const scheme = new NumberScheme({ opslimit: 1, memlimit: 8192, digits: 9 })

export interface Wire {
  publicKey: string
  writerKey: string
  signature: string
  name: string
}

export type HostRequest =
  | { cmd: 'start'; dir: string; count: number; first: number; bootstrap: Array<{ host: string; port: number }> }
  | { cmd: 'create' }
  | { cmd: 'prepare'; key: string; encryptionKey: string }
  | { cmd: 'add'; records: Wire[] }
  | { cmd: 'join'; members: number[] }
  | { cmd: 'progress' }
  | { cmd: 'send'; writers: number[]; texts: number; tag: string }
  | { cmd: 'stop' }

const LOGS = process.env.BENCH_LARGE_LOGS ?? ''
const apis: Api[] = []
const namespaces: Buffer[] = []
let room: { key: Buffer; encryptionKey: Buffer; id: string } = { key: Buffer.alloc(0), encryptionKey: Buffer.alloc(0), id: '' }

async function handle(req: HostRequest): Promise<unknown> {
  switch (req.cmd) {
    case 'start': {
      for (let i = 0; i < req.count; i++) {
        const n = req.first + i
        // BENCH_LARGE_LOGS=dir: each member's log in dir/m<n>.log, for chasing a member that lags.
        const file = LOGS ? path.join(LOGS, `m${n}.log`) : null
        const log = file === null ? () => {} : (m: string) => fs.appendFileSync(file, `${Date.now()} ${m}\n`)
        const api = new Api({ storage: path.join(req.dir, 'm' + n), bootstrap: req.bootstrap, host: '127.0.0.1', lan: false, scheme, log })
        await api.ready()
        apis.push(api)
      }
      return apis.length
    }
    case 'create': {
      const r = await apis[0].core.rooms.create(ROOM_GROUP, 'a large room')
      room = { key: r.key, encryptionKey: r.encryptionKey, id: r.id }
      return { key: r.key.toString('hex'), encryptionKey: r.encryptionKey.toString('hex'), id: r.id }
    }
    case 'prepare': {
      // What a joiner does before its request (RoomInvites.join): a writer core and its member signature.
      const key = Buffer.from(req.key, 'hex')
      room = { key, encryptionKey: Buffer.from(req.encryptionKey, 'hex'), id: apis[0].core.rooms.idOf(key) }
      const discoveryKey = crypto.discoveryKey(room.key)
      const out: Wire[] = []
      for (const api of apis) {
        const namespace = crypto.randomBytes(32)
        const local = Autobase.getLocalCore(roomStore(api.core.store, namespace))
        await local.ready()
        const writerKey = local.key as Buffer
        await local.close()
        namespaces.push(namespace)
        const signature = await api.core.rooms.memberSignature(discoveryKey, writerKey)
        out.push({ publicKey: api.core.identity.publicKey.toString('hex'), writerKey: writerKey.toString('hex'), signature: signature.toString('hex'), name: 'M' })
      }
      return out
    }
    case 'add': {
      // What the admin does on each join request (RoomInvites._onrequest).
      const r = await apis[0].core.rooms.open(room.id)
      for (const w of req.records) {
        const member: NewMember = { writerKey: Buffer.from(w.writerKey, 'hex'), publicKey: Buffer.from(w.publicKey, 'hex'), name: w.name, role: ROLE_MEMBER, signature: Buffer.from(w.signature, 'hex') }
        await r.addMember(member)
      }
      return req.records.length
    }
    case 'join': {
      await Promise.all(req.members.map((i) => apis[i].core.rooms.join(room.key, room.encryptionKey, ROOM_GROUP, namespaces[i])))
      return req.members.length
    }
    case 'progress': {
      // Per member: active members it knows, and messages in its view.
      const id = room.id
      return Promise.all(
        apis.map(async (api) => {
          const r = await api.core.rooms.open(id).catch(() => null)
          const connections = api.core.network.swarm.connections.size
          return r === null ? { members: 0, length: 0, connections } : { members: r.memberKeys.length, length: r.length, connections }
        })
      )
    }
    case 'send': {
      const id = room.id
      await Promise.all(
        req.writers.map(async (w) => {
          const r = await apis[w].core.rooms.open(id)
          await Promise.all(Array.from({ length: req.texts }, (_, k) => r.send(`${req.tag}-${w}-${k}`)))
        })
      )
      return req.writers.length * req.texts
    }
    case 'stop': {
      await Promise.all(apis.map((api) => api.close()))
      return apis.length
    }
  }
}

process.on('message', (msg: { id: number; req: HostRequest }) => {
  handle(msg.req).then(
    (result) => process.send?.({ id: msg.id, result }),
    (err: Error) => process.send?.({ id: msg.id, error: err.stack ?? err.message })
  )
})
