import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readParquetRows } from '../../src/load/read-parquet-rows.js'
import { formatPlan, planExperiments } from '../../src/report/plan.js'
import { compileDir, compileTexts, REPO } from '../helpers/compile-repo.js'
import { BASE, positionOf, writeProject } from '../helpers/inline-specs.js'
import { runCli } from '../helpers/run-cli.js'

const FIXTURES = join(REPO, 'test', 'fixtures', 'parquet')
/** Rows in the committed fixture (scripts/make-parquet-fixture.mjs); its spec says 20000. */
const FIXTURE_ROWS = 150

describe('plan of the eight seed experiments', () => {
  const experiments = compileDir('experiments').experiments
  const plan = planExperiments(experiments)

  it('gives 312 steps per epoch and 3,120 steps for 20,000 rows, batch 64, 10 epochs', () => {
    expect(plan.diagnostics).toEqual([])
    const numbers = plan.rows.map((r) => ({
      script: r.script,
      trainRows: r.trainRows,
      stepsPerEpoch: r.stepsPerEpoch,
      totalSteps: r.totalSteps,
      checkpoints: r.checkpoints,
      validations: r.validations,
      gpus: r.gpus,
      estimatedHours: r.estimatedHours,
      gpuHours: r.gpuHours,
    }))
    // 3,120 steps: checkpoints at 100, 200, ..., 3,100 and the last step; validation also before training.
    const four = {
      trainRows: 20000,
      stepsPerEpoch: 312,
      totalSteps: 3120,
      checkpoints: 32,
      validations: 33,
      gpus: 8,
    }
    // The cost model at the seed's defaults (n 8, batch 64, 8 GPUs, 4,096 + 2,048 tokens): 69 s/step for 4B
    // and 125 s/step for 8B, i.e. 3,120 steps in the seed's ~2-3 and ~4-5 days.
    const h4 = { estimatedHours: 59.8, gpuHours: 478.4 } // 3,120 × 69 s
    const h8 = { estimatedHours: 108.33, gpuHours: 866.67 } // 3,120 × 125 s
    // Rollout n scales the sequences per GPU: 13 + 14 × 4 × 12/8 = 97 s, 13 + 14 × 4 × 4/8 = 41 s, ...
    const h4r12 = { estimatedHours: 84.07, gpuHours: 672.53 } // 3,120 × 97 s
    const h4r4 = { estimatedHours: 35.53, gpuHours: 284.27 } // 3,120 × 41 s
    const h8r12 = { estimatedHours: 156.87, gpuHours: 1254.93 } // 3,120 × 181 s
    expect(numbers).toEqual([
      { script: 'run_4b.sh', ...four, ...h4 },
      { script: 'run_4b_no_uncertain.sh', ...four, ...h4 },
      { script: 'run_4b_rollout12.sh', ...four, ...h4r12 },
      { script: 'run_4b_rollout4.sh', ...four, ...h4r4 },
      { script: 'run_8b.sh', ...four, ...h8 },
      { script: 'run_8b_no_uncertain.sh', ...four, ...h8 },
      { script: 'run_8b_rollout12.sh', ...four, ...h8r12 },
      { script: 'run_8b_rollout4.sh', ...four, ...h4 }, // 13 + 14 × 8 × 4/8 = 69 s
    ])
    expect(plan.rows.map((r) => [r.secondsPerStep, r.secondsFrom])).toEqual([
      [69, 'model'],
      [69, 'model'],
      [97, 'model'],
      [41, 'model'],
      [125, 'model'],
      [125, 'model'],
      [181, 'model'],
      [69, 'model'],
    ])
    expect(plan.totals).toEqual({
      experiments: 8,
      totalSteps: 24960,
      checkpoints: 256,
      validations: 264,
      gpus: 64,
      estimatedHours: 672.53, // 3,120 × 776 s
      gpuHours: 5380.27,
      withoutSteps: [],
      withoutTime: [],
    })
  })

  it('the estimates of the defaults stay in the seed ranges: 2-3 days for 4B, 4-5 days for 8B', () => {
    for (const r of plan.rows.filter((row) => !row.script.includes('rollout'))) {
      const days = (r.estimatedHours ?? 0) / 24
      if (r.model === 'Qwen3-4B') expect(days).toSatisfy((d: number) => d >= 2 && d <= 3)
      else expect(days).toSatisfy((d: number) => d >= 4 && d <= 5)
    }
  })

  it('prints a table with a total line', () => {
    const text = formatPlan(plan)
    expect(text).toMatch(
      /run_4b\.sh\s+Qwen3-4B\s+20,000\s+64\s+312\s+10\s+3,120\s+32\s+33\s+8\s+69 \(model\)\s+59\.8 h \(2\.5 days\)\s+478/,
    )
    expect(text).toMatch(
      /Total \(8 experiments\)\s+24,960\s+256\s+264\s+64\s+672\.5 h \(28\.0 days\)\s+5,380/,
    )
  })
})

describe('plan counts', () => {
  const spec = (training: string, overrides = '') =>
    compileTexts({
      'experiments/base.yaml': BASE,
      'experiments/exp.yaml': `extends: ./base.yaml\nname: e\nscript: e.sh\ndata:\n  train_rows: 1000\n${training}${overrides}`,
    }).experiments

  it('a total with rows of unknown row count says which and never reads as the whole, nor as 0', () => {
    const two = compileTexts({
      'experiments/base.yaml': BASE,
      'experiments/known.yaml':
        'extends: ./base.yaml\nname: known\nscript: known.sh\ndata:\n  train_rows: 1000\ntraining:\n  batch_size: 50\n  epochs: 5\nestimate:\n  seconds_per_step: 36\n',
      'experiments/unknown.yaml': 'extends: ./base.yaml\nname: unknown\nscript: unknown.sh\n',
    }).experiments
    const plan = planExperiments(two)
    expect(plan.totals).toMatchObject({
      totalSteps: 100,
      withoutSteps: ['unknown.sh'],
      withoutTime: ['unknown.sh'],
    })
    const total =
      formatPlan(plan)
        .split('\n')
        .find((l) => l.startsWith('Total')) ?? ''
    // 100 steps × 36 s = 1.0 h for the one that is known.
    expect(total).toMatch(/^Total \(2 experiments\)\s+100 \+ \?\s+.*\s1\.0 h \+ \?/)
    expect(formatPlan(plan)).toContain(
      'Unknown steps (no row count: set data.train_rows, or --data-dir): unknown.sh; the totals leave them out (+ ?).',
    )
    const none = planExperiments(two.filter((c) => c.experiment.name === 'unknown'))
    const line =
      formatPlan(none)
        .split('\n')
        .find((l) => l.startsWith('Total')) ?? ''
    expect(line).not.toMatch(/\b0\b|0\.0 h/)
    expect(line).toMatch(/^Total \(1 experiments\)\s+\?\s+\?\s+\?\s+\d+\s+\?\s+\?$/)
  })

  it('counts the last step once when it is also a save or test step', () => {
    // 1000 / 50 = 20 steps per epoch, 5 epochs: 100 steps; saves at 25, 50, 75, 100; tests at 100.
    const [row] = planExperiments(
      spec('training:\n  batch_size: 50\n  epochs: 5\n  save_freq: 25\n  test_freq: 100\n'),
    ).rows
    expect(row).toMatchObject({ stepsPerEpoch: 20, totalSteps: 100, checkpoints: 4, validations: 2 })
  })

  it('honours trainer.val_before_train and trainer.total_training_steps from verl_overrides', () => {
    const [row] = planExperiments(
      spec(
        'training:\n  batch_size: 50\n',
        'verl_overrides:\n  trainer.val_before_train: false\n  trainer.total_training_steps: 250\n',
      ),
    ).rows
    expect(row).toMatchObject({ stepsPerEpoch: 20, totalSteps: 250, checkpoints: 3, validations: 3 })
  })

  it('without a row count or an estimate the numbers are null, with a warning at data.train_file', () => {
    const experiments = compileTexts({
      'experiments/base.yaml': BASE,
      'experiments/exp.yaml': 'extends: ./base.yaml\nname: e\nscript: e.sh\n',
    }).experiments
    const plan = planExperiments(experiments)
    expect(plan.rows[0]).toMatchObject({
      trainRows: null,
      stepsPerEpoch: null,
      estimatedHours: null,
      gpus: 8,
    })
    expect(plan.diagnostics.map((d) => [d.code, d.file, d.line, d.col])).toEqual([
      ['ROW_COUNT', 'experiments/base.yaml', ...Object.values(positionOf(BASE, 'train.parquet'))],
    ])
  })
})

describe('plan reads the row count from the parquet footer', () => {
  it('the fixture is a real parquet file whose footer says 150 rows', async () => {
    const path = join(FIXTURES, 'train_4b_model_forecast_20000.parquet')
    expect(readFileSync(path).subarray(0, 4).toString()).toBe('PAR1')
    expect(await readParquetRows(path)).toEqual({ kind: 'rows', rows: FIXTURE_ROWS })
    expect(await readParquetRows(join(FIXTURES, 'nope.parquet'))).toEqual({ kind: 'missing' })
    expect(await readParquetRows(join(REPO, 'package.json'))).toMatchObject({ kind: 'unreadable' })
  })

  it('finqa plan --data-dir uses the footer count and warns at data.train_rows that the spec differs', async () => {
    const r = await runCli(['plan', 'experiments', '--data-dir', 'test/fixtures/parquet', '--json'])
    expect(r.code).toBe(0)
    const report = JSON.parse(r.stdout) as {
      rows: Record<string, unknown>[]
      diagnostics: {
        severity: string
        code: string
        file: string
        line: number
        col: number
        message: string
      }[]
    }
    expect(report).toMatchObject({ command: 'plan', ok: true, exitCode: 0 })
    expect(r.stderr).toBe('')
    const rows = report.rows
    const four = rows.find((x) => x.script === 'run_4b.sh')
    const eight = rows.find((x) => x.script === 'run_8b.sh')
    // 150 rows / 64 = 2 steps per epoch, 20 steps: one checkpoint (the last step), validation before and at the end.
    expect(four).toMatchObject({
      name: 'qwen3_4b_default',
      trainRows: FIXTURE_ROWS,
      rowsFrom: 'parquet',
      specRows: 20000,
      parquetRows: FIXTURE_ROWS,
      stepsPerEpoch: 2,
      totalSteps: 20,
      checkpoints: 1,
      validations: 2,
      gpus: 8,
      estimatedHours: 0.38,
      gpuHours: 3.07,
    })
    // The 8B file is not in the fixture folder: the spec's count stands.
    expect(eight).toMatchObject({ trainRows: 20000, rowsFrom: 'spec', parquetRows: null, totalSteps: 3120 })
    const spec = readFileSync(join(REPO, 'experiments/qwen3-4b.yaml'), 'utf8')
    const { line, col } = positionOf(spec, '20000', 'train_rows')
    // One warning for the four 4B experiments: they share the layer that sets data.train_rows.
    const warnings = report.diagnostics.filter((d) => d.code === 'ROW_COUNT')
    expect(warnings).toEqual([
      expect.objectContaining({
        severity: 'warning',
        file: 'experiments/qwen3-4b.yaml',
        line,
        col,
        message: expect.stringMatching(
          /^data\.train_rows is 20000, but the footer of .*train_4b_model_forecast_20000\.parquet counts 150 rows/,
        ),
      }),
    ])
    // As text, the same warning goes to stderr.
    const text = await runCli(['plan', 'experiments', '--data-dir', 'test/fixtures/parquet'])
    expect(text.stderr.split('\n').filter((l) => l.includes(' ROW_COUNT '))).toEqual([
      expect.stringMatching(new RegExp(`^experiments/qwen3-4b\\.yaml:${line}:${col} warning ROW_COUNT `)),
    ])
  })

  it('finqa plan reads the parquet file at data.dir when it is reachable', async () => {
    const parquet = readFileSync(join(FIXTURES, 'train_4b_model_forecast_20000.parquet'))
    const root = writeProject({ 'data/train.parquet': parquet })
    mkdirSync(join(root, 'experiments'))
    writeFileSync(
      join(root, 'experiments/base.yaml'),
      BASE.replace('dir: /data', `dir: ${join(root, 'data')}`),
    )
    writeFileSync(
      join(root, 'experiments/exp.yaml'),
      'extends: ./base.yaml\nname: e\nscript: e.sh\ndata:\n  train_rows: 20000\n',
    )
    const r = await runCli(['plan', '--json'], root)
    expect(r.code).toBe(0)
    const report = JSON.parse(r.stdout)
    expect(report.rows[0]).toMatchObject({
      trainRows: FIXTURE_ROWS,
      rowsFrom: 'parquet',
      totalSteps: 20,
    })
    expect(report.diagnostics).toMatchObject([
      { severity: 'warning', code: 'ROW_COUNT', file: 'experiments/exp.yaml', line: 5, col: 15 },
    ])
  })

  it('a file that is not parquet gives a PARQUET_UNREADABLE warning and the spec count', async () => {
    const root = writeProject({
      'data/train.parquet': 'not parquet at all',
      'experiments/exp.yaml': `${BASE.replace('abstract: true\n', 'name: e\nscript: e.sh\n')}`,
    })
    const r = await runCli(['plan', 'experiments', '--data-dir', 'data', '--json'], root)
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).diagnostics).toContainEqual(
      expect.objectContaining({
        severity: 'warning',
        code: 'PARQUET_UNREADABLE',
        file: 'experiments/exp.yaml',
      }),
    )
  })
})
