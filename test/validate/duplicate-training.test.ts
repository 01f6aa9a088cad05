import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readSchema } from '../../src/cli/package-files.js'
import { schemaFieldAt } from '../../src/report/fields.js'
import { NOT_TRAINING_FIELDS } from '../../src/validate/duplicate-training.js'
import { filesBelow, finqa } from '../helpers/cli.js'
import { compileTexts, REPO, readRepoFile } from '../helpers/compile-repo.js'
import { writeProject } from '../helpers/inline-specs.js'

/** The shipped experiments, as texts keyed by path. */
function shipped(): Record<string, string> {
  const out: Record<string, string> = {}
  for (const e of readdirSync(join(REPO, 'experiments'), { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue
    const path = join(e.parentPath, e.name).slice(REPO.length + 1)
    out[path] = readRepoFile(path)
  }
  return out
}

const LR_SWEEP = `matrix:
  training.lr: [1e-6, 5.0e-6]
extends: ../qwen3-4b.yaml
name: qwen3_4b_lr{training.lr}
script: run_4b_lr{training.lr}.sh
`

const leaf = (name: string, rest: string) =>
  `extends: ../qwen3-4b.yaml\nname: ${name}\nscript: run_${name}.sh\n${rest}`

/** `severity code file:line:col message` of each diagnostic. */
const found = (r: ReturnType<typeof compileTexts>) =>
  r.diagnostics.map((d) => `${d.severity} ${d.code} ${d.file}:${d.line}:${d.col}`)

describe('two experiments that train the same thing', () => {
  it('a sweep point equal to qwen3_4b_default is a warning at the sweep naming both, with the GPU-hours', () => {
    const r = compileTexts({ ...shipped(), 'experiments/4b/lr.yaml': LR_SWEEP })
    expect(found(r)).toEqual(['warning DUPLICATE_TRAINING experiments/4b/lr.yaml:4:7'])
    const [d] = r.diagnostics
    expect(d?.message).toBe(
      'qwen3_4b_lr1e-6 and qwen3_4b_default train with the same settings (they differ only in names, paths, scheduling or docs): the same run twice (about 478 GPU-hours)',
    )
    expect(d?.related).toMatchObject([
      { file: 'experiments/4b/default.yaml', line: 4, col: 7, message: 'qwen3_4b_default is named here' },
    ])
    expect(d?.suggestion).toBe('remove one of them, or change a training setting of qwen3_4b_lr1e-6')
    // A warning: everything is still written.
    expect(r.files.map((f) => f.path)).toContain('run_4b_lr1e-6.sh')
  })

  it('names, docs, paths, logging, scheduling, upload and estimates do not make a run different', () => {
    const twin = leaf(
      'qwen3_4b_twin',
      [
        'description: another name for the same run',
        'project: other_project',
        'model:',
        '  label: Qwen3 4B again',
        'data:',
        '  train_rows: 19999',
        'reward:',
        '  plain_file: other_plain.py # not the file in use: use_uncertainty is true',
        'training:',
        '  ppo_mini_batch_size: 64 # the batch size, as when left out',
        'trainer:',
        '  checkpoint_root: /elsewhere',
        '  logger: [console]',
        'upload:',
        '  namespace: someone-else',
        'slurm:',
        '  time_limit: 1-00:00:00',
        'estimate:',
        '  seconds_per_step: 50',
        'verl:',
        '  version: 0.9.0 # the default',
        '',
      ].join('\n'),
    )
    const r = compileTexts({ ...shipped(), 'experiments/4b/twin.yaml': twin })
    expect(found(r)).toEqual(['warning DUPLICATE_TRAINING experiments/4b/twin.yaml:2:7'])
    expect(r.diagnostics[0]?.message).toMatch(
      /^qwen3_4b_twin and qwen3_4b_default train with the same settings/,
    )
    // Its own seconds per step: 3,120 steps × 50 s × 8 GPUs.
    expect(r.diagnostics[0]?.message).toContain('(about 347 GPU-hours)')
  })

  it.each([
    ['a training field', 'training:\n  lr: 2.0e-6\n'],
    ['the reward file in use', 'reward:\n  uncertain_file: other.py\n'],
    ['a VERL override', 'verl_overrides:\n  data.seed: 7\n'],
    ['the VERL release', 'verl:\n  version: 0.8.0\n'],
    ['the GPUs', 'trainer:\n  gpus_per_node: 4\n'],
  ])('%s makes a different run: no warning', (_what, rest) => {
    const r = compileTexts({ ...shipped(), 'experiments/4b/other.yaml': leaf('qwen3_4b_other', rest) })
    expect(r.diagnostics.filter((d) => d.code === 'DUPLICATE_TRAINING')).toEqual([])
    expect(r.experiments).toHaveLength(9)
  })

  it('a compile with errors does not add it: two experiments that clash are reported once', () => {
    const clash = leaf('qwen3_4b_default', '')
    const r = compileTexts({ ...shipped(), 'experiments/4b/again.yaml': clash })
    expect(r.diagnostics.map((d) => `${d.severity} ${d.code}`)).toEqual(['error DUPLICATE_OUTPUT'])
  })

  it('the shipped study has no two runs alike', () => {
    expect(compileTexts(shipped()).diagnostics).toEqual([])
  })

  it('every field the check leaves out is a field of the schema', () => {
    const schema = readSchema()
    for (const pointer of NOT_TRAINING_FIELDS.keys())
      expect(schemaFieldAt(schema, pointer)?.description, pointer).toBeTypeOf('string')
  })

  it('finqa compile prints the warning, exits 0 and writes the scripts', () => {
    const dir = writeProject({ ...shipped(), 'experiments/4b/lr.yaml': LR_SWEEP })
    const r = finqa(['compile', 'experiments'], dir)
    expect(r.code).toBe(0)
    expect(r.stderr).toContain(
      'experiments/4b/lr.yaml:4:7 warning DUPLICATE_TRAINING qwen3_4b_lr1e-6 and qwen3_4b_default train with the same settings',
    )
    expect(filesBelow(join(dir, 'dist-scripts'))).toContain('run_4b_lr1e-6.sh')
  })
})
