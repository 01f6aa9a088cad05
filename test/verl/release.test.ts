import { describe, expect, it, vi } from 'vitest'
import { experiment } from '../helpers/verl-experiment.js'

/**
 * What a release is beyond its checks (src/verl/index.ts, fields.ts, spec-config.ts and the release files):
 * which release a spec targets, the VERL key each typed field becomes, the values a compile checks, and the
 * keys a release composes and never reads. Each test defines the releases afresh (modules reset), so it runs
 * the definitions it proves.
 */
async function verl() {
  vi.resetModules()
  const index = await import('../../src/verl/index.js')
  const keys = await import('../../src/verl/keys.js')
  const specConfig = await import('../../src/verl/spec-config.js')
  return { ...index, ...keys, ...specConfig }
}

describe('the releases and the one a spec targets', () => {
  it('0.8.0 and 0.9.0, oldest first; a spec without verl.version targets the newest', async () => {
    const { VERSIONS, DEFAULT_VERSION, allTargets, targetFor } = await verl()
    expect(VERSIONS).toEqual(['0.8.0', '0.9.0'])
    expect(DEFAULT_VERSION).toBe('0.9.0')
    expect(allTargets().map((t) => [t.version, t.tag, t.repo, t.commit])).toEqual([
      ['0.8.0', 'v0.8.0', 'https://github.com/verl-project/verl', '7aed6b230776f963fa09509c10d9c3a767d1102c'],
      ['0.9.0', 'v0.9.0', 'https://github.com/verl-project/verl', '483b8a009ba3a97563edee3a19887e4862b8094a'],
    ])
    expect(targetFor(undefined).version).toBe('0.9.0')
    expect(targetFor('0.8.0').version).toBe('0.8.0')
    expect(targetFor('0.9.0').version).toBe('0.9.0')
  })

  it('a version no release has is a bug (the schema refuses it first), named', async () => {
    const { targetFor } = await verl()
    expect(() => targetFor('0.7.0')).toThrow('no VERL target 0.7.0: the schema should have refused it')
  })

  it('both read the reward function from reward.custom_reward_function', async () => {
    const { allTargets } = await verl()
    expect(allTargets().map((t) => [t.rewardPathKey, t.rewardNameKey])).toEqual([
      ['reward.custom_reward_function.path', 'reward.custom_reward_function.name'],
      ['reward.custom_reward_function.path', 'reward.custom_reward_function.name'],
    ])
  })
})

describe('keys a release composes and never reads are refused, naming the key to write', () => {
  it('0.8.0: the legacy custom_reward_function.* would replace the reward finqa sets', async () => {
    const { targetFor, keyProblem } = await verl()
    expect(keyProblem(targetFor('0.8.0'), 'custom_reward_function.path', 'spec')).toEqual({
      message:
        '`custom_reward_function.path`: at VERL 0.8.0 a legacy custom_reward_function.* value replaces the whole reward.custom_reward_function that finqa sets from reward.* (verl/experimental/reward_loop/reward_loop.py:59-60), dropping the reward file',
      suggestion: 'write `reward.custom_reward_function.path`',
    })
    expect(keyProblem(targetFor('0.8.0'), 'reward_model.enable', 'spec')).toBeUndefined()
  })

  it.each([
    [
      'custom_reward_function.name',
      'VERL 0.9.0 composes the legacy custom_reward_function.* keys and reads none of them (main_ppo.py no longer calls migrate_legacy_reward_impl)',
      'reward.custom_reward_function.name',
    ],
    [
      'reward_model.enable',
      'VERL 0.9.0 composes the legacy reward_model.* keys and reads none of them',
      'reward.reward_model.enable',
    ],
    [
      'sandbox_fusion.url',
      'VERL 0.9.0 composes the legacy sandbox_fusion.* keys and reads none of them',
      'reward.sandbox_fusion.url',
    ],
  ])('0.9.0: %s', async (key, why, use) => {
    const { targetFor, keyProblem } = await verl()
    expect(keyProblem(targetFor('0.9.0'), key, 'spec')).toEqual({
      message: `\`${key}\`: ${why}`,
      suggestion: `write \`${use}\``,
    })
  })
})

/** Each VERL key finqa sets, what sets it and the spec fields (JSON Pointers) it comes from. */
const TYPED: readonly [key: string, from: string, fields: readonly string[]][] = [
  ['algorithm.adv_estimator', 'always grpo', []],
  ['data.train_files', 'data.dir + data.train_file', ['/data/dir', '/data/train_file']],
  ['data.val_files', 'data.dir + data.val_file', ['/data/dir', '/data/val_file']],
  ['data.train_batch_size', 'training.batch_size', ['/training/batch_size']],
  ['data.max_prompt_length', 'data.max_prompt_length', ['/data/max_prompt_length']],
  ['data.max_response_length', 'data.max_response_length', ['/data/max_response_length']],
  ['actor_rollout_ref.model.path', 'model.path', ['/model/path']],
  ['actor_rollout_ref.actor.optim.lr', 'training.lr', ['/training/lr']],
  [
    'actor_rollout_ref.actor.ppo_mini_batch_size',
    'training.ppo_mini_batch_size',
    ['/training/ppo_mini_batch_size'],
  ],
  [
    'actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu',
    'training.ppo_micro_batch_per_gpu',
    ['/training/ppo_micro_batch_per_gpu'],
  ],
  [
    'actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu',
    'training.ppo_micro_batch_per_gpu',
    ['/training/ppo_micro_batch_per_gpu'],
  ],
  [
    'actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu',
    'training.ppo_micro_batch_per_gpu',
    ['/training/ppo_micro_batch_per_gpu'],
  ],
  ['actor_rollout_ref.actor.use_kl_loss', 'always True (training.kl_coef)', []],
  ['actor_rollout_ref.actor.kl_loss_coef', 'training.kl_coef', ['/training/kl_coef']],
  ['actor_rollout_ref.rollout.n', 'rollout.n', ['/rollout/n']],
  ['actor_rollout_ref.rollout.name', 'rollout.engine', ['/rollout/engine']],
  [
    'actor_rollout_ref.rollout.tensor_model_parallel_size',
    'rollout.tensor_parallel_size',
    ['/rollout/tensor_parallel_size'],
  ],
  [
    'actor_rollout_ref.rollout.gpu_memory_utilization',
    'rollout.gpu_memory_utilization',
    ['/rollout/gpu_memory_utilization'],
  ],
  [
    'reward.custom_reward_function.path',
    'reward.dir + reward.uncertain_file / reward.plain_file',
    ['/reward/dir', '/reward/uncertain_file', '/reward/plain_file', '/reward/use_uncertainty'],
  ],
  ['reward.custom_reward_function.name', 'reward.function', ['/reward/function']],
  ['trainer.logger', 'trainer.logger', ['/trainer/logger']],
  ['trainer.project_name', 'project', ['/project']],
  ['trainer.experiment_name', 'name', ['/name']],
  ['trainer.default_local_dir', 'trainer.checkpoint_root + name', ['/trainer/checkpoint_root', '/name']],
  ['trainer.n_gpus_per_node', 'trainer.gpus_per_node', ['/trainer/gpus_per_node']],
  ['trainer.nnodes', 'trainer.nodes', ['/trainer/nodes']],
  ['trainer.save_freq', 'training.save_freq', ['/training/save_freq']],
  ['trainer.test_freq', 'training.test_freq', ['/training/test_freq']],
  ['trainer.total_epochs', 'training.epochs', ['/training/epochs']],
  ['trainer.resume_mode', 'always auto, so a rerun resumes from the latest checkpoint', []],
  [
    'ray_kwargs.ray_init.num_cpus',
    'slurm.cpus_per_task: the Slurm batch file fixes it to the CPUs of the job',
    [],
  ],
]

describe('the VERL key each typed spec field becomes (fields.ts)', () => {
  it.each(['0.8.0', '0.9.0'])(
    'VERL %s: every typed key, what sets it and its fields, in order',
    async (v) => {
      const { targetFor } = await verl()
      const t = targetFor(v)
      expect([...t.typedKeys.values()].map((k) => [k.key, k.from, k.fields])).toEqual(TYPED)
      // Each is a key of the release's config.
      expect(TYPED.filter(([key]) => !t.keys.has(key)).map(([key]) => key)).toEqual([])
    },
  )

  it('a verl_overrides key a typed field sets is refused, naming the field to set instead', async () => {
    const { targetFor, keyProblem } = await verl()
    const t = targetFor('0.9.0')
    expect(keyProblem(t, 'trainer.nnodes', 'spec')).toEqual({
      message:
        '`trainer.nnodes` is set by finqa from a typed field (trainer.nodes); it cannot be overridden here',
      suggestion: 'set trainer.nodes instead',
    })
    expect(keyProblem(t, 'trainer.resume_mode', 'spec')).toEqual({
      message:
        '`trainer.resume_mode` is set by finqa from a typed field (always auto, so a rerun resumes from the latest checkpoint); it cannot be overridden here',
      suggestion: undefined,
    })
    expect(keyProblem(t, 'trainer.nnodes', 'argument')).toBeUndefined()
  })
})

describe('the values a compile checks (spec-config.ts)', () => {
  it('specValues: the typed fields by VERL key, the job’s GPUs, and the scalar verl_overrides', async () => {
    const { targetFor, specValues } = await verl()
    const e = experiment({
      verl_overrides: {
        'algorithm.use_kl_in_reward': true,
        '+data.extra': 'x',
        'actor_rollout_ref.rollout.mode': null,
        'data.apply_chat_template_kwargs': { enable_thinking: false },
        'trainer.logger': ['console'],
      },
    })
    expect(Object.fromEntries(specValues(e, targetFor('0.9.0')))).toEqual({
      'data.train_batch_size': 64,
      'data.max_prompt_length': 4096,
      'data.max_response_length': 2048,
      'actor_rollout_ref.actor.ppo_mini_batch_size': 64,
      'actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu': 2,
      'actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu': 2,
      'actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu': 2,
      'actor_rollout_ref.actor.use_kl_loss': true,
      'actor_rollout_ref.rollout.n': 8,
      'actor_rollout_ref.rollout.name': 'vllm',
      'actor_rollout_ref.rollout.tensor_model_parallel_size': 2,
      'reward.custom_reward_function.path': '/r/u.py',
      'reward.custom_reward_function.name': 'compute_score',
      'trainer.n_gpus_per_node': 4,
      'trainer.nnodes': 2,
      'trainer.save_freq': 100,
      'trainer.test_freq': 50,
      'trainer.total_epochs': 10,
      'job.gpus_per_node': 4,
      'algorithm.use_kl_in_reward': true,
      'data.extra': 'x',
      'actor_rollout_ref.rollout.mode': null,
    })
  })

  it('specValues: the plain reward file without uncertainty, and a mini batch of its own', async () => {
    const { targetFor, specValues } = await verl()
    const values = specValues(
      experiment({ reward: { use_uncertainty: false }, training: { ppo_mini_batch_size: 16 } }),
      targetFor('0.8.0'),
    )
    expect(values.get('reward.custom_reward_function.path')).toBe('/r/p.py')
    expect(values.get('actor_rollout_ref.actor.ppo_mini_batch_size')).toBe(16)
  })

  it('fieldOf: the verl_overrides entry that sets a key (escaped), else the typed field', async () => {
    const { targetFor, fieldOf } = await verl()
    const t = targetFor('0.9.0')
    const e = experiment({ verl_overrides: { '+data.a/b~c': 1, 'actor_rollout_ref.rollout.n': 4 } })
    expect(fieldOf(t, 'data.a/b~c', e)).toBe('/verl_overrides/+data.a~1b~0c')
    expect(fieldOf(t, 'actor_rollout_ref.rollout.n', e)).toBe('/verl_overrides/actor_rollout_ref.rollout.n')
    expect(fieldOf(t, 'job.gpus_per_node', e)).toBe('/trainer/gpus_per_node')
    expect(fieldOf(t, 'trainer.nnodes', e)).toBe('/trainer/nodes')
    expect(fieldOf(t, 'data.train_files', e)).toBe('/data/dir')
    expect(fieldOf(t, 'actor_rollout_ref.actor.strategy', e)).toBeUndefined()
    expect(fieldOf(t, 'trainer.nnodes', experiment())).toBe('/trainer/nodes')
  })

  it('fieldOf: a mini batch left out follows the batch size, so a check of it points there', async () => {
    const { targetFor, fieldOf } = await verl()
    const t = targetFor('0.9.0')
    const key = 'actor_rollout_ref.actor.ppo_mini_batch_size'
    expect(fieldOf(t, key, experiment())).toBe('/training/batch_size')
    expect(fieldOf(t, key, experiment({ training: { ppo_mini_batch_size: 16 } }))).toBe(
      '/training/ppo_mini_batch_size',
    )
  })
})
