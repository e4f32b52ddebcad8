import test from 'brittle'
import b4a from 'b4a'
import fs from 'fs'
import path from 'path'
import UDX from 'udx-native'
import { coreNet, errorCode } from '../../harness/core-api'
import { eventually } from '../../harness/eventually'

type Peer = Awaited<ReturnType<Awaited<ReturnType<typeof coreNet>>['start']>>
type T = Parameters<Parameters<typeof test>[1]>[0]

async function befriend(a: Peer, b: Peer): Promise<{ aNumber: string; bNumber: string }> {
  const aNumber = (await a.api.request('whoami')).number
  const bNumber = (await b.api.request('whoami')).number
  await a.api.request('addContact', { number: bNumber })
  await b.next('contactRequest', (p) => p.number === aNumber)
  await b.api.request('acceptContact', { number: aNumber })
  await a.next('contactAccepted', (p) => p.number === bNumber)
  // The call channel opens with the peer session; wait until each sees the other online.
  await eventually(async () => (await a.api.request('listContacts')).some((c) => c.number === bNumber && c.online), (ok) => ok)
  return { aNumber, bNumber }
}

/** A stand-in for a local WebRTC stack: a UDP socket on 127.0.0.1 that records what it receives. */
function fakeWebRtc(t: T) {
  const udx = new UDX()
  const socket = udx.createSocket()
  socket.bind(0, '127.0.0.1')
  const got: string[] = []
  socket.on('message', (buf) => got.push(b4a.toString(buf, 'latin1'))) // one char per byte: binary survives
  t.teardown(() => socket.close())
  return { socket, got }
}

/** Sends `text` to the local tunnel port until the other fake WebRTC has it (datagrams may drop). */
async function through(from: ReturnType<typeof fakeWebRtc>, port: number, to: ReturnType<typeof fakeWebRtc>, text: string): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    from.socket.trySend(b4a.from(text, 'latin1'), port, '127.0.0.1')
    await new Promise((r) => setTimeout(r, 50))
    if (to.got.includes(text)) return true
  }
  return false
}

/** Both sides' tunnels carry datagrams both ways (each side's WebRTC speaks first, as ICE does). */
async function tunnelBothWays(t: T, a: Peer, b: Peer, call: string, route: string): Promise<void> {
  const ta = (await a.api.request('callTunnel', { call })) as { host: string; port: number; candidate: string; route: string }
  const tb = (await b.api.request('callTunnel', { call })) as { host: string; port: number; candidate: string; route: string }
  t.is(ta.route, route)
  t.is(ta.host, '127.0.0.1')
  t.ok(ta.candidate.startsWith('candidate:') && ta.candidate.includes(` 127.0.0.1 ${ta.port} typ host`), 'a candidate line for the local tunnel')
  const wa = fakeWebRtc(t)
  const wb = fakeWebRtc(t)
  wb.socket.trySend(b4a.from('hello from b'), tb.port, '127.0.0.1') // b's tunnel learns b's local port
  t.ok(await through(wa, ta.port, wb, 'a->b'), 'a datagram from a reaches b')
  t.ok(await through(wb, tb.port, wa, 'b->a'), 'and one from b reaches a')
  const big = 'x'.repeat(1200) // an SRTP video packet's size
  t.ok(await through(wa, ta.port, wb, big), 'full-size media packets pass')
}

function onDisk(dir: string, needle: string): string[] {
  const hits: string[] = []
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name)
      if (e.isDirectory()) walk(p)
      else if (b4a.indexOf(fs.readFileSync(p), needle) !== -1) hits.push(p)
    }
  }
  walk(dir)
  return hits
}

test('1:1 call: ring, answer, signalling, tunnel datagrams both ways, in-call chat, hang-up recorded; no chat on disk', async (t) => {
  const { dir, start } = await coreNet(t)
  const a = await start('a')
  const b = await start('b')
  const { aNumber, bNumber } = await befriend(a, b)

  const { call } = (await a.api.request('startCall', { to: bNumber, video: true })) as { call: string }
  const incoming = await b.next('callIncoming', (p) => p.call === call)
  t.is(incoming.from, aNumber)
  t.is(incoming.video, true)
  t.is(incoming.group, false)
  t.is((await a.next('callState', (p) => p.call === call)).state, 'calling')
  t.is(await errorCode(a.api.request('startCall', { to: bNumber })), 'BUSY', 'one call at a time')

  await b.api.request('answerCall', { call })
  await a.next('callState', (p) => p.call === call && p.state === 'active')
  t.is((await b.next('callPeer', (p) => p.call === call)).offer, true, 'the one who answers makes the offer')
  const peerAtA = await a.next('callPeer', (p) => p.call === call)
  t.is(peerAtA.peer, bNumber)
  t.is(peerAtA.offer, false)

  await b.api.request('callSignal', { call, signal: { type: 'offer', sdp: 'v=0 offer' } })
  t.alike((await a.next('callSignal', (p) => p.call === call)).signal, { type: 'offer', sdp: 'v=0 offer' })
  await a.api.request('callSignal', { call, peer: bNumber, signal: { type: 'answer', sdp: 'v=0 answer' } })
  await b.next('callSignal', (p) => (p.signal as { type: string }).type === 'answer')
  const cand = { type: 'candidate', candidate: 'candidate:1 1 udp 1 10.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 }
  await a.api.call('callSignal', { call, signal: cand })
  t.alike((await b.next('callSignal', (p) => (p.signal as { type: string }).type === 'candidate')).signal, cand)
  t.is(await errorCode(a.api.call('callSignal', { call, signal: { type: 'nonsense' } })), 'BAD_REQUEST')

  await tunnelBothWays(t, a, b, call, 'datagram')

  const secret = 'in-call secret ' + b4a.toString(b4a.from(String(Math.random())), 'hex')
  await a.api.request('callChat', { call, text: secret })
  const chat = await b.next('callChat', (p) => p.call === call)
  t.is(chat.text, secret)
  t.is(chat.from, aNumber)

  await new Promise((r) => setTimeout(r, 50))
  await a.api.request('hangUp', { call })
  t.is((await b.next('callState', (p) => p.call === call && p.state === 'ended')).reason, 'remote-hangup')
  const ended = await a.next('callState', (p) => p.call === call && p.state === 'ended')
  t.is(ended.reason, 'hangup')
  t.ok((ended.duration as number) > 0)
  t.is(await errorCode(a.api.request('callChat', { call, text: 'late' })), 'NO_SUCH_CALL', 'chat is gone with the call')

  const history = await eventually(
    async () => (await b.api.request('history', { to: aNumber })) as Array<{ from: string; call: { outcome: string; duration: number; video: boolean } | null }>,
    (h) => h.some((m) => m.call !== null)
  )
  const event = history.find((m) => m.call !== null)
  t.is(event?.from, aNumber, 'the caller records the call')
  t.is(event?.call?.outcome, 'ended')
  t.ok((event?.call?.duration ?? 0) > 0)

  await a.api.close()
  await b.api.close()
  t.alike(onDisk(dir, secret), [], 'nothing of the in-call chat is in either profile')
})

test('call paths: decline, busy, no answer, caller gives up; recorded in the conversation', async (t) => {
  const { start } = await coreNet(t)
  const opts = { ringTimeout: 1500 }
  const a = await start('a', opts)
  const b = await start('b', opts)
  const c = await start('c', opts)
  const { aNumber, bNumber } = await befriend(a, b)
  await befriend(c, b)
  t.is(await errorCode(a.api.request('startCall', { to: (await c.api.request('whoami')).number })), 'NOT_A_CONTACT')

  const first = (await a.api.request('startCall', { to: bNumber, video: false })) as { call: string }
  await b.next('callIncoming', (p) => p.call === first.call)
  await b.api.request('declineCall', { call: first.call })
  t.is((await a.next('callState', (p) => p.call === first.call && p.state === 'ended')).reason, 'declined')

  const second = (await a.api.request('startCall', { to: bNumber })) as { call: string }
  await b.next('callIncoming', (p) => p.call === second.call)
  await b.api.request('answerCall', { call: second.call })
  const third = (await c.api.request('startCall', { to: bNumber })) as { call: string }
  t.is((await c.next('callState', (p) => p.call === third.call && p.state === 'ended')).reason, 'busy', 'b is in a call')
  t.absent(b.notes.some((n) => n.name === 'callIncoming' && n.params.call === third.call), 'b is not disturbed')
  await b.api.request('hangUp', { call: second.call })
  t.is((await a.next('callState', (p) => p.call === second.call && p.state === 'ended')).reason, 'remote-hangup')

  const fourth = (await a.api.request('startCall', { to: bNumber })) as { call: string }
  t.is((await b.next('callState', (p) => p.call === fourth.call && p.state === 'ended')).reason, 'missed', 'nobody answered in time')
  t.is((await a.next('callState', (p) => p.call === fourth.call && p.state === 'ended')).reason, 'missed')

  const fifth = (await a.api.request('startCall', { to: bNumber })) as { call: string }
  await b.next('callIncoming', (p) => p.call === fifth.call)
  await a.api.request('hangUp', { call: fifth.call })
  t.is((await b.next('callState', (p) => p.call === fifth.call && p.state === 'ended')).reason, 'missed', 'the caller gave up')

  const outcomes = await eventually(
    async () => ((await b.api.request('history', { to: aNumber })) as Array<{ call: { outcome: string } | null }>).flatMap((m) => (m.call ? [m.call.outcome] : [])),
    (o) => o.length === 4
  )
  t.alike(outcomes, ['declined', 'ended', 'missed', 'missed'])
  const cOutcomes = await eventually(
    async () => ((await c.api.request('history', { to: bNumber })) as Array<{ call: { outcome: string } | null }>).flatMap((m) => (m.call ? [m.call.outcome] : [])),
    (o) => o.length === 1
  )
  t.alike(cOutcomes, ['busy'])
})

test('tunnel falls back to a protomux channel where datagrams are not available', async (t) => {
  const { start } = await coreNet(t)
  const a = await start('a', { tunnelOverChannel: true })
  const b = await start('b', { tunnelOverChannel: true })
  const { bNumber } = await befriend(a, b)
  const { call } = (await a.api.request('startCall', { to: bNumber })) as { call: string }
  await b.next('callIncoming', (p) => p.call === call)
  await b.api.request('answerCall', { call })
  await a.next('callPeer', (p) => p.call === call)
  await tunnelBothWays(t, a, b, call, 'channel')
  await a.api.request('hangUp', { call })
})

test('group call of 3 in a room: everyone rung, joiners (one late) connect to each participant, chat reaches all', async (t) => {
  const { start } = await coreNet(t)
  const a = await start('a')
  const b = await start('b')
  const c = await start('c', { ringTimeout: 1000 })
  const [bNumber, cNumber] = [(await b.api.request('whoami')).number, (await c.api.request('whoami')).number]
  const aNumber = (await a.api.request('whoami')).number
  const { room, invite } = (await a.api.request('createRoom', { name: 'Group call' })) as { room: string; invite: string }
  await b.api.request('joinRoom', { invite })
  await c.api.request('joinRoom', { invite })
  await a.next('roomUpdate', (p) => p.room === room && p.members === 3)
  for (const p of [a, b, c]) {
    await eventually(async () => ((await p.api.request('members', { room })) as Array<{ online: boolean }>).filter((m) => m.online).length, (n) => n >= 2, 20_000)
  }
  t.is(await errorCode(a.api.request('startCall', { to: room })), 'BAD_REQUEST', 'a room call is startRoomCall')

  const { call } = (await a.api.request('startRoomCall', { room, video: true })) as { call: string }
  t.is((await b.next('callIncoming', (p) => p.call === call)).group, true)
  await c.next('callIncoming', (p) => p.call === call)
  await b.api.request('answerCall', { call })
  await a.next('callPeer', (p) => p.call === call && p.peer === bNumber)
  t.is((await c.next('callState', (p) => p.call === call && p.state === 'ended')).reason, 'missed', 'c lets it ring out')
  t.is(await c.api.request('currentCall', {}), null)
  await c.api.request('joinCall', { call })
  const cPeers = [await c.next('callPeer', (p) => p.call === call && p.peer === aNumber), await c.next('callPeer', (p) => p.call === call && p.peer === bNumber)]
  t.ok(cPeers.every((p) => p.offer === true), 'the joiner offers to each participant')
  t.is((await b.next('callPeer', (p) => p.call === call && p.peer === cNumber)).offer, false, 'b is told c joined')
  await a.next('callPeer', (p) => p.call === call && p.peer === cNumber)

  t.is(await errorCode(c.api.request('callTunnel', { call })), 'BAD_REQUEST', 'several peers: name one')
  const status = (await b.api.request('currentCall', {})) as { state: string; group: boolean; peers: string[] }
  t.alike([status.state, status.group, [...status.peers].sort()], ['active', true, [aNumber, cNumber].sort()])
  const tun = (await c.api.request('callTunnel', { call, peer: bNumber })) as { port: number }
  t.ok(tun.port > 0)

  await c.api.request('callChat', { call, text: 'hi both' })
  await a.next('callChat', (p) => p.text === 'hi both' && p.from === cNumber)
  await b.next('callChat', (p) => p.text === 'hi both' && p.from === cNumber)

  await a.api.request('hangUp', { call })
  await b.next('callPeer', (p) => p.call === call && p.peer === aNumber && p.joined === false)
  t.absent(b.notes.some((n) => n.name === 'callState' && n.params.call === call && n.params.state === 'ended'), 'b and c stay in the call')
  await b.api.request('hangUp', { call })
  const last = await c.next('callState', (p) => p.call === call && p.state === 'ended' && p.reason !== 'missed')
  t.is(last.reason, 'remote-hangup', 'the last one left alone ends')
})

test('tunnel: a STUN response goes back to the local socket that asked, media to the one sending media', async (t) => {
  const { start } = await coreNet(t)
  const a = await start('a')
  const b = await start('b')
  const { bNumber } = await befriend(a, b)
  const { call } = (await a.api.request('startCall', { to: bNumber })) as { call: string }
  await b.next('callIncoming', (p) => p.call === call)
  await b.api.request('answerCall', { call })
  await a.next('callPeer', (p) => p.call === call)
  const ta = (await a.api.request('callTunnel', { call })) as { port: number }
  const tb = (await b.api.request('callTunnel', { call })) as { port: number }
  const [a1, a2, wb] = [fakeWebRtc(t), fakeWebRtc(t), fakeWebRtc(t)]
  wb.socket.trySend(b4a.from('hello from b'), tb.port, '127.0.0.1')

  const stun = (type: number): Buffer => {
    const m = b4a.alloc(20)
    m.writeUInt16BE(type, 0)
    m.writeUInt32BE(0x2112a442, 4)
    b4a.from('transaction1').copy(m, 8)
    return m
  }
  const request = b4a.toString(stun(0x0001), 'latin1')
  const response = b4a.toString(stun(0x0101), 'latin1')
  t.ok(await through(a1, ta.port, wb, request), "a's first socket checks the tunnel")
  t.ok(await through(a2, ta.port, wb, 'media from a2'), 'a second socket sends media after it')
  t.ok(await through(wb, tb.port, a1, response), 'the response reaches the socket whose request it answers')
  t.absent(a2.got.includes(response), 'not the socket that spoke last')
  t.ok(await through(wb, tb.port, a2, 'media from b'), 'media goes to the socket that sends media')
  await a.api.request('hangUp', { call })
})
