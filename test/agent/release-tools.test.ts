import test from 'brittle'
import { execFileSync } from 'child_process'
import fs from 'fs'
import os from 'os'
import path from 'path'
import crypto from 'hypercore-crypto'
import z32 from 'z32'

// The release tools that run without Electron: the multisig key script and the forge config.
const ROOT = path.join(__dirname, '..', '..', '..')
const SCRIPT = path.join(ROOT, 'scripts', 'multisig-keys.js')

function run(args: string[]): { ok: boolean; out: string } {
  try {
    return { ok: true, out: execFileSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) }
  } catch (err) {
    return { ok: false, out: String((err as { stderr?: string }).stderr) }
  }
}

test('multisig-keys: a key pair per signer, secret 0600 outside the repo, public key into pear.json', (t) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'peerline-keys-'))
  t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }))
  const out = path.join(tmp, 'secrets')
  const pearJson = path.join(tmp, 'pear.json')
  fs.writeFileSync(pearJson, JSON.stringify({ multisig: { publicKeys: [], namespace: 'peerline/peerline', quorum: 1 } }))

  const r = run(['--name', 'alice', '--count', '2', '--out', out, '--pear-json', pearJson, '--quorum', '2'])
  t.ok(r.ok, r.out)
  t.is(fs.statSync(out).mode & 0o777, 0o700, 'folder is private')
  const config = JSON.parse(fs.readFileSync(pearJson, 'utf8')) as { multisig: { publicKeys: string[]; quorum: number } }
  t.is(config.multisig.publicKeys.length, 2)
  t.is(config.multisig.quorum, 2)
  for (const i of [1, 2]) {
    const secretFile = path.join(out, `alice-${i}.secret`)
    t.is(fs.statSync(secretFile).mode & 0o777, 0o600, 'secret is readable by its owner only')
    const secretKey = Buffer.from(fs.readFileSync(secretFile, 'utf8').trim(), 'hex')
    const publicKey = z32.decode(config.multisig.publicKeys[i - 1]!)
    const message = Buffer.from('release 0.2.0')
    t.ok(crypto.verify(message, crypto.sign(message, secretKey), publicKey), 'the listed public key verifies what the secret signs')
    t.ok(r.out.includes(config.multisig.publicKeys[i - 1]!), 'public key printed')
  }
  t.absent(run(['--name', 'alice', '--count', '2', '--out', out]).ok, 'an existing key is never overwritten')
})

test('multisig-keys refuses to write secrets inside the repository', (t) => {
  const r = run(['--out', path.join(ROOT, 'secrets-here')])
  t.absent(r.ok)
  t.ok(r.out.includes('refusing'), r.out)
  t.absent(fs.existsSync(path.join(ROOT, 'secrets-here')))
})

test('forge config: the four makers, the peerline:// scheme, and only built code packaged', (t) => {
  const config = require(path.join(ROOT, 'forge.config.js')) as {
    packagerConfig: { name: string; icon: string; protocols: { schemes: string[] }[]; ignore: (file: string) => boolean }
    makers: { name: string }[]
  }
  t.alike(config.makers.map((m) => m.name).sort(), ['@electron-forge/maker-deb', '@electron-forge/maker-rpm', '@electron-forge/maker-zip', '@reforged/maker-appimage'])
  t.is(config.packagerConfig.name, 'Peerline', 'the name the updater looks for (Peerline.AppImage / .app)')
  t.alike(config.packagerConfig.protocols[0]!.schemes, ['peerline'])
  t.ok(fs.existsSync(config.packagerConfig.icon + '.png'), 'icon rendered from app/ui/icon.svg')
  const ignore = config.packagerConfig.ignore
  t.absent(ignore('/dist/app/electron/main.js'))
  t.absent(ignore('/node_modules/pear-runtime/index.js'))
  t.ok(ignore('/lib/errors.ts'), 'sources stay out')
  t.ok(ignore('/dist/test/core/errors.test.js'), 'tests stay out')
})
