import test from 'brittle'
import b4a from 'b4a'
import c from 'compact-encoding'
import Protomux from 'protomux'
import NoiseSecretStream from '@hyperswarm/secret-stream'
import { GuardedChannel } from '../../lib/network/guarded-channel'
import * as schema from '../../lib/wire/schemas'

function pair(t: { teardown: (fn: () => void) => void }): [Protomux, Protomux, NoiseSecretStream] {
  const a = new NoiseSecretStream(true)
  const b = new NoiseSecretStream(false)
  a.rawStream.pipe(b.rawStream).pipe(a.rawStream)
  t.teardown(() => {
    a.destroy()
    b.destroy()
  })
  return [Protomux.from(a), Protomux.from(b), a]
}

test('a well-formed frame is delivered decoded', async (t) => {
  t.plan(2)
  const [ma, mb] = pair(t)
  const logs: string[] = []
  new GuardedChannel(mb, {
    spec: { protocol: 'x', handshake: schema.hello, messages: { decline: schema.contactDecline } },
    handlers: { decline: (m) => t.is(m.reason, 'busy') },
    log: (m) => logs.push(m),
    maxFrameBytes: 1024,
    maxPerSecond: 10,
    onopen: (h) => t.is(h.number, '123456789')
  }).open({ number: '000000000', name: '', version: schema.PROTOCOL_VERSION })
  const raw = ma.createChannel({ protocol: 'x', handshake: c.raw })
  const msg = raw!.addMessage({ encoding: c.raw })
  raw!.open(c.encode(schema.hello, { number: '123456789', name: 'Ana', version: schema.PROTOCOL_VERSION }))
  msg.send(c.encode(schema.contactDecline, { reason: 'busy' }))
})

test('garbage, oversized and flooding peers get the channel closed with a reason, not a throw', async (t) => {
  const cases: Array<[string, (send: (b: Buffer) => void) => void, RegExp]> = [
    ['garbage', (send) => send(b4a.from([0xff, 0xff, 0xff, 0xff, 0xff])), /undecodable/],
    ['oversized', (send) => send(c.encode(schema.contactDecline, { reason: 'x'.repeat(5000) })), /limit/],
    [
      'flood',
      (send) => {
        for (let i = 0; i < 100; i++) send(c.encode(schema.contactDecline, { reason: '' }))
      },
      /too fast/
    ]
  ]
  for (const [name, attack, reason] of cases) {
    const [ma, mb, streamA] = pair(t)
    const logs: string[] = []
    let received = 0
    const closed = new Promise<void>((resolve) => {
      new GuardedChannel(mb, {
        spec: { protocol: 'y', handshake: { preencode() {}, encode() {}, decode: () => null }, messages: { decline: schema.contactDecline } },
        handlers: { decline: () => void received++ },
        log: (m) => logs.push(m),
        maxFrameBytes: 1024,
        maxPerSecond: 5,
        onopen: () => {},
        onclose: resolve
      }).open(null)
    })
    const raw = ma.createChannel({ protocol: 'y', handshake: c.raw })!
    const msg = raw.addMessage({ encoding: c.raw })
    raw.open(b4a.alloc(0))
    attack((b) => msg.send(b))
    await closed
    t.ok(logs.some((l) => reason.test(l)), `${name}: ${logs.join('; ')}`)
    t.ok(received <= 10, `${name}: at most the burst was handled (${received})`)
    t.absent(streamA.destroyed, `${name}: the connection itself survives`)
  }
})

test('a newer minor version: a frame with a field we do not know is delivered, a message type we do not know is ignored', async (t) => {
  const [ma, mb, streamA] = pair(t)
  const logs: string[] = []
  const got: string[] = []
  let closed = false
  const delivered = new Promise<void>((resolve) => {
    new GuardedChannel(mb, {
      spec: { protocol: 'z', handshake: schema.hello, messages: { decline: schema.contactDecline } },
      handlers: {
        decline: (m) => {
          got.push(m.reason)
          if (got.length === 2) resolve()
        }
      },
      log: (m) => logs.push(m),
      maxFrameBytes: 1024,
      maxPerSecond: 100,
      onopen: () => {},
      onclose: () => {
        closed = true
      }
    }).open({ number: '000000000', name: '', version: schema.PROTOCOL_VERSION })
  })
  // The peer of 2.1: its decline has one more field, and it has a message type after ours.
  const raw = ma.createChannel({ protocol: 'z', handshake: c.raw })!
  const decline = raw.addMessage({ encoding: c.raw })
  const newer = raw.addMessage({ encoding: c.raw })
  const next = { major: schema.PROTOCOL_MAJOR, minor: schema.PROTOCOL_MINOR + 1 }
  raw.open(b4a.concat([c.encode(schema.hello, { number: '123456789', name: 'Ana', version: next }), b4a.from([1, 2, 3])]))
  decline.send(b4a.concat([c.encode(schema.contactDecline, { reason: 'first' }), b4a.from('046e65787407', 'hex')]))
  newer.send(b4a.from('a message type of 2.1'))
  decline.send(c.encode(schema.contactDecline, { reason: 'second' }))
  await delivered
  t.alike(got, ['first', 'second'])
  t.absent(closed, 'the channel stays open')
  t.alike(logs, [], 'nothing to log')
  t.absent(streamA.destroyed)
})
