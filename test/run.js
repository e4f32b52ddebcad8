#!/usr/bin/env node
// Runs every suite: the core tests on Node and on Bare, then the agent (multi-process) tests on
// Node. Prints one closing line: "tests: N passed, N failed".
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

const only = process.argv[2] // optional: core | bare | agent
const suites = [
  { name: 'core on node', key: 'core', cmd: process.execPath, args: [path.join(root, 'node_modules', 'brittle', 'cmd.js'), ...files('core')] },
  { name: 'core on bare', key: 'bare', cmd: bin('bare'), args: [path.join(root, 'node_modules', 'brittle', 'cmd.js'), ...files('core')] },
  { name: 'agents on node', key: 'agent', cmd: process.execPath, args: [path.join(root, 'node_modules', 'brittle', 'cmd.js'), '--timeout', '120000', ...files('agent')] },
  // WebRTC calls in Chromium (fake camera and microphone); skipped where Chromium is not installed.
  { name: 'calls in chromium', key: 'calls', cmd: process.execPath, args: [path.join(root, 'node_modules', 'brittle', 'cmd.js'), '--timeout', '180000', ...files('calls')], needs: process.env.CHROMIUM || '/usr/bin/chromium' }
].filter((s) => (!only || s.key === only) && (!s.needs || fs.existsSync(s.needs)))

function run(suite) {
  return new Promise((resolve) => {
    process.stdout.write(`\n=== ${suite.name} ===\n`)
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
