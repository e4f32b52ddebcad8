import test from 'brittle'
import b4a from 'b4a'
import HyperDHT from 'hyperdht'
import Hyperswarm from 'hyperswarm'
import type NoiseSecretStream from '@hyperswarm/secret-stream'
import * as schema from '../../lib/wire/schemas'
import { coreNet } from '../../harness/core-api'
import { befriend, sessionTo, type Started } from '../../harness/raw-session'
import { eventually } from '../../harness/eventually'

/** Every protomux channel of ours that an authenticated contact has open, with its frame limit. */
const CHANNELS: Array<[string, number]> = [
  [schema.CONTACT_PROTOCOL, schema.MAX_FRAME_BYTES],
  [schema.ROOM_LIVE_PROTOCOL, schema.MAX_FRAME_BYTES],
  [schema.FILE_PROTOCOL, 4 * 1024 * 1024 + 64],
  [schema.CALL_PROTOCOL, schema.MAX_FRAME_BYTES],
  [schema.CALL_MEDIA_PROTOCOL, 4096]
]

/** Sends `frame` as the first message type of each of our channels the attacker has open to the victim. */
async function sendOnEvery(attacker: Started, victim: Started, frame: (limit: number) => Buffer): Promise<string[]> {
  const mux = (await sessionTo(attacker, victim)).mux
  const sent: string[] = []
  for (const [protocol, limit] of CHANNELS) {
    // The attacker's own channel is open to the victim's: its raw first message goes straight through.
    const channel = await eventually(async () => [...mux].find((ch) => ch.protocol === protocol && ch.opened), (ch) => ch !== undefined)
    if (channel === undefined) continue
    channel.messages[0].send(frame(limit))
    sent.push(protocol)
  }
  return sent
}

test('garbage and oversized frames on each of our channels: that channel closes with a logged reason, nothing else', async (t) => {
  const { start } = await coreNet(t)
  const victim = await start('victim')
  const garbler = await start('garbler')
  const bloater = await start('bloater')
  const friend = await start('friend')
  for (const p of [garbler, bloater, friend]) await befriend(p, victim)
  const { room, invite } = (await victim.api.call('createRoom', { name: 'Unrelated' })) as { room: string; invite: string }
  await friend.api.call('joinRoom', { invite })

  const garbled = await sendOnEvery(garbler, victim, () => b4a.from([0xff, 0xff, 0xff, 0xff, 0xff]))
  const bloated = await sendOnEvery(bloater, victim, (limit) => b4a.alloc(limit + 1))
  t.is(garbled.length, CHANNELS.length, 'garbage went out on every channel: ' + garbled.join(', '))
  t.is(bloated.length, CHANNELS.length, 'and an oversized frame')
  for (const protocol of garbled) {
    const logged = await eventually(async () => victim.logs.some((l) => l.includes(`${protocol}: closing channel: undecodable frame`)), (ok) => ok)
    t.ok(logged, `${protocol}: closed on garbage, with the reason logged`)
  }
  for (const protocol of bloated) {
    const logged = await eventually(async () => victim.logs.some((l) => l.includes(`${protocol}: closing channel: undecodable frame: frame of`) && l.includes('-byte limit')), (ok) => ok)
    t.ok(logged, `${protocol}: closed on an oversized frame, with the reason logged`)
  }

  // The victim runs on: its other contact and its room work, and it answers.
  t.is((await victim.api.request('whoami')).number.length, 9, 'the victim answers')
  await friend.api.call('send', { to: room, text: 'the room goes on' })
  await victim.next('message', (p) => p.text === 'the room goes on')
  await friend.api.call('send', { to: (await victim.api.request('whoami')).number, text: 'and so does our chat' })
  await victim.next('message', (p) => p.text === 'and so does our chat')
  t.pass('other rooms and contacts are untouched')
})

test('a peer that connects and never says hello is dropped with a reason; the rest goes on', async (t) => {
  const { start, testnet } = await coreNet(t)
  const victim = await start('victim')
  const friend = await start('friend')
  await befriend(friend, victim)

  const dht = new HyperDHT({ bootstrap: testnet.bootstrap, host: '127.0.0.1' })
  const swarm = new Hyperswarm({ dht })
  t.teardown(() => swarm.destroy(), { order: -1 })
  let closed = false
  const connected = new Promise<void>((resolve) => {
    swarm.on('connection', (conn: NoiseSecretStream) => {
      conn.on('error', () => {})
      conn.on('close', () => {
        closed = true
      })
      resolve() // and then says nothing at all, on any channel
    })
  })
  swarm.joinPeer(victim.api.core.identity.publicKey)
  await connected
  const dropped = await eventually(async () => closed, (c) => c, 20_000)
  t.ok(dropped, 'the silent connection was closed by the victim')
  t.ok(victim.logs.some((l) => l.includes('dropping connection: no valid hello in time')), 'with a logged reason')
  await friend.api.call('send', { to: (await victim.api.request('whoami')).number, text: 'still reachable' })
  await victim.next('message', (p) => p.text === 'still reachable')
})
