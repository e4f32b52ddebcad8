// electron-forge packaging for the desktop app (docs/release.md, step 3).
//
// Forge, its makers and Electron are NOT dependencies: Electron's postinstall downloads a binary,
// which fails offline, and `npm install` must never fail. Install them only on a build machine:
//   npm run make:install    (npm install --no-save, see package.json)
//   npm run make            (npm run build, then electron-forge make)
//
// Out come, per platform: deb and rpm (installed system-wide; the package manager updates them),
// the AppImage (updates itself over Pear: it is what pear-build stages as Peerline.AppImage) and a
// zip (macOS: Peerline.app inside is what pear-build stages).
const fs = require('fs')
const path = require('path')
const pkg = require('./package.json')

const NAME = pkg.productName // Peerline: the updater looks for Peerline.AppImage / .app / .msix
const SCHEME = 'peerline' // app/electron/deep-link.ts
const ICON = path.join(__dirname, 'build', 'icon') // build/icon.png, rendered by scripts/make-icons.js
const ICON_PNG = ICON + '.png'
const CATEGORIES = ['Network', 'Chat', 'InstantMessaging']
const MIME = [`x-scheme-handler/${SCHEME}`]

// What the packaged app needs: the compiled code, the renderer, the package.json and
// node_modules (pear-runtime runs dist/app/worker/worker.js under Bare from the app folder,
// so no asar). Sources, tests, benches and docs stay out.
const KEEP = /^\/(dist|node_modules|package\.json)(\/|$)/
const DROP = /^\/dist\/(test|bench|demo)(\/|$)/

module.exports = {
  packagerConfig: {
    name: NAME,
    executableName: pkg.name,
    icon: ICON,
    asar: false,
    derefSymlinks: true,
    protocols: [{ name: NAME, schemes: [SCHEME] }],
    ignore: (file) => file !== '' && (!KEEP.test(file) || DROP.test(file))
  },

  makers: [
    {
      name: '@electron-forge/maker-deb',
      platforms: ['linux'],
      config: { options: { name: pkg.name, productName: NAME, icon: ICON_PNG, categories: CATEGORIES, mimeType: MIME, section: 'net' } }
    },
    {
      name: '@electron-forge/maker-rpm',
      platforms: ['linux'],
      config: { options: { name: pkg.name, productName: NAME, icon: ICON_PNG, categories: CATEGORIES, mimeType: MIME, license: pkg.license } }
    },
    {
      name: '@reforged/maker-appimage',
      platforms: ['linux'],
      config: { options: { name: pkg.name, productName: NAME, bin: pkg.name, icon: ICON_PNG, categories: CATEGORIES, genericName: 'Messenger' } }
    },
    {
      name: '@electron-forge/maker-zip',
      platforms: ['darwin', 'linux', 'win32']
    }
  ],

  hooks: {
    // The npm package's main is the CLI; the packaged app starts Electron's main process.
    packageAfterCopy: async (_config, buildPath) => {
      const file = path.join(buildPath, 'package.json')
      const copy = JSON.parse(fs.readFileSync(file, 'utf8'))
      copy.main = 'dist/app/electron/main.js'
      fs.writeFileSync(file, JSON.stringify(copy, null, 2) + '\n')
    }
  }
}
