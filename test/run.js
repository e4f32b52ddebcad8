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

const only = process.argv[2] // optional: core | bare | agent | adversary | lan | nat | e2e | calls
const suites = [
  { name: 'core on node', key: 'core', cmd: process.execPath, args: [path.join(root, 'node_modules', 'brittle', 'cmd.js'), ...files('core')] },
  { name: 'core on bare', key: 'bare', cmd: bin('bare'), args: [path.join(root, 'node_modules', 'brittle', 'cmd.js'), ...files('core')] },
  { name: 'agents on node', key: 'agent', cmd: process.execPath, args: [path.join(root, 'node_modules', 'brittle', 'cmd.js'), '--timeout', '120000', ...files('agent')] },
  // A malicious member against honest ones, in process: forged records, floods, hostile payloads.
  { name: 'adversary on node', key: 'adversary', cmd: process.execPath, args: [path.join(root, 'node_modules', 'brittle', 'cmd.js'), '--timeout', '120000', ...files('adversary')] },
  { name: 'lan (network namespaces)', key: 'lan', cmd: process.execPath, args: [path.join(root, 'node_modules', 'brittle', 'cmd.js'), '--timeout', '300000', ...files('lan')] },
  { name: 'app in chromium', key: 'e2e', cmd: process.execPath, args: [path.join(root, 'node_modules', 'brittle', 'cmd.js'), '--timeout', '300000', ...files('e2e')] },
  // WebRTC calls in Chromium (fake camera and microphone).
  { name: 'calls in chromium', key: 'calls', cmd: process.execPath, args: [path.join(root, 'node_modules', 'brittle', 'cmd.js'), '--timeout', '180000', ...files('calls')] },
  // The internet in a box: NAT routers in network namespaces (root and iptables, else skipped).
  { name: 'nat (routers in network namespaces)', key: 'nat', cmd: process.execPath, args: [path.join(root, 'node_modules', 'brittle', 'cmd.js'), '--timeout', '180000', ...files('nat')] }
].filter((s) => !only || s.key === only)

// Wall-clock bound per suite (a hang detector, not a speed check): about three times what each
// takes on 2 cores under load. The agent suite (63 tests) took 8.0-8.5 min with three CI clones side by side.
const LIMIT_MINUTES = { core: 8, bare: 8, agent: 16, adversary: 6, lan: 12, e2e: 15, calls: 8, nat: 8 }

function run(suite) {
  return new Promise((resolve) => {
    process.stdout.write(`\n=== ${suite.name} ===\n`)
    if ((suite.key === 'e2e' || suite.key === 'calls') && !fs.existsSync(process.env.PEERLINE_CHROMIUM || '/usr/bin/chromium')) {
      // .ci/run installs Chromium; elsewhere say plainly what did not run.
      process.stdout.write('SKIPPED: no Chromium at /usr/bin/chromium (apt-get install chromium)\n')
      return resolve({ suite: suite.name, code: 0, passed: 0, failed: 0 })
    }
    // Its own process group, so a suite that hangs past its bound goes with everything it started.
    const child = spawn(suite.cmd, suite.args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], detached: true })
    const limit = (LIMIT_MINUTES[suite.key] || 10) * 60_000
    let overdue = false
    const kill = (signal) => {
      try {
        process.kill(-child.pid, signal)
      } catch {}
    }
    // Brittle's per-test timeout does not end every hang (under Bare a stuck close never ended).
    const timer = setTimeout(() => {
      overdue = true
      process.stdout.write(`\nFAILED: ${suite.name} still running after ${limit / 60_000} min; stopping it\n`)
      kill('SIGTERM')
      setTimeout(() => kill('SIGKILL'), 10_000).unref()
    }, limit)
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
      process.stdout.write(d)
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      if (overdue) return resolve({ suite: suite.name, code, passed: 0, failed: 1 })
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
