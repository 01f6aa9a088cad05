import { describe, expect, it } from 'vitest'
import { readSchema } from '../../src/cli/package-files.js'
import { diffExperiments, formatDiff } from '../../src/report/diff.js'
import { findExperiment } from '../../src/report/find-experiment.js'
import { compileDir, readRepoFile } from '../helpers/compile-repo.js'
import { positionOf } from '../helpers/inline-specs.js'
import { runCli } from '../helpers/run-cli.js'

const experiments = compileDir('experiments').experiments
const get = (name: string) => {
  const found = findExperiment(experiments, name)
  if (found.kind !== 'found') throw new Error(found.message)
  return found.item
}
const at = (file: string, needle: string, after?: string) => ({
  file,
  ...positionOf(readRepoFile(file), needle, after),
})

describe('diff qwen3_4b_default qwen3_4b_rollout12', () => {
  const diff = diffExperiments(get('qwen3_4b_default'), get('qwen3_4b_rollout12'), { schema: readSchema() })

  it('lists exactly the name, the script, rollout n and the checkpoint dir', () => {
    expect(diff.differences.map((d) => d.key)).toEqual(['name', 'script', 'rollout.n', 'checkpoint dir'])
    expect(diff.hidden).toEqual(['description'])
  })

  it('gives each side its value and the layer that set it', () => {
    const [name, script, n, dir] = diff.differences
    const defaults = 'experiments/4b/default.yaml'
    const rollout = 'experiments/4b/rollout12.yaml'
    expect(name).toEqual({
      key: 'name',
      derived: false,
      a: { status: 'set', value: 'qwen3_4b_default', ...at(defaults, 'qwen3_4b_default') },
      b: { status: 'set', value: 'qwen3_4b_rollout12', ...at(rollout, 'qwen3_4b_rollout12') },
    })
    expect(script).toMatchObject({
      a: { value: 'run_4b.sh', ...at(defaults, 'run_4b.sh') },
      b: { value: 'run_4b_rollout12.sh', ...at(rollout, 'run_4b_rollout12.sh') },
    })
    expect(n).toEqual({
      key: 'rollout.n',
      derived: false,
      a: { status: 'set', value: 8, ...at('experiments/base.yaml', '8', 'n:') },
      b: { status: 'set', value: 12, ...at(rollout, '12', '  n:') },
    })
    expect(dir).toEqual({
      key: 'checkpoint dir',
      derived: true,
      a: { status: 'set', value: '/checkpoints/qwen3_4b_default', ...at(defaults, 'qwen3_4b_default') },
      b: { status: 'set', value: '/checkpoints/qwen3_4b_rollout12', ...at(rollout, 'qwen3_4b_rollout12') },
    })
  })

  it('--all adds the documentation fields', () => {
    const all = diffExperiments(get('qwen3_4b_default'), get('qwen3_4b_rollout12'), {
      schema: readSchema(),
      all: true,
    })
    expect(all.differences.map((d) => d.key)).toEqual([
      'name',
      'script',
      'description',
      'rollout.n',
      'checkpoint dir',
    ])
  })

  it('4B against 8B differs in the model, its files, rollout TP size and the estimate', () => {
    const d = diffExperiments(get('run_4b.sh'), get('run_8b.sh'), { schema: readSchema() })
    expect(d.differences.map((x) => x.key)).toEqual([
      'name',
      'script',
      'model.path',
      'data.train_file',
      'data.val_file',
      'rollout.tensor_parallel_size',
      'slurm.time_limit',
      'estimate.model_params_b',
      'checkpoint dir',
    ])
    expect(d.hidden).toEqual(['description', 'model.label'])
  })

  it('an experiment does not differ from itself', () => {
    const d = diffExperiments(get('run_4b.sh'), get('qwen3_4b_default'), { schema: readSchema() })
    expect(d.differences).toEqual([])
    expect(formatDiff(d)).toContain('no differences')
  })
})

describe('finqa diff', () => {
  it('prints the differences and exits 0', async () => {
    const r = await runCli(['diff', 'qwen3_4b_default', 'run_4b_rollout12.sh'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^rollout\.n\s+qwen3_4b_default\s+8\s+experiments\/base\.yaml:\d+:\d+$/m)
    expect(r.stdout).toMatch(/^\s+qwen3_4b_rollout12\s+12\s+experiments\/4b\/rollout12\.yaml:9:6$/m)
    expect(r.stdout).toContain('4 differences; documentation also differs (description): --all shows it')
  })

  it('exits 0 when they do not differ, 1 for an unknown experiment, 2 without two names', async () => {
    expect((await runCli(['diff', 'run_4b.sh', 'run_4b.sh'])).code).toBe(0)
    const unknown = await runCli(['diff', 'run_4b.sh', 'qwen3_4b_rollout13'])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain(
      'no experiment named qwen3_4b_rollout13; did you mean qwen3_4b_rollout12?',
    )
    expect((await runCli(['diff', 'run_4b.sh'])).code).toBe(2)
  })

  it('--json gives the same as data', async () => {
    const r = await runCli(['diff', 'run_4b.sh', 'run_4b_rollout12.sh', '--json'])
    expect(r.code).toBe(0)
    const data = JSON.parse(r.stdout)
    expect(data.a).toEqual({
      name: 'qwen3_4b_default',
      script: 'run_4b.sh',
      layer: 'experiments/4b/default.yaml',
    })
    expect(data.differences.map((d: { key: string }) => d.key)).toEqual([
      'name',
      'script',
      'rollout.n',
      'checkpoint dir',
    ])
  })
})
