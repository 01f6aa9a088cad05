import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

/**
 * The CLI tests run the built `bin/finqa.js`, which loads `dist/` (the bundle): build it once per run from
 * the current sources (scripts/build.mjs, which also writes the stamp bin/finqa.js checks), so they never
 * test a stale build and parallel CLI tests never rebuild it.
 */
export function setup(): void {
  const root = join(import.meta.dirname, '..')
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`building dist/ failed:\n${r.stdout}${r.stderr}`)
}
