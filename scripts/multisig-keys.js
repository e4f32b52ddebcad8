#!/usr/bin/env node
// Makes signing key pairs for the release multisig (pear.json `multisig.publicKeys`; see
// docs/release.md). Each signer runs it on their own machine: the public key is printed (z32, the
// form pear.json holds) and the secret key is written, readable by you only (0600, in a 0700
// folder), OUTSIDE this repository, so it can never be committed.
//
//   node scripts/multisig-keys.js [--name NAME] [--count N] [--out DIR] [--pear-json FILE] [--quorum Q]
//
//   --out DIR        where secrets go (default ~/.peerline-release); refused inside the repository
//   --pear-json FILE also adds the new public keys to FILE's multisig.publicKeys (and sets quorum)
const fs = require('fs')
const os = require('os')
const path = require('path')
const crypto = require('hypercore-crypto')
const z32 = require('z32')

const REPO = path.resolve(__dirname, '..')

function parse (argv) {
  const opts = { name: 'signer', count: 1, out: path.join(os.homedir(), '.peerline-release'), pearJson: null, quorum: null }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    const value = argv[++i]
    if (value === undefined) throw new Error(`${flag} needs a value`)
    if (flag === '--name') opts.name = value
    else if (flag === '--count') opts.count = Number(value)
    else if (flag === '--out') opts.out = path.resolve(value)
    else if (flag === '--pear-json') opts.pearJson = path.resolve(value)
    else if (flag === '--quorum') opts.quorum = Number(value)
    else throw new Error(`unknown option ${flag}`)
  }
  if (!/^[\w.-]+$/.test(opts.name)) throw new Error('--name may hold letters, digits, dot, dash and underscore')
  if (!Number.isInteger(opts.count) || opts.count < 1 || opts.count > 16) throw new Error('--count is 1..16')
  if (opts.quorum !== null && (!Number.isInteger(opts.quorum) || opts.quorum < 1)) throw new Error('--quorum is a positive integer')
  return opts
}

/** True when `dir` is the repository or inside it (following symlinks of what exists). */
function insideRepo (dir) {
  let real = dir
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(d)) {
      real = path.join(fs.realpathSync(d), path.relative(d, dir))
      break
    }
    if (path.dirname(d) === d) break
  }
  const rel = path.relative(fs.realpathSync(REPO), real)
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))
}

function main () {
  const opts = parse(process.argv.slice(2))
  if (insideRepo(opts.out)) throw new Error(`refusing to write secret keys inside the repository (${opts.out}): use --out with a folder elsewhere`)
  fs.mkdirSync(opts.out, { recursive: true, mode: 0o700 })
  fs.chmodSync(opts.out, 0o700)

  const publicKeys = []
  for (let i = 0; i < opts.count; i++) {
    const { publicKey, secretKey } = crypto.keyPair()
    const id = z32.encode(publicKey)
    const base = path.join(opts.out, opts.count === 1 ? opts.name : `${opts.name}-${i + 1}`)
    // 'wx': never overwrite a key someone may already sign with.
    fs.writeFileSync(base + '.secret', secretKey.toString('hex') + '\n', { mode: 0o600, flag: 'wx' })
    fs.writeFileSync(base + '.public', id + '\n', { mode: 0o644, flag: 'wx' })
    publicKeys.push(id)
    console.log(`${id}  (secret: ${base}.secret)`)
  }

  if (opts.pearJson) {
    const config = JSON.parse(fs.readFileSync(opts.pearJson, 'utf8'))
    const multisig = config.multisig || (config.multisig = { publicKeys: [], namespace: 'peerline/peerline', quorum: 1 })
    multisig.publicKeys = [...new Set([...(multisig.publicKeys || []), ...publicKeys])]
    if (opts.quorum !== null) multisig.quorum = opts.quorum
    if (multisig.quorum > multisig.publicKeys.length) console.error(`note: quorum ${multisig.quorum} is more than the ${multisig.publicKeys.length} keys listed so far`)
    fs.writeFileSync(opts.pearJson, JSON.stringify(config, null, 2) + '\n')
    console.log(`added to ${opts.pearJson}: ${multisig.publicKeys.length} keys, quorum ${multisig.quorum}`)
  } else {
    console.log('\nAdd the public key(s) to pear.json "multisig.publicKeys" (or run again with --pear-json pear.json).')
  }
}

try {
  main()
} catch (err) {
  console.error('multisig-keys:', err.message)
  process.exit(1)
}
