import fs from 'fs'
import os from 'os'
import path from 'path'
import { format } from 'util'
import { Api } from '../../lib/api/api'
import { LocalClient } from '../../lib/api/local-client'
import { formatNumber } from '../../lib/contract'
import { isPeerlineError } from '../../lib/errors'
import { Identity } from '../../lib/identity/identity'
import { NumberScheme } from '../../lib/identity/number-scheme'
import { parseBootstrap } from '../../lib/network/swarm-network'
import { formatVersion, simulateFromEnv } from '../../lib/wire/version'
import { serve } from '../serve/main'
import type { PeerlineOptions } from '../../lib/peerline'
import { flag, parseArgs, UsageError } from './args'
import type { ParsedArgs } from './args'
import { StdioTransport } from './stdio-transport'
import { TerminalChat } from './chat'
import { ui } from './ui'
import { shutdown } from '../shutdown'

const HELP = `peerline: a serverless messenger. Your number finds you on the HyperDHT; no servers.

Usage:
  peerline          [--storage DIR] [--bootstrap ...] [--host ADDR]
                    the app: same as \`peerline ui\`
  peerline ui       [--storage DIR] [--bootstrap ...] [--host ADDR] [--port N] [--no-open] [--no-updates]
                    opens Peerline in a window: Electron when installed, else a Chromium app
                    window on the web shell (127.0.0.1; the secret never goes on a command line); with --no-open or
                    no browser it prints a one-time address instead
  peerline chat     [--storage DIR] [--bootstrap ...] [--host ADDR]
                    chat in the terminal: shows your number; /help lists commands
  peerline id       [--storage DIR]          print your number (makes an identity on first use)
  peerline phrase   [--storage DIR]          print the 24-word recovery phrase of your identity
  peerline restore  [--storage DIR]          restore an identity: the phrase is read from stdin
  peerline agent    [--storage DIR] [--bootstrap HOST:PORT[,HOST:PORT]] [--host ADDR]
                    headless agent: JSON-RPC 2.0 on stdin/stdout, one JSON object per line,
                    logs on stderr. Methods and notifications: docs/api.md
  peerline serve    [--storage DIR] [--bootstrap ...] [--host ADDR]
                    always-on peer: keeps the encrypted rooms members give it (setAlwaysOnPeers)
                    and serves them while members are away; it never holds a room's key.
                    Prints {"method":"ready","params":{"publicKey":...}} on stdout.
  peerline --help                            this text

Options:
  --storage DIR     profile directory (default: $PEERLINE_STORAGE or ~/.peerline)
  --bootstrap LIST  DHT bootstrap nodes for a private or test DHT (default: the public HyperDHT)
  --host ADDR       address to bind the DHT socket to (default: all interfaces)
  --no-lan          no LAN discovery (it is on by default, off when --host is a loopback address)

Example agent session (> sent, < received):
  > {"jsonrpc":"2.0","id":1,"method":"addContact","params":{"number":"123 456 789"}}
  < {"jsonrpc":"2.0","id":1,"result":{"number":"123456789","state":"pending",...}}
  < {"jsonrpc":"2.0","method":"contactAccepted","params":{"number":"123456789"}}
  > {"jsonrpc":"2.0","id":2,"method":"send","params":{"to":"123456789","text":"hi"}}
`

function log(msg: string): void {
  process.stderr.write(`[peerline ${new Date().toISOString()}] ${msg}\n`)
}

function options(args: ParsedArgs): PeerlineOptions {
  const storage = path.resolve(flag(args, 'storage') ?? process.env.PEERLINE_STORAGE ?? path.join(os.homedir(), '.peerline'))
  const bootstrapText = flag(args, 'bootstrap')
  const host = flag(args, 'host')
  let bootstrap
  try {
    bootstrap = bootstrapText ? parseBootstrap(bootstrapText) : undefined
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  const lookup = process.env.PEERLINE_LOOKUP_TIMEOUT
  return {
    storage,
    scheme: NumberScheme.fromEnv(process.env),
    log,
    ...(bootstrap ? { bootstrap } : {}),
    ...(host ? { host } : {}),
    ...(args.flags.has('no-lan') ? { lan: false } : {}),
    ...(lookup ? { lookupTimeout: Number(lookup) } : {})
  }
}

async function agent(args: ParsedArgs): Promise<void> {
  const api = new Api(options(args))
  const transport = new StdioTransport(api, process.stdin, process.stdout, log)
  const stop = shutdown(async () => {
    transport.close()
    await api.close()
  }, { log })
  transport.ended().then(() => stop('stdin closed'))
  await api.ready()
  const me = await api.request('whoami')
  log(`ready: number ${formatNumber(me.number)}`)
}

async function chat(args: ParsedArgs): Promise<void> {
  const opts = options(args)
  const log = fileLog(opts.storage)
  const api = new Api({ ...opts, log })
  const stop = shutdown(() => api.close(), { log })
  // Say who you are at once; joining the DHT can take seconds (or longer, offline).
  const early = await Identity.open(opts.storage, opts.scheme ?? new NumberScheme())
  await new TerminalChat(new LocalClient(api), { number: early.number, ready: api.ready() }).run()
  await stop('quit')
}

/** The terminal chat keeps the screen for people: logs go to a file in the profile. */
function fileLog(storage: string): (msg: string) => void {
  fs.mkdirSync(storage, { recursive: true, mode: 0o700 })
  const file = path.join(storage, 'peerline.log')
  return (msg) => fs.appendFileSync(file, `[${new Date().toISOString()}] ${msg}\n`)
}

function startUi(args: ParsedArgs, argv: string[]): Promise<void> {
  const port = Number(flag(args, 'port') ?? 0)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be 0..65535')
  return ui({ peerline: options(args), noOpen: args.flags.has('no-open'), port, argv, log })
}

/**
 * stdout carries what a command prints for people or a client (the agent's JSON-RPC lines), and
 * nothing else: a library's console.log (hypercore logs "[hypercore] conflict detected" that way)
 * would break the agent's protocol. Those lines go to stderr, with the logs.
 */
function keepStdoutOurs(): void {
  const toStderr = (...args: unknown[]): void => void process.stderr.write(format(...args) + '\n')
  console.log = toStderr
  console.info = toStderr
  console.debug = toStderr
}

async function main(argv: string[]): Promise<void> {
  keepStdoutOurs()
  // Tests only: every command that runs a core (agent, chat, ui) can speak another version.
  const simulated = simulateFromEnv(process.env)
  if (simulated) log(`simulating protocol ${formatVersion(simulated)} (PEERLINE_SIMULATE_PROTOCOL)`)
  const args = parseArgs(argv)
  if (args.command === null && !args.flags.has('help') && !args.flags.has('h')) return startUi(args, argv)
  if (args.flags.has('help') || args.flags.has('h') || args.command === 'help') {
    process.stdout.write(HELP)
    return
  }
  const opts = options(args)
  const scheme = opts.scheme ?? new NumberScheme()
  switch (args.command) {
    case 'agent':
      return agent(args)
    case 'chat':
      return chat(args)
    case 'ui':
      return startUi(args, argv.slice(1))
    case 'serve':
      return serve({ ...options(args), log })
    case 'id': {
      const id = await Identity.open(opts.storage, scheme)
      process.stdout.write(scheme.format(id.number) + '\n')
      return
    }
    case 'phrase': {
      const id = await Identity.open(opts.storage, scheme)
      process.stdout.write(id.phrase + '\n')
      return
    }
    case 'restore': {
      const phrase = await readStdin()
      const id = await Identity.restore(opts.storage, phrase, scheme)
      process.stdout.write(`restored: your number is ${scheme.format(id.number)}\n`)
      return
    }
    default:
      throw new UsageError(`unknown command "${args.command}" (see peerline --help)`)
  }
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = ''
    process.stdin.setEncoding('utf8')
    process.stdin.on('data', (d: string) => (text += d))
    process.stdin.on('end', () => resolve(text))
    process.stdin.on('error', reject)
  })
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError || isPeerlineError(err)) {
    process.stderr.write(`peerline: ${(err as Error).message}\n`)
    process.exit(2)
  }
  process.stderr.write(`peerline: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})
