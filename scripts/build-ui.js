#!/usr/bin/env node
// Bundles the renderer (app/ui) into dist/ui with esbuild. The renderer may import only its own
// files, type-only imports from lib/, and the packages below: never a Holepunch module.
const esbuild = require('esbuild')
const fs = require('fs')
const path = require('path')

const root = path.join(__dirname, '..')
const src = path.join(root, 'app', 'ui')
const out = path.join(root, 'dist', 'ui')
const ALLOWED_PACKAGES = new Set(['qrcode-generator'])

const onlyAllowed = {
  name: 'renderer-imports',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0]
      if (!ALLOWED_PACKAGES.has(name)) return { errors: [{ text: `the renderer must not import "${args.path}" (only ${[...ALLOWED_PACKAGES].join(', ')})` }] }
      return undefined
    })
    build.onResolve({ filter: /^\./ }, (args) => {
      const file = path.resolve(args.resolveDir, args.path)
      if (!file.startsWith(src + path.sep)) return { errors: [{ text: `the renderer must not bundle ${path.relative(root, file)} (use import type for lib/ types)` }] }
      return undefined
    })
  }
}

fs.rmSync(out, { recursive: true, force: true })
fs.mkdirSync(out, { recursive: true })
esbuild
  .build({
    entryPoints: [path.join(src, 'main.ts')],
    bundle: true,
    outfile: path.join(out, 'app.js'),
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    sourcemap: true,
    logLevel: 'warning',
    plugins: [onlyAllowed]
  })
  .then(() => {
    for (const f of ['index.html', 'styles.css', 'icon.svg']) fs.copyFileSync(path.join(src, f), path.join(out, f))
  })
  .catch(() => process.exit(1))
