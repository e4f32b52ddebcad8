import test from 'brittle'
import fs from 'fs'
import path from 'path'

const ROOT = path.join(__dirname, '..', '..', '..')
const TYPES = path.join(ROOT, 'types')

// Hand-written typings drift silently when a dependency moves a major: each file names the major
// it describes, and that must be the one installed.
test('each file in types/ names the major of the package it describes, and that major is installed', async (t) => {
  const files = fs.readdirSync(TYPES).filter((f) => f.endsWith('.d.ts') && f !== 'electron.d.ts')
  t.ok(files.length > 10, `${files.length} typings`)
  for (const f of files) {
    const first = fs.readFileSync(path.join(TYPES, f), 'utf8').split('\n')[0]
    const m = /^\/\/ describes (\S+)@(\d+)\.x /.exec(first)
    if (m === null) {
      t.fail(`${f}: first line does not say which package and major it describes`)
      continue
    }
    const [, pkg, major] = m
    const installed = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }
    t.is(installed.version.split('.')[0], major, `${f}: ${pkg}@${major}.x, installed ${installed.version}`)
  }
})
