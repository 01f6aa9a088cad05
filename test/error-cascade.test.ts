import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { finqa, project } from './helpers/cli.js'

/** The shipped experiments with `rollout:` of the base misspelt: every experiment inherits the typo. */
function misspeltRollout(): string {
  const dir = project()
  const base = join(dir, 'experiments', 'base.yaml')
  const text = readFileSync(base, 'utf8')
  expect(text).toMatch(/^rollout:$/m)
  writeFileSync(base, text.replace(/^rollout:$/m, 'rollot:'))
  return dir
}

describe('one root cause gives one error', () => {
  it('a misspelt map in the base: one UNKNOWN_KEY, the missing keys it causes folded in as a note, one "inherited by" line', () => {
    const dir = misspeltRollout()
    const r = finqa(['compile', 'experiments'], dir)
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe(
      [
        'experiments/base.yaml:28:1 error UNKNOWN_KEY unknown key `rollot` in the spec; expected one of: extends, abstract, matrix, name, script, description, project, model, data, reward, training, rollout, trainer, upload, slurm, estimate, verl, verl_overrides',
        '  28 | rollot:',
        '     | ^^^^^^',
        '  suggestion: did you mean `rollout`?',
        '  note: this leaves 5 required keys unset in the experiments that inherit it (`rollout`, `rollout.engine`, `rollout.gpu_memory_utilization`, …); their errors are folded into this one',
        '  related: inherited by 8 experiments: qwen3_4b_default, qwen3_4b_no_uncertain, qwen3_4b_rollout12, …',
        'finqa: 1 error(s), 0 warning(s); nothing written',
        '',
      ].join('\n'),
    )
  })

  it('--json keeps every folded key and every experiment that inherits the typo', () => {
    const dir = misspeltRollout()
    const r = finqa(['compile', 'experiments', '--json'], dir)
    expect(r.code).toBe(1)
    const report = JSON.parse(r.stdout) as {
      diagnostics: { code: string; folded: string[]; related: unknown[] }[]
    }
    expect(report.diagnostics.map((d) => d.code)).toEqual(['UNKNOWN_KEY'])
    expect(report.diagnostics[0]?.folded).toEqual([
      'rollout',
      'rollout.engine',
      'rollout.gpu_memory_utilization',
      'rollout.n',
      'rollout.tensor_parallel_size',
    ])
    expect(report.diagnostics[0]?.related).toHaveLength(8)
  })

  it('a missing required key with no typo behind it is still its own error', () => {
    const dir = project()
    const base = join(dir, 'experiments', 'base.yaml')
    const text = readFileSync(base, 'utf8')
    expect(text).toMatch(/^ {2}engine: .*\n/m)
    writeFileSync(base, text.replace(/^ {2}engine: .*\n/m, ''))
    const r = finqa(['compile', 'experiments', '--json'], dir)
    expect(r.code).toBe(1)
    const report = JSON.parse(r.stdout) as {
      diagnostics: { code: string; message: string; folded: string[] }[]
    }
    expect(report.diagnostics.length).toBeGreaterThan(0)
    for (const d of report.diagnostics) {
      expect(d.code).toBe('SCHEMA')
      expect(d.message).toMatch(/missing the required key `engine`/)
      expect(d.folded).toEqual([])
    }
  })
})
