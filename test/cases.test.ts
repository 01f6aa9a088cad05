import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { filesBelow, tempDir } from './helpers/cli.js'
import { runCli } from './helpers/run-cli.js'

const CASES = join(import.meta.dirname, 'cases')

/** Every file below `dir` with its bytes and mode, to prove a failed compile touched nothing. */
function snapshotTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const file of filesBelow(dir)) {
    const path = join(dir, file)
    out[file] = `${(statSync(path).mode & 0o777).toString(8)} ${readFileSync(path, 'base64')}`
  }
  return out
}

/**
 * test/cases/<case>/ holds a spec tree under experiments/ and expected.txt: one `file:line:col CODE` per
 * expected diagnostic. The case is compiled by the CLI over an existing output folder.
 */
describe.each(readdirSync(CASES).sort())('case %s', (name) => {
  it('fails with exit 1, the expected codes and positions, a suggestion each, no stack trace, and an untouched output', async () => {
    const dir = tempDir(`finqa-case-${name}-`)
    if (existsSync(join(CASES, name, 'experiments')))
      cpSync(join(CASES, name, 'experiments'), join(dir, 'experiments'), { recursive: true })
    mkdirSync(join(dir, 'dist-scripts'))
    writeFileSync(join(dir, 'dist-scripts', 'run_old.sh'), '#!/usr/bin/env bash\necho old\n', { mode: 0o755 })
    writeFileSync(
      join(dir, 'dist-scripts', '.finqa-manifest.json'),
      '{"generator":"finqa","files":["run_old.sh"]}\n',
    )
    const before = snapshotTree(join(dir, 'dist-scripts'))
    const specDir = existsSync(join(CASES, name, 'spec-dir.txt')) ? 'missing' : 'experiments'

    const { code, stderr } = await runCli(['compile', specDir], dir)

    expect(code).toBe(1)
    const found = stderr
      .split('\n')
      .map((line) => line.match(/^(\S+:\d+:\d+) (?:error|warning) ([A-Z_]+) /))
      .filter((m) => m !== null)
      .map((m) => `${m[1]} ${m[2]}`)
    const expected = readFileSync(join(CASES, name, 'expected.txt'), 'utf8')
      .trim()
      .split('\n')
    expect(found).toEqual(expected)
    // Each diagnostic says what to do about it.
    expect(stderr.match(/^ {2}suggestion: /gm)?.length ?? 0).toBeGreaterThanOrEqual(found.length)
    expect(stderr).not.toMatch(/^\s+at /m)
    expect(stderr).not.toContain('internal error')
    expect(snapshotTree(join(dir, 'dist-scripts'))).toEqual(before)
  })
})
