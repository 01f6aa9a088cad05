import { describe, expect, it } from 'vitest'
import { readSchema } from '../../src/cli/package-files.js'
import { explainExperiment, formatExplanation } from '../../src/report/explain.js'
import { compileTexts } from '../helpers/compile-repo.js'
import { BASE, positionOf, writeProject } from '../helpers/inline-specs.js'
import { runCli } from '../helpers/run-cli.js'

const MODEL = `abstract: true
extends: ./base.yaml
rollout:
  n: 12
`
const EXP = `extends: ./model.yaml
name: exp_a
script: run_a.sh
rollout:
  n: 16
training:
  ppo_mini_batch_size: null
`
const SPECS = {
  'experiments/base.yaml': BASE,
  'experiments/model.yaml': MODEL,
  'experiments/exp.yaml': EXP,
}

const at = (file: string, text: string, needle: string, after?: string) => ({
  file,
  ...positionOf(text, needle, after),
})

describe('explain', () => {
  const result = compileTexts(SPECS)
  const item = result.experiments[0]
  if (item === undefined) throw new Error(JSON.stringify(result.diagnostics))
  const explain = (key?: string) => explainExperiment(item, { key, schema: readSchema() })
  const field = (key: string) => {
    const r = explain(key)
    if (r.kind !== 'explained') throw new Error(r.kind)
    expect(r.explanation.fields).toHaveLength(1)
    return r.explanation.fields[0]
  }

  it('an inherited value names the layer that set it, with its position', () => {
    const f = field('rollout.engine')
    expect(f).toMatchObject({ key: 'rollout.engine', status: 'set', value: 'vllm' })
    expect(f?.history).toEqual([
      {
        action: 'set',
        layer: 'experiments/base.yaml',
        ...at('experiments/base.yaml', BASE, 'vllm'),
        value: 'vllm',
      },
    ])
  })

  it('an overridden value lists every layer that set it, root first', () => {
    const f = field('rollout.n')
    expect(f?.value).toBe(16)
    expect(f?.history).toEqual([
      {
        action: 'set',
        layer: 'experiments/base.yaml',
        ...at('experiments/base.yaml', BASE, '8', 'n:'),
        value: 8,
      },
      {
        action: 'override',
        layer: 'experiments/model.yaml',
        ...at('experiments/model.yaml', MODEL, '12'),
        value: 12,
      },
      {
        action: 'override',
        layer: 'experiments/exp.yaml',
        ...at('experiments/exp.yaml', EXP, '16'),
        value: 16,
      },
    ])
    expect(at('experiments/base.yaml', BASE, '8', 'n:')).toEqual({
      file: 'experiments/base.yaml',
      line: 27,
      col: 6,
    })
  })

  it('a deleted value shows where it was set and where `null` deleted it', () => {
    const f = field('training.ppo_mini_batch_size')
    expect(f).toMatchObject({ key: 'training.ppo_mini_batch_size', status: 'deleted' })
    expect(f?.value).toBeUndefined()
    expect(f?.history).toEqual([
      {
        action: 'set',
        layer: 'experiments/base.yaml',
        ...at('experiments/base.yaml', BASE, '32'),
        value: 32,
      },
      { action: 'delete', layer: 'experiments/exp.yaml', ...at('experiments/exp.yaml', EXP, 'null') },
    ])
  })

  it('without a key explains every field, in schema order, including deleted ones', () => {
    const r = explain()
    if (r.kind !== 'explained') throw new Error(r.kind)
    const keys = r.explanation.fields.map((f) => f.key)
    expect(keys.slice(0, 4)).toEqual(['name', 'script', 'project', 'model.path'])
    expect(keys).toContain('training.ppo_mini_batch_size')
    expect(keys).toContain('trainer.logger')
    expect(keys).not.toContain('extends')
    expect(r.explanation.chain).toEqual([
      'experiments/base.yaml',
      'experiments/model.yaml',
      'experiments/exp.yaml',
    ])
  })

  it('a map key explains its fields; a JSON Pointer, with or without its leading slash, works too', () => {
    const r = explain('rollout')
    if (r.kind !== 'explained') throw new Error(r.kind)
    expect(r.explanation.fields.map((f) => f.key)).toEqual([
      'rollout.n',
      'rollout.engine',
      'rollout.tensor_parallel_size',
      'rollout.gpu_memory_utilization',
    ])
    expect(field('/rollout/n')?.value).toBe(16)
    expect(field('rollout/n')?.value).toBe(16)
  })

  it('a schema field no layer sets is reported as unset; an unknown key suggests the nearest', () => {
    const unset = explain('model.label')
    expect(unset).toMatchObject({ kind: 'unset', key: 'model.label', title: 'Model label' })
    expect(explain('rollout.nn')).toMatchObject({ kind: 'unknown-key' })
    expect(explain('rollout.nn').kind === 'unknown-key' && explain('rollout.nn')).toMatchObject({
      message: expect.stringContaining('did you mean rollout.n?'),
    })
  })

  it('prints each field with the layers as file:line:col', () => {
    const r = explain('rollout.n')
    if (r.kind === 'unknown-key') throw new Error(r.message)
    expect(formatExplanation(r)).toBe(
      [
        'exp_a (run_a.sh)',
        'layers: experiments/base.yaml > experiments/model.yaml > experiments/exp.yaml',
        'VERL: 0.9.0',
        '',
        'rollout.n = 16',
        '  VERL key: actor_rollout_ref.rollout.n',
        '  set      8   experiments/base.yaml:27:6',
        '  override 12  experiments/model.yaml:4:6',
        '  override 16  experiments/exp.yaml:5:6',
        '',
      ].join('\n'),
    )
  })
})

describe('explain speaks VERL', () => {
  const explainIn = (specs: Record<string, string>, key?: string) => {
    const item = compileTexts(specs).experiments[0]
    if (item === undefined) throw new Error('no experiment')
    return explainExperiment(item, { key, schema: readSchema() })
  }
  const explain = (key?: string) => explainIn(SPECS, key)
  const V080 = { ...SPECS, 'experiments/exp.yaml': `${EXP}verl:\n  version: "0.8.0"\n` }
  const WITH_OVERRIDE = {
    ...SPECS,
    'experiments/exp.yaml': `${EXP}verl_overrides:\n  data.truncation: left\n`,
  }

  it('a VERL key finds the typed field it comes from, with its layers', () => {
    const r = explain('actor_rollout_ref.actor.optim.lr')
    if (r.kind !== 'explained') throw new Error(r.kind)
    expect(r.explanation.verlKey).toEqual({
      key: 'actor_rollout_ref.actor.optim.lr',
      source: 'field',
      from: 'training.lr',
    })
    expect(r.explanation.fields.map((f) => f.key)).toEqual(['training.lr'])
    expect(r.explanation.fields[0]?.history.map((h) => h.file)).toEqual(['experiments/base.yaml'])
    expect(formatExplanation(r)).toContain(
      'actor_rollout_ref.actor.optim.lr (VERL 0.9.0) is set from training.lr:',
    )
  })

  it('every explained field shows the VERL key it becomes; finqa-only fields show none', () => {
    const r = explain()
    if (r.kind !== 'explained') throw new Error(r.kind)
    const verl = Object.fromEntries(r.explanation.fields.map((f) => [f.key, f.verl]))
    expect(verl['rollout.n']).toEqual(['actor_rollout_ref.rollout.n'])
    expect(verl['rollout.tensor_parallel_size']).toEqual([
      'actor_rollout_ref.rollout.tensor_model_parallel_size',
    ])
    expect(verl['training.ppo_micro_batch_per_gpu']).toEqual([
      'actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu',
      'actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu',
      'actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu',
    ])
    expect(verl.name).toEqual(['trainer.experiment_name', 'trainer.default_local_dir'])
    expect(verl['reward.function']).toEqual(['reward.custom_reward_function.name'])
    expect(verl['estimate.seconds_per_step'] ?? []).toEqual([])
  })

  it("the reward function's key is the one the targeted release reads", () => {
    const r = explainIn(V080, 'reward.function')
    if (r.kind !== 'explained') throw new Error(r.kind)
    expect(r.explanation.verlVersion).toBe('0.8.0')
    expect(r.explanation.fields[0]?.verl).toEqual(['reward.custom_reward_function.name'])
    // The legacy top-level key: composed, never honoured (it replaces the whole reward block at 0.8.0).
    const legacy = explainIn(V080, 'custom_reward_function.name')
    if (legacy.kind !== 'explained') throw new Error(legacy.kind)
    expect(legacy.explanation.verlKey).toMatchObject({
      source: 'ignored',
      use: 'reward.custom_reward_function',
    })
    expect(formatExplanation(legacy)).toContain(
      'custom_reward_function.name (VERL 0.8.0) is never read: at VERL 0.8.0',
    )
    // 0.9.0 reads reward.custom_reward_function.*; the old top-level key is no field of its spec.
    expect(explain('reward.custom_reward_function.name')).toMatchObject({
      kind: 'explained',
      explanation: { verlKey: { source: 'field', from: 'reward.function' } },
    })
  })

  it('a key set by verl_overrides, by finqa itself, or by no one says so', () => {
    const o = explainIn(WITH_OVERRIDE, 'data.truncation')
    if (o.kind !== 'explained') throw new Error(o.kind)
    expect(o.explanation.verlKey).toEqual({ key: 'data.truncation', source: 'override' })
    expect(o.explanation.fields.map((f) => [f.key, f.value, f.verl])).toEqual([
      ['verl_overrides.data.truncation', 'left', ['data.truncation']],
    ])
    const finqa = explain('algorithm.adv_estimator')
    if (finqa.kind !== 'explained') throw new Error(finqa.kind)
    expect(formatExplanation(finqa)).toContain(
      'algorithm.adv_estimator (VERL 0.9.0) is set by finqa: always grpo.',
    )
    const unset = explain('trainer.val_before_train')
    if (unset.kind !== 'explained') throw new Error(unset.kind)
    expect(unset.explanation.fields).toEqual([])
    expect(formatExplanation(unset)).toContain(
      "trainer.val_before_train (VERL 0.9.0) is not set by the specs: VERL's default applies.",
    )
    // A typed field the spec deletes: VERL's default, and the field with its history.
    const deleted = explain('actor_rollout_ref.actor.ppo_mini_batch_size')
    if (deleted.kind !== 'explained') throw new Error(deleted.kind)
    expect(deleted.explanation.verlKey?.source).toBe('default')
    expect(deleted.explanation.fields.map((f) => [f.key, f.status])).toEqual([
      ['training.ppo_mini_batch_size', 'deleted'],
    ])
  })

  it('an unknown key suggests the nearest spec field or VERL key', () => {
    expect(explain('actor_rollout_ref.actor.optim.lrr')).toEqual({
      kind: 'unknown-key',
      message:
        'exp_a has no field actor_rollout_ref.actor.optim.lrr, and VERL 0.9.0 has no such key; did you mean actor_rollout_ref.actor.optim.lr?',
    })
  })
})

describe('finqa explain', () => {
  it('finds the experiment by name or script and prints JSON', async () => {
    const root = writeProject(SPECS)
    const byName = await runCli(['explain', 'exp_a', 'training.ppo_mini_batch_size', '--json'], root)
    expect(byName.code).toBe(0)
    const data = JSON.parse(byName.stdout)
    expect(data).toMatchObject({ name: 'exp_a', script: 'run_a.sh', layer: 'experiments/exp.yaml' })
    expect(data.fields[0].history.map((h: { action: string }) => h.action)).toEqual(['set', 'delete'])
    const byScript = await runCli(['explain', 'run_a.sh', 'rollout.n'], root)
    expect(byScript.code).toBe(0)
    expect(byScript.stdout).toContain('override 16  experiments/exp.yaml:5:6')
  })

  it('exits 1 for an unknown experiment or key, 2 for bad usage', async () => {
    const root = writeProject(SPECS)
    const unknown = await runCli(['explain', 'exp_b'], root)
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('no experiment named exp_b; did you mean exp_a?')
    expect((await runCli(['explain', 'exp_a', 'nope.key'], root)).code).toBe(1)
    expect((await runCli(['explain'], root)).code).toBe(2)
    expect((await runCli(['explain', 'exp_a', '--check'], root)).code).toBe(2)
  })

  it("explains the shipped experiments: an overridden value points at the ablation's line", async () => {
    const r = await runCli(['explain', 'run_8b_rollout4.sh', 'rollout.n', '--json'])
    expect(r.code).toBe(0)
    const data = JSON.parse(r.stdout)
    expect(data.layer).toBe('experiments/8b/rollout4.yaml')
    expect(data.fields[0].history.at(-1)).toMatchObject({
      action: 'override',
      file: 'experiments/8b/rollout4.yaml',
      line: 9,
      col: 6,
      value: 4,
    })
  })
})
