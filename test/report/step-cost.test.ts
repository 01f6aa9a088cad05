import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { modelParamsB, modelSecondsPerStep, secondsPerStepOf } from '../../src/estimate/step-cost.js'
import type { Experiment } from '../../src/generated/experiment.js'
import { readCheckpointFolder } from '../../src/load/read-checkpoints.js'
import { planExperiments } from '../../src/report/plan.js'
import { measuredPace } from '../../src/report/progress.js'
import { compileDir, compileTexts } from '../helpers/compile-repo.js'
import { BASE } from '../helpers/inline-specs.js'
import { runCli } from '../helpers/run-cli.js'

const seed = compileDir('experiments').experiments
const byScript = (script: string): Experiment => {
  const found = seed.find((c) => c.experiment.script === script)
  if (found === undefined) throw new Error(`no ${script}`)
  return found.experiment
}
/** The default 4B experiment with some settings changed. */
const with4b = (change: (e: Experiment) => Experiment): Experiment =>
  change(structuredClone(byScript('run_4b.sh')))

describe('the cost model', () => {
  it('gives the seed figures at the seed defaults: 69 s/step for Qwen3-4B, 125 s/step for Qwen3-8B', () => {
    expect(modelSecondsPerStep(byScript('run_4b.sh'))).toBe(69)
    expect(modelSecondsPerStep(byScript('run_8b.sh'))).toBe(125)
    // 3,120 steps: 59.8 h (2.5 days) and 108.3 h (4.5 days), inside the seed's 2-3 and 4-5 days.
  })

  it('rollout 12 costs more than rollout 8, which costs more than rollout 4', () => {
    expect(modelSecondsPerStep(byScript('run_4b_rollout12.sh'))).toBe(97)
    expect(modelSecondsPerStep(byScript('run_4b_rollout4.sh'))).toBe(41)
    expect(modelSecondsPerStep(byScript('run_8b_rollout12.sh'))).toBe(181)
    expect(modelSecondsPerStep(byScript('run_8b_rollout4.sh'))).toBe(69)
  })

  it('grows with the response and the prompt length and the batch, and shrinks with more GPUs', () => {
    // Response 4,096: 13 + 56 × (0.6 × 2 + 0.4 × 8192/6144) = 13 + 56 × 1.7333 = 110.1
    expect(
      modelSecondsPerStep(with4b((e) => ({ ...e, data: { ...e.data, max_response_length: 4096 } }))),
    ).toBe(110.1)
    // Prompt 8,192: 13 + 56 × (0.6 + 0.4 × 10240/6144) = 13 + 56 × 1.2667 = 83.9
    expect(modelSecondsPerStep(with4b((e) => ({ ...e, data: { ...e.data, max_prompt_length: 8192 } })))).toBe(
      83.9,
    )
    // Batch 128: 13 + 56 × 2 = 125
    expect(modelSecondsPerStep(with4b((e) => ({ ...e, training: { ...e.training, batch_size: 128 } })))).toBe(
      125,
    )
    // 2 nodes × 8 GPUs: 13 + 56 / 2 = 41
    expect(modelSecondsPerStep(with4b((e) => ({ ...e, trainer: { ...e.trainer, nodes: 2 } })))).toBe(41)
  })

  it('estimate.seconds_per_step overrides it', () => {
    const e = with4b((x) => ({ ...x, estimate: { ...x.estimate, seconds_per_step: 50 } }))
    expect(secondsPerStepOf(e)).toEqual({ seconds: 50, from: 'spec' })
    expect(secondsPerStepOf(byScript('run_4b.sh'))).toEqual({ seconds: 69, from: 'model' })
  })

  it('takes the model size from estimate.model_params_b, else from model.label, else from model.path', () => {
    const bare = (label: string | undefined, path: string): Experiment =>
      with4b((e) => ({ ...e, estimate: {}, model: { ...e.model, label, path } }))
    expect(modelParamsB(byScript('run_8b.sh'))).toBe(8)
    expect(modelParamsB(bare('Qwen3-1.7B', 'org/whatever'))).toBe(1.7)
    expect(modelParamsB(bare(undefined, 'Qwen/Qwen3-14b'))).toBe(14)
    expect(modelParamsB(bare(undefined, '/models/qwen3_32b-instruct'))).toBe(32)
    expect(modelParamsB(bare('my policy', '/models/policy'))).toBeNull()
    expect(modelParamsB(bare(undefined, '/models/v3b2'))).toBeNull()
    expect(modelSecondsPerStep(bare('my policy', '/models/policy'))).toBeNull()
  })

  it('without a model size the plan has no time for that experiment and says how to give one', () => {
    const result = compileTexts({
      'experiments/base.yaml': BASE,
      'experiments/e.yaml':
        'extends: ./base.yaml\nname: e\nscript: e.sh\nmodel:\n  path: /models/policy\n  label: policy\ndata:\n  train_rows: 6400\n',
    })
    const [row] = planExperiments(result.experiments).rows
    expect(row).toMatchObject({ secondsPerStep: null, secondsFrom: null, estimatedHours: null })
  })
})

describe('the measured pace of a run', () => {
  const at = (step: number, hour: number) => ({ step, savedMs: Date.UTC(2026, 0, 1, hour) })
  const start = (hour: number) => ({
    started: '',
    startedMs: Date.UTC(2026, 0, 1, hour, 30),
    experiment: null,
    host: null,
    user: null,
    slurmJobId: null,
    restartCount: 0,
    environment: [],
    resumeChanged: null,
  })

  it('is the time between checkpoints per step: 100 steps every 2 h is 72 s/step', () => {
    expect(measuredPace([at(100, 0), at(200, 2), at(300, 4)], [])).toEqual({ secondsPerStep: 72, steps: 200 })
  })

  it('leaves out an interval with a start in it (queue wait and model load after a requeue)', () => {
    // 200 -> 300 took 10 h because the job was requeued at 2:30: only 100 -> 200 counts.
    expect(measuredPace([at(100, 0), at(200, 2), at(300, 12)], [start(2)])).toEqual({
      secondsPerStep: 72,
      steps: 100,
    })
  })

  it('is unknown with one checkpoint, or none of an uninterrupted stretch', () => {
    expect(measuredPace([at(100, 0)], [])).toBeNull()
    expect(measuredPace([at(100, 0), at(200, 5)], [start(1)])).toBeNull()
  })
})

describe('finqa plan with a run on disk', () => {
  const root = mkdtempSync(join(tmpdir(), 'finqa-plan-ckpt-'))
  afterAll(() => rmSync(root, { recursive: true, force: true }))
  const run = join(root, 'qwen3_4b_default')
  // Checkpoints every 100 steps, 7,000 s apart: 70 s per step.
  for (const [i, step] of [100, 200, 300].entries()) {
    mkdirSync(join(run, `global_step_${step}`, 'actor'), { recursive: true })
    const t = 1_800_000_000 + i * 7000
    utimesSync(join(run, `global_step_${step}`), t, t)
  }
  writeFileSync(join(run, 'latest_checkpointed_iteration.txt'), '300')

  it('uses the measured pace for the run and, scaled by the cost model, for the same model', async () => {
    expect(readCheckpointFolder(run)).toMatchObject({ kind: 'folder', latest: 300 })
    const r = await runCli(['plan', 'experiments', '--checkpoint-root', root, '--json'])
    expect(r.code).toBe(0)
    const rows = (
      JSON.parse(r.stdout).rows as {
        script: string
        secondsPerStep: number
        secondsFrom: string
        measuredFrom: string | null
      }[]
    ).map((x) => [x.script, x.secondsPerStep, x.secondsFrom, x.measuredFrom])
    expect(rows).toEqual([
      ['run_4b.sh', 70, 'measured', 'qwen3_4b_default'],
      ['run_4b_no_uncertain.sh', 70, 'measured', 'qwen3_4b_default'],
      ['run_4b_rollout12.sh', 98.4, 'measured', 'qwen3_4b_default'], // 70 × 97 / 69
      ['run_4b_rollout4.sh', 41.6, 'measured', 'qwen3_4b_default'], // 70 × 41 / 69
      ['run_8b.sh', 125, 'model', null],
      ['run_8b_no_uncertain.sh', 125, 'model', null],
      ['run_8b_rollout12.sh', 181, 'model', null],
      ['run_8b_rollout4.sh', 69, 'model', null],
    ])
    const text = await runCli(['plan', 'experiments', '--checkpoint-root', root])
    expect(text.stdout).toMatch(/run_4b\.sh\s.*\s70 \(measured\)\s/)
    expect(text.stdout).toMatch(/run_4b_rollout12\.sh\s.*\s98\.4 \(measured: qwen3_4b_default\)\s/)
  })

  it('a checkpoint root this machine cannot see changes nothing: the cost model', async () => {
    const r = await runCli(['plan', 'experiments', '--checkpoint-root', join(root, 'absent'), '--json'])
    expect(r.code).toBe(0)
    expect((JSON.parse(r.stdout).rows as { secondsFrom: string }[]).map((x) => x.secondsFrom)).toEqual(
      Array(8).fill('model'),
    )
  })
})
