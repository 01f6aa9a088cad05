import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'

/**
 * The CLI tests run the built `bin/finqa.js`, which loads `dist/` (the bundle): build it once per run from the current
 * sources, so they never test a stale build.
 */
export function setup(): void {
  const root = join(import.meta.dirname, '..')
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
  for (const args of [[tsc, '-p', 'tsconfig.build.json'], [join(root, 'scripts', 'bundle.mjs')]]) {
    const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`building dist/ failed:\n${r.stdout}${r.stderr}`)
  }
  // The stamp bin/finqa.js compares with src/: without it, parallel CLI tests would each rebuild dist/.
  writeFileSync(join(root, 'dist', '.build-stamp'), '')
}
