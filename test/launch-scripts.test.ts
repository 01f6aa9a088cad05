import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import verlKeys from '../src/generated/verl/v0.9.0.json' with { type: 'json' }
import { tempDir } from './helpers/cli.js'
import { REPO } from './helpers/compile-repo.js'
import { runScript } from './helpers/run-script.js'

/** The seed's eight experiments, written out by hand from financial-qa-experiments.md. */
const SEED = [
  { script: 'run_4b.sh', size: '4b', uncertain: true, n: 8, name: 'qwen3_4b_default' },
  { script: 'run_8b.sh', size: '8b', uncertain: true, n: 8, name: 'qwen3_8b_default' },
  { script: 'run_4b_no_uncertain.sh', size: '4b', uncertain: false, n: 8, name: 'qwen3_4b_no_uncertain' },
  { script: 'run_8b_no_uncertain.sh', size: '8b', uncertain: false, n: 8, name: 'qwen3_8b_no_uncertain' },
  { script: 'run_4b_rollout4.sh', size: '4b', uncertain: true, n: 4, name: 'qwen3_4b_rollout4' },
  { script: 'run_4b_rollout12.sh', size: '4b', uncertain: true, n: 12, name: 'qwen3_4b_rollout12' },
  { script: 'run_8b_rollout4.sh', size: '8b', uncertain: true, n: 4, name: 'qwen3_8b_rollout4' },
  { script: 'run_8b_rollout12.sh', size: '8b', uncertain: true, n: 12, name: 'qwen3_8b_rollout12' },
] as const

const DATA = '/mnt_out/asfeng/fin_w4/data'
const REWARDS = '/mnt_out/asfeng/fin_w4/launchers/fin_text_qa'

interface Knobs {
  size: '4b' | '8b'
  uncertain: boolean
  n: number
  name: string
  epochs?: number
  lr?: string
  saveFreq?: number
  testFreq?: number
  data?: string
  rewards?: string
}

/** The VERL overrides the seed's scripts pass, as `key=value`, for the given knob values. */
function expectedOverrides(k: Knobs): Record<string, string> {
  const data = k.data ?? DATA
  const rewards = k.rewards ?? REWARDS
  return {
    'algorithm.adv_estimator': '"grpo"',
    'data.train_files': `'${data}/train_${k.size}_model_forecast_20000.parquet'`,
    'data.val_files': `'${data}/test_${k.size}_model_forecast_2000.parquet'`,
    'data.train_batch_size': '64',
    'data.max_prompt_length': '4096',
    'data.max_response_length': '2048',
    'actor_rollout_ref.model.path': `'catherpker/stockr1-qwen3-${k.size}'`,
    'actor_rollout_ref.actor.optim.lr': k.lr ?? '1e-6',
    'actor_rollout_ref.actor.ppo_mini_batch_size': '64',
    'actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu': '2',
    'actor_rollout_ref.actor.use_kl_loss': 'True',
    'actor_rollout_ref.actor.kl_loss_coef': '0.001',
    'actor_rollout_ref.rollout.n': String(k.n),
    'actor_rollout_ref.rollout.name': '"vllm"',
    'actor_rollout_ref.rollout.tensor_model_parallel_size': k.size === '4b' ? '1' : '2',
    'actor_rollout_ref.rollout.gpu_memory_utilization': '0.6',
    'actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu': '2',
    'actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu': '2',
    'reward.custom_reward_function.path': `'${rewards}/${k.uncertain ? 'reward_uncertain_versatile.py' : 'reward_versatile.py'}'`,
    'reward.custom_reward_function.name': '"compute_score"',
    'trainer.logger': '["console","wandb"]',
    'trainer.project_name': '"fin_text_qa"',
    'trainer.experiment_name': `'${k.name}'`,
    'trainer.default_local_dir': `'/checkpoints/${k.name}'`,
    'trainer.n_gpus_per_node': '8',
    'trainer.nnodes': '1',
    'trainer.save_freq': String(k.saveFreq ?? 100),
    'trainer.test_freq': String(k.testFreq ?? 100),
    'trainer.total_epochs': String(k.epochs ?? 10),
    'trainer.resume_mode': '"auto"',
    'algorithm.use_kl_in_reward': 'False',
    'actor_rollout_ref.actor.kl_loss_type': '"low_var_kl"',
    'actor_rollout_ref.actor.entropy_coeff': '0',
    'actor_rollout_ref.model.use_remove_padding': 'True',
    'actor_rollout_ref.model.enable_gradient_checkpointing': 'True',
    'data.filter_overlong_prompts': 'True',
    'data.truncation': '"error"',
  }
}

/** Splits a recorded argv into the module call and the `key=value` overrides. */
function overridesOf(argv: string[]): { head: string[]; overrides: Record<string, string> } {
  const head = argv.slice(0, 2)
  const overrides: Record<string, string> = {}
  for (const word of argv.slice(2)) {
    const eq = word.indexOf('=')
    expect(eq, `override without '=': ${word}`).toBeGreaterThan(0)
    const key = word.slice(0, eq)
    expect(overrides, `override ${key} passed twice`).not.toHaveProperty(key)
    overrides[key] = word.slice(eq + 1)
  }
  return { head, overrides }
}

const script = (name: string) => join(REPO, 'dist-scripts', name)
const skip = { FINQA_SKIP_PREFLIGHT: '1' }

describe('generated launch scripts, run by bash with a stub python3', () => {
  it.each(SEED)('$script passes the seed defaults to VERL', (e) => {
    const run = runScript(script(e.script), { env: skip })
    expect(run.stderr).not.toContain(': error:')
    expect(run.status).toBe(0)
    expect(run.calls).toHaveLength(1)
    const { head, overrides } = overridesOf(run.calls[0] ?? [])
    expect(head).toEqual(['-m', 'verl.trainer.main_ppo'])
    expect(overrides).toEqual(expectedOverrides(e))
  })

  it('ROLLOUT_N=16 bash run_4b.sh changes only rollout n', () => {
    const run = runScript(script('run_4b.sh'), { env: { ...skip, ROLLOUT_N: '16' } })
    expect(run.status).toBe(0)
    const { overrides } = overridesOf(run.calls[0] ?? [])
    expect(overrides).toEqual(expectedOverrides({ ...SEED[0], n: 16 }))
  })

  it('USE_UNCERTAINTY=false EPOCHS=5 LR=5e-6 bash run_8b.sh', () => {
    const env = { ...skip, USE_UNCERTAINTY: 'false', EPOCHS: '5', LR: '5e-6' }
    const run = runScript(script('run_8b.sh'), { env })
    expect(run.status).toBe(0)
    const { overrides } = overridesOf(run.calls[0] ?? [])
    expect(overrides).toEqual(expectedOverrides({ ...SEED[1], uncertain: false, epochs: 5, lr: '5e-6' }))
  })

  it('EXP_NAME="my_custom_exp" bash run_4b.sh sets the experiment name and the checkpoint dir', () => {
    const run = runScript(script('run_4b.sh'), { env: { ...skip, EXP_NAME: 'my_custom_exp' } })
    expect(run.status).toBe(0)
    const { overrides } = overridesOf(run.calls[0] ?? [])
    expect(overrides['trainer.experiment_name']).toBe("'my_custom_exp'")
    expect(overrides['trainer.default_local_dir']).toBe("'/checkpoints/my_custom_exp'")
    expect(overrides).toEqual(expectedOverrides({ ...SEED[0], name: 'my_custom_exp' }))
  })

  it('CHECKPOINT_ROOT, DATA_DIR, REWARD_DIR and MODEL_PATH move the locations', () => {
    const env = {
      ...skip,
      CHECKPOINT_ROOT: '/scratch/ck/',
      DATA_DIR: '/d',
      REWARD_DIR: '/r',
      MODEL_PATH: '/models/q',
    }
    const run = runScript(script('run_4b.sh'), { env })
    expect(run.status).toBe(0)
    const { overrides } = overridesOf(run.calls[0] ?? [])
    expect(overrides['trainer.default_local_dir']).toBe("'/scratch/ck/qwen3_4b_default'")
    expect(overrides['data.train_files']).toBe("'/d/train_4b_model_forecast_20000.parquet'")
    expect(overrides['reward.custom_reward_function.path']).toBe("'/r/reward_uncertain_versatile.py'")
    expect(overrides['actor_rollout_ref.model.path']).toBe("'/models/q'")
  })

  it('appends the arguments it is given after the generated overrides', () => {
    const run = runScript(script('run_4b.sh'), { env: skip, args: ['trainer.val_before_train=False'] })
    expect(run.status).toBe(0)
    expect(run.calls[0]?.at(-1)).toBe('trainer.val_before_train=False')
  })

  it("save_freq=50 test_freq=25 bash run_4b.sh: the seed's lower-case names are read too", () => {
    const run = runScript(script('run_4b.sh'), { env: { ...skip, save_freq: '50', test_freq: '25' } })
    expect(run.stderr).not.toContain(': error:')
    const { overrides } = overridesOf(run.calls[0] ?? [])
    expect(overrides).toEqual(expectedOverrides({ ...SEED[0], saveFreq: 50, testFreq: 25 }))
  })

  it('SAVE_FREQ and save_freq set alike, or save_freq empty, launch', () => {
    for (const env of [
      { SAVE_FREQ: '40', save_freq: '40' },
      { SAVE_FREQ: '40', save_freq: '' },
      { SAVE_FREQ: '', save_freq: '40' },
    ]) {
      const run = runScript(script('run_4b.sh'), { env: { ...skip, ...env } })
      expect(run.status, JSON.stringify(env)).toBe(0)
      expect(overridesOf(run.calls[0] ?? []).overrides['trainer.save_freq']).toBe('40')
    }
  })

  it('PPO_MINI_BATCH follows BATCH_SIZE unless set', () => {
    const a = runScript(script('run_4b.sh'), { env: { ...skip, BATCH_SIZE: '32' } })
    expect(overridesOf(a.calls[0] ?? []).overrides['actor_rollout_ref.actor.ppo_mini_batch_size']).toBe('32')
    const b = runScript(script('run_4b.sh'), { env: { ...skip, BATCH_SIZE: '32', PPO_MINI_BATCH: '16' } })
    expect(overridesOf(b.calls[0] ?? []).overrides['actor_rollout_ref.actor.ppo_mini_batch_size']).toBe('16')
  })

  const bad: [Record<string, string>, RegExp][] = [
    [{ ROLLOUT_N: 'abc' }, /ROLLOUT_N must be a whole number >= 1, got 'abc'/],
    [{ ROLLOUT_N: '0' }, /ROLLOUT_N must be a whole number >= 1/],
    [{ LR: 'fast' }, /LR must be a positive decimal number/],
    [{ LR: '0' }, /LR must be greater than 0/],
    [{ LR: '-1e-6' }, /LR must be a positive decimal number/],
    [{ USE_UNCERTAINTY: 'maybe' }, /USE_UNCERTAINTY must be true or false, got 'maybe'/],
    [{ EPOCHS: '0' }, /EPOCHS must be a whole number >= 1, got '0'/],
    [{ EPOCHS: '99999999999' }, /EPOCHS must be a whole number/],
    [{ KL_COEF: 'x' }, /KL_COEF must be a non-negative decimal number/],
    [{ BATCH_SIZE: '1.5' }, /BATCH_SIZE must be a whole number/],
    [{ EXP_NAME: 'a b' }, /EXP_NAME must be a name/],
    [{ EXP_NAME: '../x' }, /EXP_NAME must be a name/],
    [{ CHECKPOINT_ROOT: 'relative/dir' }, /CHECKPOINT_ROOT must be an absolute path/],
    [{ DATA_DIR: '/data/$(touch pwned)' }, /DATA_DIR must be an absolute path/],
    [
      { ROLLOUT_N: '3', BATCH_SIZE: '20' },
      /data\.train_batch_size × rollout\.n = 20 × 3 is not divisible by the 8 × 1 GPUs .*verl\/utils\/config\.py:110/,
    ],
    [{ PPO_MINI_BATCH: '128' }, /actor\.ppo_mini_batch_size 128 exceeds data\.train_batch_size 64/],
    [{ SAVE_FREQ: '50', save_freq: '20' }, /SAVE_FREQ='50' and save_freq='20' are both set and differ/],
    [{ TEST_FREQ: '10', test_freq: '010' }, /TEST_FREQ='10' and test_freq='010' are both set and differ/],
    [{ test_freq: '0' }, /TEST_FREQ must be a whole number >= 1, got '0'/],
  ]
  it.each(bad)('stops with exit 2 before launching on %o', (env, message) => {
    const run = runScript(script('run_4b.sh'), { env: { ...skip, ...env } })
    expect(run.status).toBe(2)
    expect(run.stderr).toMatch(message)
    expect(run.calls).toEqual([])
  })

  describe('preflight', () => {
    const tree = () => {
      const root = tempDir('finqa-data-')
      for (const dir of ['data', 'rewards']) mkdirSync(join(root, dir))
      for (const f of [
        'data/train_4b_model_forecast_20000.parquet',
        'data/test_4b_model_forecast_2000.parquet',
      ]) {
        writeFileSync(join(root, f), '')
      }
      writeFileSync(join(root, 'rewards/reward_uncertain_versatile.py'), '')
      return { root, env: { DATA_DIR: join(root, 'data'), REWARD_DIR: join(root, 'rewards') } }
    }

    it('launches when the data and the chosen reward file exist', () => {
      const { env } = tree()
      const run = runScript(script('run_4b.sh'), { env })
      expect(run.status).toBe(0)
      expect(run.calls).toHaveLength(1)
    })

    it('stops naming the missing reward file of the chosen variant', () => {
      const { root, env } = tree()
      const run = runScript(script('run_4b.sh'), { env: { ...env, USE_UNCERTAINTY: 'false' } })
      expect(run.status).toBe(2)
      expect(run.stderr).toContain(`missing file: ${join(root, 'rewards/reward_versatile.py')}`)
      expect(run.calls).toEqual([])
    })

    it('stops naming a missing data file', () => {
      const { root, env } = tree()
      rmSync(join(root, 'data/test_4b_model_forecast_2000.parquet'))
      const run = runScript(script('run_4b.sh'), { env })
      expect(run.status).toBe(2)
      expect(run.stderr).toContain(`missing file: ${join(root, 'data/test_4b_model_forecast_2000.parquet')}`)
      expect(run.calls).toEqual([])
    })

    it('FINQA_SKIP_PREFLIGHT=1 skips the check', () => {
      const run = runScript(script('run_4b.sh'), { env: { DATA_DIR: '/nowhere', FINQA_SKIP_PREFLIGHT: '1' } })
      expect(run.status).toBe(0)
    })
  })

  it.each(SEED)('every override key $script passes exists in the VERL key list', (e) => {
    const run = runScript(script(e.script), { env: skip })
    expect(run.status).toBe(0)
    expect(run.calls).toHaveLength(1)
    const keys = new Set(Object.keys(verlKeys.keys))
    for (const key of Object.keys(overridesOf(run.calls[0] ?? []).overrides)) {
      expect(keys.has(key.replace(/^\+/, '')), key).toBe(true)
    }
  })
})
