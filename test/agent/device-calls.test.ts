import test from 'brittle'
import { setup } from '../../harness/agent-net'
import { linkedDevice } from '../../harness/linked-device'

/** A with a linked device A2, and B calling A: both of A's devices ring. */
async function ringingBoth(t: Parameters<Parameters<typeof test>[1]>[0]) {
  const { start } = await setup(t)
  const { a, a2, b } = await linkedDevice(start)
  const { call } = await b.call('startCall', { to: a.number, video: false })
  await a.waitFor('callIncoming', (p) => p.call === call, 30_000)
  await a2.waitFor('callIncoming', (p) => p.call === call, 30_000)
  return { a, a2, b, call }
}

// Signalling level (no WebRTC): who rings, who ends how, and who the caller's signals reach.
test('B calls A: A and A2 both ring; A2 answers, A stops ringing (answered elsewhere), B\'s call is with A2', { timeout: 240_000 }, async (t) => {
  const { a, a2, b, call } = await ringingBoth(t)
  t.pass('both of A\'s devices ring')

  await a2.call('answerCall', { call })
  const stopped = await a.waitFor('callState', (p) => p.call === call && p.state === 'ended', 30_000)
  t.is(stopped.reason, 'answered-elsewhere', 'A stops ringing: answered on another device')
  await b.waitFor('callState', (p) => p.call === call && p.state === 'active', 30_000)
  const peer = await b.waitFor('callPeer', (p) => p.call === call && p.joined, 30_000)
  t.is(peer.peer, a.number, 'B is in the call with A\'s number')

  // What B sends in the call reaches A2, not A; A2's offer reaches B.
  await a2.call('callSignal', { call, signal: { type: 'offer', sdp: 'v=0 from A2' } })
  const offer = await b.waitFor('callSignal', (p) => p.call === call, 30_000)
  t.alike(offer.signal, { type: 'offer', sdp: 'v=0 from A2' }, 'B gets A2\'s offer')
  await b.call('callChat', { call, text: 'can you hear me' })
  t.is((await a2.waitFor('callChat', (p) => p.call === call, 30_000)).text, 'can you hear me', 'A2 gets B\'s in-call chat')
  t.absent(a.notifications.some((n) => n.method === 'callChat' || (n.method === 'callPeer' && n.params.call === call)), 'A is not in the call')

  await b.call('hangUp', { call })
  t.is((await a2.waitFor('callState', (p) => p.call === call && p.state === 'ended', 30_000)).reason, 'remote-hangup', 'A2 sees B hang up')
  t.absent(a.notifications.some((n) => n.method === 'callState' && n.params.call === call && n.params.state === 'active'), 'A never went active')
})

test('B calls A: A declines on one device, the call is declined and A2 stops ringing (declined elsewhere)', { timeout: 240_000 }, async (t) => {
  const { a, a2, b, call } = await ringingBoth(t)
  await a.call('declineCall', { call })
  t.is((await b.waitFor('callState', (p) => p.call === call && p.state === 'ended', 30_000)).reason, 'declined', 'B: declined')
  t.is((await a2.waitFor('callState', (p) => p.call === call && p.state === 'ended', 30_000)).reason, 'declined-elsewhere', 'A2 stops ringing: declined on another device')
  await b.waitFor('message', (p) => p.call !== null && p.call.call === call && p.call.outcome === 'declined', 30_000)
  t.pass('B records one declined call')
})

test('B calls A: A and A2 answer at the same moment; one of them is in the call, the other ends answered elsewhere', { timeout: 240_000 }, async (t) => {
  const { a, a2, b, call } = await ringingBoth(t)
  // The later one either answers too and is told it lost, or finds the call already taken.
  const answers = await Promise.allSettled([a.call('answerCall', { call }), a2.call('answerCall', { call })])
  t.ok(answers.some((r) => r.status === 'fulfilled'), 'at least one answer went through')
  for (const r of answers) if (r.status === 'rejected') t.is((r.reason as { data?: { code?: string } }).data?.code, 'NO_SUCH_CALL', 'a late answer: the call was taken already')
  const ends = await Promise.race([
    a.waitFor('callState', (p) => p.call === call && p.state === 'ended', 30_000).then((p) => ({ out: a, stays: a2, reason: p.reason })),
    a2.waitFor('callState', (p) => p.call === call && p.state === 'ended', 30_000).then((p) => ({ out: a2, stays: a, reason: p.reason }))
  ])
  t.is(ends.reason, 'answered-elsewhere', 'the later one ends: answered on the other device')
  await b.call('callChat', { call, text: 'who is there' })
  await ends.stays.waitFor('callChat', (p) => p.call === call, 30_000)
  t.is(b.notifications.filter((n) => n.method === 'callPeer' && n.params.call === call && n.params.joined).length, 1, 'B has one peer: A, once')
  t.absent(ends.stays.notifications.some((n) => n.method === 'callState' && n.params.call === call && n.params.state === 'ended'), 'the other stays in the call')
  await b.call('hangUp', { call })
})

// A group call: A answers on A2, so A2 is A in the call; C, answering later, is sent to A2 (the
// caller names the device in the call), and A's other device cannot join as a second A.
test('group call: A answers on A2; C joins and reaches A2; A\'s first device cannot join as a second A', { timeout: 300_000 }, async (t) => {
  const { start } = await setup(t)
  const a = await start('a')
  const b = await start('b')
  const c = await start('c')
  const { room, invite } = await a.call('createRoom', { name: 'Call me' })
  await b.call('joinRoom', { invite })
  await c.call('joinRoom', { invite })
  const { link } = await a.call('createDeviceLink', {})
  const a2 = await start('a2')
  await a2.call('linkDevice', { link })
  await a2.waitFor('linkProgress', (p) => p.done === true, 90_000)
  for (const [device, text] of [[a2, 'A2 here'], [a, 'A here']] as const) {
    const m = await device.call('send', { to: room, text })
    await b.waitFor('message', (p) => p.id === m.id, 90_000)
    await c.waitFor('message', (p) => p.id === m.id, 90_000)
  }

  const { call } = await b.call('startRoomCall', { room, video: false })
  await a.waitFor('callIncoming', (p) => p.call === call, 30_000)
  await a2.waitFor('callIncoming', (p) => p.call === call, 30_000)
  await c.waitFor('callIncoming', (p) => p.call === call, 30_000)
  await a2.call('answerCall', { call })
  t.is((await a.waitFor('callState', (p) => p.call === call && p.state === 'ended', 30_000)).reason, 'answered-elsewhere', 'A stops ringing')
  await c.call('answerCall', { call })
  // C joins everyone B names: A (as A2's device) among them; C makes the offer to A2.
  const toA = await c.waitFor('callPeer', (p) => p.call === call && p.peer === a.number && p.joined, 30_000)
  t.ok(toA.offer, 'C connects to A, making the offer')
  await a2.waitFor('callPeer', (p) => p.call === call && p.peer === c.number && p.joined, 30_000)
  t.pass('A2 has C as a peer: C reached the device in the call')
  await c.call('callChat', { call, text: 'hello all' })
  await a2.waitFor('callChat', (p) => p.call === call && p.text === 'hello all', 30_000)
  t.pass('C\'s in-call chat reaches A2')

  // A's first device was told it was answered elsewhere: it has no group call to join.
  const late = await a.call('joinCall', { call }).then(() => 'joined', (err: { data?: { code?: string } }) => err.data?.code)
  t.is(late, 'NO_SUCH_CALL', 'A cannot join the call its other device is in')
  t.absent(a.notifications.some((n) => n.method === 'callPeer' && n.params.call === call), 'A was never a peer of it')
  await b.call('hangUp', { call })
  await c.call('hangUp', { call })
  t.is((await a2.waitFor('callState', (p) => p.call === call && p.state === 'ended', 30_000)).reason, 'remote-hangup', 'A2 ends when the others leave')
})
