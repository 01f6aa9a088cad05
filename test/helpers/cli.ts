import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { onTestFinished } from 'vitest'
import { REPO } from './compile-repo.js'

export const BIN = join(REPO, 'bin', 'finqa.js')

/** Runs the built CLI; the environment is the test's, less colour settings, plus `env`. */
export function finqa(args: string[], cwd: string, env: Record<string, string> = {}) {
  const { NO_COLOR: _n, FORCE_COLOR: _f, ...base } = process.env
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...base, ...env } })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** A temp folder removed when the test finishes. */
export function tempDir(prefix = 'finqa-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A temp project holding a copy of the shipped experiments. */
export function project(): string {
  const dir = tempDir('finqa-cli-')
  cpSync(join(REPO, 'experiments'), join(dir, 'experiments'), { recursive: true })
  return dir
}

/** Every file below `dir` (not folders), by forward-slash path relative to it, sorted. */
export function filesBelow(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name).slice(dir.length + 1))
    .sort()
}
