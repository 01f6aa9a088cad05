#!/usr/bin/env node
// The installed package ships the built JavaScript in dist/: the CLI bundled into dist/bundle/finqa.cjs
// with V8's code cache beside it (see scripts/bundle.mjs and load-bundle.js). In a source checkout (src/ present), dist/ is
// built here on first use and rebuilt whenever a source file is newer than the last build, so that
// `npm ci && npx finqa compile experiments/` works and never runs stale code.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadCli } from './load-bundle.js'

const root = fileURLToPath(new URL('..', import.meta.url))
if (existsSync(join(root, 'src', 'cli', 'main.ts'))) buildIfStale(root)

const bundle = join(root, 'dist', 'bundle', 'finqa.cjs')
if (!existsSync(bundle)) {
  process.stderr.write('finqa: dist/ is missing; in a source checkout, run `npm run build` first\n')
  process.exit(70)
}
const { cli } = loadCli(bundle)

process.exitCode = await cli.main(process.argv.slice(2), {
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
})

function buildIfStale(dir) {
  const stamp = join(dir, 'dist', '.build-stamp')
  const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0
  const sources = readdirSync(join(dir, 'src'), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name))
  const newest = Math.max(
    ...[...sources, join(dir, 'tsconfig.json'), join(dir, 'tsconfig.build.json')].map(
      (f) => statSync(f).mtimeMs,
    ),
  )
  if (newest <= built) return
  const r = spawnSync(process.execPath, [join(dir, 'scripts', 'build.mjs')], { cwd: dir, encoding: 'utf8' })
  if (r.status !== 0) {
    process.stderr.write(`finqa: building dist/ from src/ failed:\n${r.stdout}${r.stderr}`)
    process.exit(70)
  }
}
