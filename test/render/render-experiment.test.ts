import { describe, expect, it } from 'vitest'
import type { Experiment } from '../../src/generated/experiment.js'
import {
  knobsOf,
  type LaunchOverride,
  launchOverridesOf,
  launchViewOf,
  settingsOrderOf,
} from '../../src/render/render-experiment.js'
import { compileTexts } from '../helpers/compile-repo.js'
import { BASE } from '../helpers/inline-specs.js'

/** The experiment `x` of the small inline base plus this layer, compiled without errors. */
function experimentOf(layer = ''): Experiment {
  const result = compileTexts({
    'experiments/base.yaml': BASE,
    'experiments/x.yaml': `extends: ./base.yaml\nname: x\nscript: run_x.sh\n${layer}`,
  })
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
  const [compiled] = result.experiments
  if (compiled === undefined) throw new Error('no experiment')
  return compiled.experiment
}

const override = (key: string, wordKey?: string): LaunchOverride => ({
  key,
  word: '',
  checkLine: '',
  ...(wordKey === undefined ? {} : { wordKey }),
})

describe('settingsOrderOf: the byte order of the override words, known from their keys', () => {
  it('orders the words by `KEY=`, so a key sorts before its longer keys only when = comes first', () => {
    expect(settingsOrderOf([override('b'), override('a.b'), override('a'), override('a_b')])).toEqual([
      2, 3, 4, 1,
    ])
  })

  it('orders an extra override by the key as its word writes it, prefix included', () => {
    expect(settingsOrderOf([override('b'), override('a', '+a'), override('c')])).toEqual([2, 1, 3])
  })

  it('is empty (the script sorts at run time) when two words have the same key, or a key is not ASCII', () => {
    expect(settingsOrderOf([override('a'), override('b'), override('a')])).toEqual([])
    expect(settingsOrderOf([override('b'), override('é')])).toEqual([])
    expect(settingsOrderOf([override('b'), override('a\u007f')])).toEqual([2, 1])
    expect(settingsOrderOf([])).toEqual([])
  })

  it('answers each list of keys by its own order, asked again or not', () => {
    const ba = [override('b'), override('a')]
    expect(settingsOrderOf(ba)).toEqual([2, 1])
    expect(settingsOrderOf([override('a'), override('b')])).toEqual([1, 2])
    expect(settingsOrderOf(ba)).toEqual([2, 1])
  })
})

describe('launchOverridesOf: the VERL overrides of a launch script', () => {
  it('reads numbers from the environment as "key=$VAR", strings Hydra-quoted, and fixes the rest', () => {
    const words = launchOverridesOf(experimentOf()).map((o) => o.word)
    expect(words).toEqual([
      '\'algorithm.adv_estimator="grpo"\'',
      '"data.train_files=\'$TRAIN_FILE\'"',
      '"data.val_files=\'$VAL_FILE\'"',
      '"data.train_batch_size=$BATCH_SIZE"',
      '"data.max_prompt_length=$MAX_PROMPT_LEN"',
      '"data.max_response_length=$MAX_RESP_LEN"',
      '"actor_rollout_ref.model.path=\'$MODEL_PATH\'"',
      '"actor_rollout_ref.actor.optim.lr=$LR"',
      '"actor_rollout_ref.actor.ppo_mini_batch_size=$PPO_MINI_BATCH"',
      '"actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu=$PPO_MICRO_BATCH"',
      'actor_rollout_ref.actor.use_kl_loss=True',
      '"actor_rollout_ref.actor.kl_loss_coef=$KL_COEF"',
      '"actor_rollout_ref.rollout.n=$ROLLOUT_N"',
      '\'actor_rollout_ref.rollout.name="vllm"\'',
      'actor_rollout_ref.rollout.tensor_model_parallel_size=2',
      'actor_rollout_ref.rollout.gpu_memory_utilization=0.6',
      '"actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu=$PPO_MICRO_BATCH"',
      '"actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu=$PPO_MICRO_BATCH"',
      '"reward.custom_reward_function.path=\'$REWARD_FILE\'"',
      '\'reward.custom_reward_function.name="compute_score"\'',
      '\'trainer.logger=["console"]\'',
      '\'trainer.project_name="fin_text_qa"\'',
      '"trainer.experiment_name=\'$EXP_NAME\'"',
      '"trainer.default_local_dir=\'$CHECKPOINT_DIR\'"',
      'trainer.n_gpus_per_node=8',
      'trainer.nnodes=1',
      '"trainer.save_freq=$SAVE_FREQ"',
      '"trainer.test_freq=$TEST_FREQ"',
      '"trainer.total_epochs=$EPOCHS"',
      '\'trainer.resume_mode="auto"\'',
    ])
  })

  it("adds the spec's verl_overrides after them, sorted by key, with the key as the spec writes it", () => {
    const e = experimentOf(
      'verl_overrides:\n  trainer.val_before_train: false\n  +custom.tag: ~x\n  data.truncation: error\n',
    )
    const extra = launchOverridesOf(e).slice(30)
    expect(extra).toEqual([
      {
        key: 'custom.tag',
        wordKey: '+custom.tag',
        word: '\'+custom.tag="~x"\'',
        checkLine: "C['custom.tag']='~x'",
      },
      {
        key: 'data.truncation',
        wordKey: 'data.truncation',
        word: '\'data.truncation="error"\'',
        checkLine: "C['data.truncation']=error",
      },
      {
        key: 'trainer.val_before_train',
        wordKey: 'trainer.val_before_train',
        word: 'trainer.val_before_train=False',
        checkLine: "C['trainer.val_before_train']=false",
      },
    ])
  })
})

describe('knobsOf: the environment settings of a launch script', () => {
  it('gives each knob the spec value as its quoted default; PPO_MINI_BATCH follows BATCH_SIZE unless the spec sets it', () => {
    const set = knobsOf(experimentOf())
    expect(set.find((k) => k.env === 'PPO_MINI_BATCH')).toEqual({
      env: 'PPO_MINI_BATCH',
      default: '32',
      check: 'need_int PPO_MINI_BATCH 1',
      alias: '',
      description: 'PPO mini batch size',
    })
    const follows = knobsOf(experimentOf('training:\n  ppo_mini_batch_size: null\n'))
    expect(follows.find((k) => k.env === 'PPO_MINI_BATCH')).toMatchObject({
      default: '$BATCH_SIZE',
      description: 'PPO mini batch size (follows BATCH_SIZE)',
    })
    expect(set.map((k) => [k.env, k.default])).toEqual([
      ['USE_UNCERTAINTY', 'true'],
      ['ROLLOUT_N', '8'],
      ['EPOCHS', '10'],
      ['LR', '1e-6'],
      ['KL_COEF', '0.001'],
      ['BATCH_SIZE', '64'],
      ['PPO_MINI_BATCH', '32'],
      ['PPO_MICRO_BATCH', '2'],
      ['MAX_PROMPT_LEN', '4096'],
      ['MAX_RESP_LEN', '2048'],
      ['SAVE_FREQ', '100'],
      ['TEST_FREQ', '100'],
      ['EXP_NAME', 'x'],
      ['DATA_DIR', '/data'],
      ['REWARD_DIR', '/rewards'],
      ['MODEL_PATH', 'org/model'],
      ['CHECKPOINT_ROOT', '/checkpoints'],
    ])
  })
})

describe('launchViewOf: the view of a launch script', () => {
  it('holds the release, the check values of the keys the checks read, the knobs with an alias each, and the files quoted', () => {
    const e = experimentOf('description: a b\ndata:\n  train_file: a~b.parquet\n')
    const view = launchViewOf(e, ['experiments/base.yaml', 'experiments/x.yaml'], 'experiments', 'abc123')
    expect(view).toMatchObject({
      script: 'run_x.sh',
      name: 'x',
      description: 'a b',
      sources: ['experiments/base.yaml', 'experiments/x.yaml'],
      specDir: 'experiments',
      verl: {
        version: '0.9.0',
        repo: 'verl-project/verl',
        commit: '483b8a009ba3a97563edee3a19887e4862b8094a',
        rewardPathKey: 'reward.custom_reward_function.path',
      },
      specSha256: 'abc123',
      gpusPerNode: 8,
      nodes: 1,
      trainFile: "'a~b.parquet'",
      valFile: 'val.parquet',
      uncertainFile: 'u.py',
      plainFile: 'p.py',
    })
    expect(view.knobs.find((k) => k.env === 'SAVE_FREQ')?.alias).toBe('save_freq')
    expect(view.knobs.find((k) => k.env === 'LR')?.alias).toBe('')
    expect(view.checkValues).toContain('C[\'actor_rollout_ref.rollout.n\']="$ROLLOUT_N"')
    expect(view.checkValues).toContain("C['actor_rollout_ref.rollout.tensor_model_parallel_size']=2")
    expect(view.checkValues.some((c) => c.startsWith("C['trainer.resume_mode']"))).toBe(false)
    expect(view.overrides).toHaveLength(30)
    expect(view.settingsOrder).toHaveLength(30)
    expect(launchViewOf(experimentOf(), [], 'experiments', '').description).toBe('')
  })

  it("orders each script's words by its own verl_overrides keys, in whatever order scripts come", () => {
    const layers = [
      '',
      'verl_overrides:\n  trainer.val_before_train: false\n',
      'verl_overrides:\n  +a.custom: 1\n',
      'verl_overrides:\n  trainer.val_before_train: true\n',
      'verl_overrides:\n  +zz.custom: 1\n  trainer.val_before_train: false\n',
    ]
    const views = () =>
      layers.map((layer) => {
        const e = experimentOf(layer)
        return {
          view: launchViewOf(e, [], 'experiments', ''),
          expected: settingsOrderOf(launchOverridesOf(e)),
        }
      })
    for (const { view, expected } of [...views(), ...views().reverse()]) {
      expect(view.settingsOrder).toEqual(expected)
      expect(view.settingsOrder).toHaveLength(view.overrides.length)
    }
    // `+a.custom=` sorts first, `+zz.custom=` too (`+` is before the letters); the other order differs.
    const [none, valOnly, a, , zz] = views().map(({ view }) => view.settingsOrder)
    expect(a?.[0]).toBe(31)
    expect(zz?.[0]).toBe(31)
    expect(valOnly).not.toEqual(a)
    expect(none).toHaveLength(30)
  })

  it('tells values of one key apart by type: 1, "1", true and "true" are different words', () => {
    const views = ['1', "'1'", 'true', "'true'", '1.5', "'1.5'"].map((v) => {
      const o = launchOverridesOf(experimentOf(`verl_overrides:\n  +x.y: ${v}\n`)).at(-1)
      return [o?.word, o?.checkLine]
    })
    expect(new Set(views.map(([word]) => word)).size).toBe(6)
    // The checks' table holds text: there a number and its digits are the same.
    expect(views.map(([, check]) => check)).toEqual([
      "C['x.y']=1",
      "C['x.y']=1",
      "C['x.y']=true",
      "C['x.y']=true",
      "C['x.y']=1.5",
      "C['x.y']=1.5",
    ])
  })
})
