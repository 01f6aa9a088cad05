#!/usr/bin/env node
// The one build recipe: TypeScript into dist/; VERL's derived key data beside it (src/verl/release-data.ts
// reads it at run time), with each release's lib/verl-<version>.sh rendered once (prerender-verl-libs.mjs);
// the CLI bundle with its code cache (scripts/bundle.mjs); then dist/.build-stamp, which bin/finqa.js
// compares with src/ to rebuild a stale checkout.
// Used by `npm run build`, bin/finqa.js (source checkouts) and the test suite's global setup.
import { spawnSync } from 'node:child_process'
import { cpSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
let tsc
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
} catch {
  process.stderr.write('finqa: building dist/ needs TypeScript; run `npm ci` first\n')
  process.exit(1)
}
const step = (args) => {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' })
  if (r.status !== 0) process.exit(r.status ?? 1)
}
step([tsc, '-p', 'tsconfig.build.json'])
cpSync(join(root, 'src', 'generated', 'verl'), join(root, 'dist', 'generated', 'verl'), { recursive: true })
step([join(root, 'scripts', 'prerender-verl-libs.mjs')])
step([join(root, 'scripts', 'bundle.mjs')])
writeFileSync(join(root, 'dist', '.build-stamp'), '')
