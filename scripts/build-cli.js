#!/usr/bin/env node
// Bundles the compiled command line (dist/app/cli/main.js and everything it requires) into one
// file, dist/app/cli/peerline.js, which bin/peerline.js runs: Node then resolves and reads one
// file instead of about a thousand, and an agent starts in about 60% of the time (README,
// Figures). Packages with native addons stay outside (they find their prebuilds from their own
// folder). The bundle sits beside main.js, so paths built from __dirname stay the same.
const esbuild = require('esbuild')
const fs = require('fs')
const path = require('path')

const root = path.join(__dirname, '..')
const cli = path.join(root, 'dist', 'app', 'cli')

function packageName(spec) {
  const parts = spec.split('/')
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
}

const natives = new Map()
function isNative(name) {
  if (!natives.has(name)) {
    const dir = path.join(root, 'node_modules', name)
    natives.set(name, ['prebuilds', 'binding.gyp', 'CMakeLists.txt'].some((f) => fs.existsSync(path.join(dir, f))))
  }
  return natives.get(name)
}

const nativesOutside = {
  name: 'natives-outside',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      const name = packageName(args.path)
      if (name === 'electron' || isNative(name)) return { path: args.path, external: true }
      return undefined
    })
  }
}

esbuild
  .build({
    entryPoints: [path.join(cli, 'main.js')],
    bundle: true,
    outfile: path.join(cli, 'peerline.js'),
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'error',
    plugins: [nativesOutside]
  })
  .catch(() => process.exit(1))
