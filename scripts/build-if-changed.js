#!/usr/bin/env node
// Builds only when a source changed since the last successful build: `npm start` then opens at
// once. The stamp is a hash of every input's path and content (mtimes lie after checkouts).
const crypto = require('crypto')
const fs = require('fs')
const path = require('path')
const { spawnSync } = require('child_process')

const root = path.join(__dirname, '..')
const INPUTS = ['lib', 'app', 'bench', 'test', 'harness', 'demo', 'types', 'scripts', 'tsconfig.json', 'package.json']
const SKIP = new Set(['node_modules', 'dist'])
const STAMP = path.join(root, 'dist', '.build-hash')

function files(rel, out) {
  const abs = path.join(root, rel)
  let stat
  try {
    stat = fs.statSync(abs)
  } catch {
    return out
  }
  if (stat.isFile()) out.push(rel)
  else if (stat.isDirectory()) {
    for (const name of fs.readdirSync(abs).sort()) if (!SKIP.has(name)) files(path.join(rel, name), out)
  }
  return out
}

function sourceHash() {
  const hash = crypto.createHash('sha256')
  for (const rel of INPUTS.flatMap((r) => files(r, []))) {
    hash.update(rel + '\0')
    hash.update(fs.readFileSync(path.join(root, rel)))
    hash.update('\0')
  }
  return hash.digest('hex')
}

const before = sourceHash()
let stamp = null
try {
  stamp = fs.readFileSync(STAMP, 'utf8')
} catch {}
if (stamp === before && fs.existsSync(path.join(root, 'dist', 'app', 'cli', 'peerline.js'))) process.exit(0)

const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' })
if (build.status !== 0) process.exit(build.status ?? 1)
// Stamped with the hash from before the build: a file edited during it builds again next time.
fs.writeFileSync(STAMP, before)
