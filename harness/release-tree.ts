import { execFileSync } from 'child_process'
import fs from 'fs'
import path from 'path'

// A past release of Peerline, built from its commit so an agent of it can run beside this one.
// The commits are in test/fixtures/releases.json ({protocol: commit}).
const ROOT = path.join(__dirname, '..', '..')

export const RELEASES = JSON.parse(fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'releases.json'), 'utf8')) as Record<string, string>

function git(args: string[]): string {
  return execFileSync('git', ['-C', ROOT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim()
}

/** Why the release of `protocol` cannot be built here (a shallow clone), or null. */
export function releaseUnavailable(protocol: string): string | null {
  const commit = RELEASES[protocol]
  if (!commit) return `no release of protocol ${protocol} in test/fixtures/releases.json`
  try {
    if (git(['cat-file', '-t', commit]) === 'commit') return null
  } catch {}
  return `commit ${commit} (protocol ${protocol}) is not in this checkout (a shallow clone?)`
}

/**
 * Extracts the release of `protocol` into `dir` (git archive: nothing is registered in the
 * repository), builds it with tsc against this checkout's node_modules, and returns the path of
 * its agent's entry point.
 */
export function buildRelease(protocol: string, dir: string): string {
  const tree = path.join(dir, 'release-' + protocol)
  fs.mkdirSync(tree, { recursive: true })
  execFileSync('sh', ['-c', `git -C "${ROOT}" archive ${RELEASES[protocol]} | tar -x -C "${tree}"`])
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(tree, 'node_modules'))
  // Only what the agent runs, and no type check (that release was checked when it was made):
  // seconds instead of a minute on a busy machine.
  const config = path.join(tree, 'tsconfig.release.json')
  fs.writeFileSync(config, JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noCheck: true }, include: ['lib/**/*.ts', 'app/**/*.ts', 'types/**/*.d.ts'] }))
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', config], { stdio: 'ignore' })
  return path.join(tree, 'dist', 'app', 'cli', 'main.js')
}
