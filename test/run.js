#!/usr/bin/env node
// Runs every suite: the core tests on Node and on Bare, then the agent (multi-process) tests on
// Node, then the LAN tests (agents in network namespaces; they need root and skip, saying so,
// without it). Prints one closing line: "tests: N passed, N failed".
const { spawn } = require('child_process')
const fs = require('fs')
const path = require('path')

const root = path.join(__dirname, '..')
const dist = path.join(root, 'dist', 'test')
const bin = (name) => path.join(root, 'node_modules', '.bin', name)
const files = (dir) =>
  fs.existsSync(path.join(dist, dir))
    ? fs.readdirSync(path.join(dist, dir)).filter((f) => f.endsWith('.test.js')).sort().map((f) => path.join('dist', 'test', dir, f))
    : []

const only = process.argv[2] // optional: core | bare | agent | lan | e2e | calls | nat
const suites = [
  { name: 'core on node', key: 'core', cmd: process.execPath, args: [path.join(root, 'node_modules', 'brittle', 'cmd.js'), ...files('core')] },
  { name: 'core on bare', key: 'bare', cmd: bin('bare'), args: [path.join(root, 'node_modules', 'brittle', 'cmd.js'), ...files('core')] },
  { name: 'agents on node', key: 'agent', cmd: process.execPath, args: [path.join(root, 'node_modules', 'brittle', 'cmd.js'), '--timeout', '120000', ...files('agent')] },
  { name: 'lan (network namespaces)', key: 'lan', cmd: process.execPath, args: [path.join(root, 'node_modules', 'brittle', 'cmd.js'), '--timeout', '300000', ...files('lan')] },
  { name: 'app in chromium', key: 'e2e', cmd: process.execPath, args: [path.join(root, 'node_modules', 'brittle', 'cmd.js'), '--timeout', '300000', ...files('e2e')] },
  // WebRTC calls in Chromium (fake camera and microphone).
  { name: 'calls in chromium', key: 'calls', cmd: process.execPath, args: [path.join(root, 'node_modules', 'brittle', 'cmd.js'), '--timeout', '180000', ...files('calls')] },
  // The internet in a box: NAT routers in network namespaces (root and iptables, else skipped).
  { name: 'nat (routers in network namespaces)', key: 'nat', cmd: process.execPath, args: [path.join(root, 'node_modules', 'brittle', 'cmd.js'), '--timeout', '180000', ...files('nat')] }
].filter((s) => !only || s.key === only)

function run(suite) {
  return new Promise((resolve) => {
    process.stdout.write(`\n=== ${suite.name} ===\n`)
    if ((suite.key === 'e2e' || suite.key === 'calls') && !fs.existsSync(process.env.PEERLINE_CHROMIUM || '/usr/bin/chromium')) {
      // .ci/run installs Chromium; elsewhere say plainly what did not run.
      process.stdout.write('SKIPPED: no Chromium at /usr/bin/chromium (apt-get install chromium)\n')
      return resolve({ suite: suite.name, code: 0, passed: 0, failed: 0 })
    }
    const child = spawn(suite.cmd, suite.args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
      process.stdout.write(d)
    })
    child.on('close', (code) => {
      const m = /# tests = (\d+)\/(\d+) pass/.exec(out)
      const passed = m ? Number(m[1]) : 0
      const total = m ? Number(m[2]) : 0
      resolve({ suite: suite.name, code, passed, failed: total - passed || (code === 0 ? 0 : 1) })
    })
  })
}

;(async () => {
  let passed = 0
  let failed = 0
  for (const suite of suites) {
    const r = await run(suite)
    passed += r.passed
    failed += r.failed
    process.stdout.write(`--- ${r.suite}: ${r.passed} passed, ${r.failed} failed (exit ${r.code})\n`)
  }
  process.stdout.write(`\ntests: ${passed} passed, ${failed} failed\n`)
  process.exit(failed === 0 && passed > 0 ? 0 : 1)
})()
