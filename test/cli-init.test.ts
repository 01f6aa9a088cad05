import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readScaffold } from '../src/cli/package-files.js'
import { compareStrings } from '../src/diagnostics/diagnostic.js'
import { filesBelow, finqa, tempDir } from './helpers/cli.js'
import { compileDir } from './helpers/compile-repo.js'

const SPECS = [
  'experiments/4b/default.yaml',
  'experiments/4b/no-uncertain.yaml',
  'experiments/4b/rollout12.yaml',
  'experiments/4b/rollout4.yaml',
  'experiments/8b/default.yaml',
  'experiments/8b/no-uncertain.yaml',
  'experiments/8b/rollout12.yaml',
  'experiments/8b/rollout4.yaml',
  'experiments/base.yaml',
  'experiments/cluster.yaml',
  'experiments/qwen3-4b.yaml',
  'experiments/qwen3-8b.yaml',
]

/** The seed study's eight experiments: name and script. */
const STUDY: readonly (readonly [string, string])[] = [
  ['qwen3_4b_default', 'run_4b.sh'],
  ['qwen3_4b_no_uncertain', 'run_4b_no_uncertain.sh'],
  ['qwen3_4b_rollout12', 'run_4b_rollout12.sh'],
  ['qwen3_4b_rollout4', 'run_4b_rollout4.sh'],
  ['qwen3_8b_default', 'run_8b.sh'],
  ['qwen3_8b_no_uncertain', 'run_8b_no_uncertain.sh'],
  ['qwen3_8b_rollout12', 'run_8b_rollout12.sh'],
  ['qwen3_8b_rollout4', 'run_8b_rollout4.sh'],
]

describe('finqa init', () => {
  it('scaffolds the seed study, a README and a CI workflow that compile at once', () => {
    const dir = tempDir()
    const r = finqa(['init', 'proj'], dir)
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const root = join(dir, 'proj')
    expect(filesBelow(root)).toEqual(
      ['.github/workflows/finqa.yml', 'experiments/README.md', ...SPECS].sort(compareStrings),
    )
    expect(r.stdout).toContain('created proj/experiments/base.yaml')
    expect(r.stdout).toContain('npx finqa compile experiments')

    const compiled = finqa(['compile', 'experiments'], root)
    expect(compiled.stderr).toBe('')
    expect(compiled.code).toBe(0)
    expect(compiled.stdout).toMatch(/finqa: 8 experiments, \d+ written/)
    for (const [name, script] of STUDY) {
      const path = join(root, 'dist-scripts', script)
      expect(statSync(path).mode & 0o777).toBe(0o755)
      expect(spawnSync('bash', ['-n', path]).status).toBe(0)
      expect(
        readFileSync(join(root, 'dist-scripts', 'slurm', `${script.replace(/\.sh$/, '')}.sbatch`), 'utf8'),
      ).toContain(`--job-name=${name}`)
    }
    expect(filesBelow(join(root, 'dist-scripts'))).toEqual(
      expect.arrayContaining(['upload_to_hf.sh', 'slurm/submit_all.sh']),
    )
    // What the CI step runs.
    const workflow = readFileSync(join(root, '.github/workflows/finqa.yml'), 'utf8')
    expect(workflow).toContain('run: npx --no-install finqa compile experiments --check')
    expect(finqa(['compile', 'experiments', '--check'], root).code).toBe(0)
  })

  it("compiles to the repository's study: the same eight experiments, equal but for the paths marked to edit", () => {
    const dir = tempDir()
    expect(finqa(['init'], dir).code).toBe(0)
    const scaffold = compileDir('experiments', dir)
    expect(scaffold.diagnostics).toEqual([])
    const study = compileDir('experiments')
    expect(scaffold.experiments.map(({ experiment: e }) => [e.name, e.script])).toEqual(STUDY)
    for (const { experiment } of scaffold.experiments) {
      const reference = study.experiments.find((x) => x.experiment.name === experiment.name)?.experiment
      // The seed's own folders and Hub namespace are placeholders here, each on a line marked EDIT.
      expect([experiment.data.dir, experiment.reward.dir, experiment.upload?.namespace]).toEqual([
        '/path/to/data',
        '/path/to/rewards',
        'my-hf-user',
      ])
      const placeholders = {
        data: { ...experiment.data, dir: reference?.data.dir },
        reward: { ...experiment.reward, dir: reference?.reward.dir },
        upload: { ...experiment.upload, namespace: reference?.upload?.namespace },
      }
      expect({ ...experiment, ...placeholders }, experiment.name).toEqual(reference)
    }
    const edits = SPECS.flatMap((spec) =>
      readFileSync(join(dir, spec), 'utf8')
        .split('\n')
        .filter((line) => line.includes('# EDIT:'))
        .map((line) => `${spec}: ${line.trim().split(' #')[0]}`),
    )
    expect(edits).toEqual([
      'experiments/base.yaml: dir: /path/to/data',
      'experiments/base.yaml: dir: /path/to/rewards',
      'experiments/base.yaml: checkpoint_root: /checkpoints',
      'experiments/base.yaml: namespace: my-hf-user',
      "experiments/cluster.yaml: # EDIT: the partition, account or QoS your cluster wants (left out: the cluster's defaults), e.g.",
      'experiments/qwen3-4b.yaml: path: catherpker/stockr1-qwen3-4b',
      'experiments/qwen3-4b.yaml: train_file: train_4b_model_forecast_20000.parquet',
      'experiments/qwen3-8b.yaml: path: catherpker/stockr1-qwen3-8b',
      'experiments/qwen3-8b.yaml: train_file: train_8b_model_forecast_20000.parquet',
    ])
  })

  it('every experiment and script the help examples name is in the tree init writes', () => {
    const dir = tempDir()
    expect(finqa(['init'], dir).code).toBe(0)
    const made = new Set(
      compileDir('experiments', dir).experiments.flatMap(({ experiment: e }) => [e.name, e.script]),
    )
    const help = finqa(['--help'], dir).stdout
    const named = [...new Set(help.match(/\b(?:qwen3_\w+|run_\w+\.sh)\b/g) ?? [])]
    expect(named.length).toBeGreaterThan(0)
    expect(named.filter((n) => !made.has(n))).toEqual([])
  })

  it('points every spec at the schema of the installed package', () => {
    const dir = tempDir()
    finqa(['init'], dir)
    for (const spec of SPECS) {
      const first = readFileSync(join(dir, spec), 'utf8').split('\n')[0] ?? ''
      const match = /^# yaml-language-server: \$schema=(\S+)$/.exec(first)
      expect(match, spec).not.toBeNull()
      expect(resolve(dirname(join(dir, spec)), match?.[1] ?? '')).toBe(
        join(dir, 'node_modules', 'finqa', 'schema', 'layer.schema.json'),
      )
    }
  })

  it('refuses to overwrite: exit 1, names the files, writes nothing', () => {
    const dir = tempDir()
    mkdirSync(join(dir, 'experiments'))
    writeFileSync(join(dir, 'experiments', 'base.yaml'), 'mine: true\n')
    const r = finqa(['init'], dir)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('experiments/base.yaml')
    expect(r.stderr).toContain('nothing written')
    expect(r.stdout).toBe('')
    expect(filesBelow(dir)).toEqual(['experiments/base.yaml'])
    expect(readFileSync(join(dir, 'experiments', 'base.yaml'), 'utf8')).toBe('mine: true\n')

    const again = tempDir()
    expect(finqa(['init'], again).code).toBe(0)
    const before = readFileSync(join(again, 'experiments', 'base.yaml'), 'utf8')
    const second = finqa(['init'], again)
    expect(second.code).toBe(1)
    expect(second.stderr.match(/^ {2}\S+$/gm)).toHaveLength(readScaffold().size)
    expect(readFileSync(join(again, 'experiments', 'base.yaml'), 'utf8')).toBe(before)
  })

  it('a file where a folder should be is a conflict too, not a crash', () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'experiments'), '')
    const r = finqa(['init'], dir)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('experiments/base.yaml')
    expect(existsSync(join(dir, '.github'))).toBe(false)
  })

  it('usage errors exit 2', () => {
    const dir = tempDir()
    expect(finqa(['init', 'a', 'b'], dir).code).toBe(2)
    const r = finqa(['init', '--check'], dir)
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--check is not an option of init')
    expect(filesBelow(dir)).toEqual([])
  })
})
