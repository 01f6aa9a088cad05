import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = join(import.meta.dirname, '..')

// Runs the script only, small: its figures are the bench's, not a test's.
describe('npm run bench:floor', () => {
  it('splits a compile into the libraries and finqa code, and times cp -r of its output', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bench', 'floor.mjs')], {
      encoding: 'utf8',
      env: { ...process.env, FINQA_FLOOR_SIZE: '200', FINQA_FLOOR_RUNS: '1' },
    })
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(
      /^whole compile in memory \(200 experiments, 605 files, \d+ MiB\) +\d+\.\d\d s$/m,
    )
    for (const row of ['yaml: parse', 'ajv:', 'Handlebars:', "finqa's own code", 'cp -r of the output'])
      expect(r.stdout).toContain(row)
  }, 60_000)
})
