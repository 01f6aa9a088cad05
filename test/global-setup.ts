import { spawnSync } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'

/**
 * The CLI tests run the built `bin/finqa.js`, which loads `dist/` (the bundle): build it once per run from
 * the current sources (scripts/build.mjs, which also writes the stamp bin/finqa.js checks), so they never
 * test a stale build and parallel CLI tests never rebuild it.
 */
export function setup(): void {
  seedRootExisted = existsSync(SEED_ROOT)
  const root = join(import.meta.dirname, '..')
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`building dist/ failed:\n${r.stdout}${r.stderr}`)
}

/**
 * The seed's checkpoint root. The launch-script tests run the scripts with their defaults, and each start
 * writes its run record into CHECKPOINT_ROOT/EXP_NAME; several test files do so at once, so the folder
 * goes at the end of the suite, when the suite made it (test/helpers/run-script.ts removes what a run
 * makes under any other root).
 */
export const SEED_ROOT = '/checkpoints'
let seedRootExisted = true

export function teardown(): void {
  if (!seedRootExisted) rmSync(SEED_ROOT, { recursive: true, force: true })
}
