import { describe, expect, it, vi } from 'vitest'
import type { Experiment } from '../../src/generated/experiment.js'
import type { Value } from '../../src/verl/expr.js'
import { experiment } from '../helpers/verl-experiment.js'

/**
 * Each of VERL's start-up checks (src/verl/checks.ts, as v0_8_0.ts and v0_9_0.ts cite them), fired by a config
 * just outside its rule and quiet just inside, for both releases: the ids that fail and the text a compile
 * reports (message, who refuses it and when, fix), written out.
 */

/** The VERL keys a launch of the shipped experiments sets (plus the job's GPUs); every check holds. */
const BASE: Readonly<Record<string, Value>> = {
  'data.train_batch_size': 64,
  'actor_rollout_ref.actor.ppo_mini_batch_size': 16,
  'actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu': 2,
  'actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu': 2,
  'actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu': 2,
  'actor_rollout_ref.actor.use_kl_loss': true,
  'actor_rollout_ref.rollout.n': 8,
  'actor_rollout_ref.rollout.name': 'vllm',
  'actor_rollout_ref.rollout.tensor_model_parallel_size': 2,
  'reward.custom_reward_function.path': '/r/reward.py',
  'reward.custom_reward_function.name': 'compute_score',
  'trainer.n_gpus_per_node': 8,
  'trainer.nnodes': 1,
  'job.gpus_per_node': 8,
}

interface Failure {
  readonly id: string
  readonly message: string
  readonly fix: string
}

/**
 * The failures of a release for BASE with `values` over it, as a compile reports them (message, then the
 * refusal). The release is defined afresh (modules reset): a release is defined once per process, so only
 * then does each test run the check definitions it proves (what mutation testing counts).
 */
async function failuresOf(version: string): Promise<(values: Record<string, Value>) => Failure[]> {
  vi.resetModules()
  const { targetFor } = await import('../../src/verl/index.js')
  const { failingChecks, lookupWith } = await import('../../src/verl/evaluate.js')
  const { refusalOf } = await import('../../src/verl/refusal.js')
  const target = targetFor(version)
  return (values) =>
    failingChecks(target, lookupWith(target, new Map(Object.entries({ ...BASE, ...values })))).map((f) => ({
      id: f.check.id,
      message: `${f.message}${refusalOf(target, f.check)}`,
      fix: f.check.fix,
    }))
}

const K = {
  batch: 'data.train_batch_size',
  mini: 'actor_rollout_ref.actor.ppo_mini_batch_size',
  micro: 'actor_rollout_ref.actor.ppo_micro_batch_size',
  microGpu: 'actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu',
  rolloutGpu: 'actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu',
  rolloutGlobal: 'actor_rollout_ref.rollout.log_prob_micro_batch_size',
  refGpu: 'actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu',
  refGlobal: 'actor_rollout_ref.ref.log_prob_micro_batch_size',
  klLoss: 'actor_rollout_ref.actor.use_kl_loss',
  klReward: 'algorithm.use_kl_in_reward',
  dyn: 'actor_rollout_ref.actor.use_dynamic_bsz',
  strategy: 'actor_rollout_ref.actor.strategy',
  n: 'actor_rollout_ref.rollout.n',
  sp: 'actor_rollout_ref.actor.ulysses_sequence_parallel_size',
  padding: 'actor_rollout_ref.model.use_remove_padding',
  lossAgg: 'actor_rollout_ref.actor.loss_agg_mode',
  mode: 'actor_rollout_ref.rollout.mode',
  tp: 'actor_rollout_ref.rollout.tensor_model_parallel_size',
  dp: 'actor_rollout_ref.rollout.data_parallel_size',
  pp: 'actor_rollout_ref.rollout.pipeline_model_parallel_size',
  engine: 'actor_rollout_ref.rollout.name',
  rewardPath: 'reward.custom_reward_function.path',
  rewardName: 'reward.custom_reward_function.name',
  prometheus: 'actor_rollout_ref.rollout.prometheus.enable',
  noLogStats: 'actor_rollout_ref.rollout.disable_log_stats',
  lrScheduler: 'actor_rollout_ref.actor.optim.lr_scheduler_type',
  gpus: 'trainer.n_gpus_per_node',
  nodes: 'trainer.nnodes',
  job: 'job.gpus_per_node',
} as const

const STARTUP = 'at start-up'
const WORKERS = 'when its workers start, after the model load'
const FIRST_STEP = 'at the first training step'
const POOL = 'when it places its workers on GPUs'

/** A check of both releases: its VERL file:line at v0.8.0 and at v0.9.0, and when VERL makes it. */
interface Shared {
  readonly id: string
  readonly at: readonly [v080: string, v090: string]
  readonly stage: string
  readonly message: string
  readonly fix: string
  /** Configs over BASE where it fails, alone (or with the other failures listed). */
  readonly outside: readonly Record<string, Value>[]
  /** Configs over BASE where it holds; the failures there besides, by id (usually none). */
  readonly inside: readonly [Record<string, Value>, readonly string[]][]
}

const PER_GPU_AT = [
  'verl/workers/engine_workers.py:577-578',
  'verl/workers/engine_workers.py:630-631',
] as const
/** The workers' assertion of the actor's per-GPU micro batch, failing beside a check of the global one. */
const actorPerGpuRequired = (v: string): Failure => ({
  id: 'actor-per-gpu-micro-batch-required',
  message: `actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu is null; VERL's workers assert the per-GPU size (the deprecated global form passes the start-up checks but not this); VERL ${v} refuses it ${WORKERS} (${v === '0.8.0' ? PER_GPU_AT[0] : PER_GPU_AT[1]})`,
  fix: 'set PPO_MICRO_BATCH, and no null per-GPU micro batch in extra arguments',
})

const SHARED: readonly Shared[] = [
  {
    id: 'batch-times-n-divisible-by-gpus',
    at: ['verl/utils/config.py:110', 'verl/utils/config.py:110'],
    stage: STARTUP,
    message:
      'data.train_batch_size × rollout.n = 60 × 1 is not divisible by the 8 × 1 GPUs (n_gpus_per_node × nnodes)',
    fix: 'choose BATCH_SIZE or ROLLOUT_N so that their product is a multiple of the GPU count',
    // With it fail, and are not reported: the mini batch × n by the data-parallel size (first), the per-GPU
    // micro batch (second) and, at v0.8.0, the log-prob micro batches (second).
    outside: [
      { [K.batch]: 60, [K.n]: 1, [K.mini]: 12 },
      { [K.batch]: 60, [K.n]: 1, [K.mini]: 12, [K.sp]: 2 },
    ],
    inside: [
      [{ [K.batch]: 64, [K.n]: 1, [K.mini]: 16 }, []],
      // Not made for Megatron workers; the mini batch × n is then the first thing said.
      [
        { [K.batch]: 60, [K.n]: 1, [K.mini]: 12, [K.strategy]: 'megatron' },
        ['mini-batch-times-n-divisible-by-dp'],
      ],
    ],
  },
  {
    id: 'mini-batch-not-above-batch',
    at: ['verl/workers/config/actor.py:224', 'verl/workers/config/actor.py:229'],
    stage: STARTUP,
    message: 'actor.ppo_mini_batch_size 128 exceeds data.train_batch_size 64',
    fix: 'lower PPO_MINI_BATCH (training.ppo_mini_batch_size) to at most BATCH_SIZE',
    // At v0.8.0 the mini batch then does not divide the batch either: said once.
    outside: [{ [K.mini]: 128 }],
    inside: [
      [{ [K.mini]: 64 }, []],
      [{ [K.mini]: 128, [K.dyn]: true }, []],
    ],
  },
  {
    id: 'actor-micro-batch-both',
    at: ['verl/workers/config/actor.py:200', 'verl/workers/config/actor.py:204'],
    stage: STARTUP,
    message: 'both actor.ppo_micro_batch_size (8) and actor.ppo_micro_batch_size_per_gpu (2) are both set',
    fix: 'remove actor_rollout_ref.actor.ppo_micro_batch_size (deprecated); set the per-GPU size with PPO_MICRO_BATCH',
    outside: [{ [K.micro]: 8 }],
    inside: [
      [{ [K.micro]: null }, []],
      [{ [K.micro]: 8, [K.dyn]: true }, []],
    ],
  },
  {
    id: 'actor-micro-batch-none',
    at: ['verl/workers/config/actor.py:207', 'verl/workers/config/actor.py:211'],
    stage: STARTUP,
    message: 'neither actor.ppo_micro_batch_size nor actor.ppo_micro_batch_size_per_gpu is set',
    fix: 'set PPO_MICRO_BATCH (training.ppo_micro_batch_per_gpu), or use_dynamic_bsz=True',
    // The workers' own assertion of the per-GPU size fails too, and is not reported.
    outside: [{ [K.microGpu]: null }],
    inside: [[{ [K.microGpu]: null, [K.dyn]: true }, []]],
  },
  {
    id: 'actor-micro-batch-divides-mini-batch',
    at: ['verl/workers/config/actor.py:232', 'verl/workers/config/actor.py:237'],
    stage: STARTUP,
    message: 'actor.ppo_mini_batch_size 16 is not divisible by actor.ppo_micro_batch_size 10',
    fix: 'use the per-GPU micro batch (PPO_MICRO_BATCH) instead of actor.ppo_micro_batch_size, or make it divide the mini batch',
    outside: [{ [K.micro]: 10, [K.microGpu]: null }],
    inside: [[{ [K.micro]: 8, [K.microGpu]: null }, ['actor-per-gpu-micro-batch-required']]],
  },
  {
    id: 'actor-micro-batch-covers-gpus',
    at: ['verl/workers/config/actor.py:237', 'verl/workers/config/actor.py:242'],
    stage: STARTUP,
    message: 'actor.ppo_micro_batch_size 4 × ulysses_sequence_parallel_size 1 is less than the 8 × 1 GPUs',
    fix: 'use the per-GPU micro batch (PPO_MICRO_BATCH) instead of actor.ppo_micro_batch_size',
    outside: [{ [K.micro]: 4, [K.microGpu]: null }],
    inside: [[{ [K.micro]: 4, [K.microGpu]: null, [K.sp]: 2 }, ['actor-per-gpu-micro-batch-required']]],
  },
  {
    id: 'sequence-parallel-needs-remove-padding',
    at: ['verl/workers/config/actor.py:327', 'verl/workers/config/actor.py:339'],
    stage: STARTUP,
    message:
      'actor.ulysses_sequence_parallel_size is 2, but model.use_remove_padding is off; VERL needs it for sequence parallelism',
    fix: 'set actor_rollout_ref.model.use_remove_padding: true in verl_overrides',
    outside: [{ [K.sp]: 2, [K.padding]: false }],
    inside: [
      [{ [K.sp]: 2, [K.padding]: true }, []],
      [{ [K.sp]: 1, [K.padding]: false }, []],
    ],
  },
  {
    id: 'ref-log-prob-micro-batch-both',
    at: [
      'verl/utils/config.py:156 (check_mutually_exclusive, :140-146)',
      'verl/utils/config.py:156 (check_mutually_exclusive, :140-146)',
    ],
    stage: STARTUP,
    message:
      'both `actor_rollout_ref.ref.log_prob_micro_batch_size` (4) and `actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu` (2) are both set',
    fix: 'remove `actor_rollout_ref.ref.log_prob_micro_batch_size`: only `*_per_gpu` is supported (the former is deprecated)',
    // The reference model is used by a KL loss or a KL penalty in the reward.
    outside: [{ [K.refGlobal]: 4 }, { [K.refGlobal]: 4, [K.klLoss]: false, [K.klReward]: true }],
    inside: [
      [{ [K.refGlobal]: 4, [K.klLoss]: false }, []],
      [{ [K.refGlobal]: 4, [K.dyn]: true }, []],
    ],
  },
  {
    id: 'ref-log-prob-micro-batch-none',
    at: [
      'verl/utils/config.py:156 (check_mutually_exclusive, :140-146)',
      'verl/utils/config.py:156 (check_mutually_exclusive, :140-146)',
    ],
    stage: STARTUP,
    message:
      'neither `actor_rollout_ref.ref.log_prob_micro_batch_size` nor `actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu` is set',
    fix: 'set `actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu` (PPO_MICRO_BATCH), or use_dynamic_bsz=True',
    outside: [{ [K.refGpu]: null }],
    inside: [
      [{ [K.refGpu]: null, [K.klLoss]: false }, []],
      [{ [K.refGpu]: null, [K.dyn]: true }, []],
    ],
  },
  {
    id: 'rollout-log-prob-micro-batch-both',
    at: [
      'verl/utils/config.py:163 (check_mutually_exclusive, :140-146)',
      'verl/utils/config.py:163 (check_mutually_exclusive, :140-146)',
    ],
    stage: STARTUP,
    message:
      'both `actor_rollout_ref.rollout.log_prob_micro_batch_size` (4) and `actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu` (2) are both set',
    fix: 'remove `actor_rollout_ref.rollout.log_prob_micro_batch_size`: only `*_per_gpu` is supported (the former is deprecated)',
    // Made whether or not the reference model is used.
    outside: [{ [K.rolloutGlobal]: 4, [K.klLoss]: false }],
    inside: [[{ [K.rolloutGlobal]: 4, [K.dyn]: true }, []]],
  },
  {
    id: 'rollout-log-prob-micro-batch-none',
    at: [
      'verl/utils/config.py:163 (check_mutually_exclusive, :140-146)',
      'verl/utils/config.py:163 (check_mutually_exclusive, :140-146)',
    ],
    stage: STARTUP,
    message:
      'neither `actor_rollout_ref.rollout.log_prob_micro_batch_size` nor `actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu` is set',
    fix: 'set `actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu` (PPO_MICRO_BATCH), or use_dynamic_bsz=True',
    // The workers' assertion of the per-GPU size fails too, and is not reported.
    outside: [{ [K.rolloutGpu]: null, [K.klLoss]: false }],
    inside: [[{ [K.rolloutGpu]: null, [K.dyn]: true }, []]],
  },
  {
    id: 'rollout-mode-sync-removed',
    at: ['verl/workers/config/rollout.py:287', 'verl/workers/config/rollout.py:279'],
    stage: WORKERS,
    message: "rollout.mode 'sync' has been removed from VERL",
    fix: 'remove actor_rollout_ref.rollout.mode (async is the only mode)',
    outside: [{ [K.mode]: 'sync' }],
    inside: [[{ [K.mode]: 'async' }, []]],
  },
  {
    id: 'rollout-parallel-divides-world',
    at: ['verl/workers/engine_workers.py:600', 'verl/workers/engine_workers.py:653'],
    stage: WORKERS,
    message: 'the 8 × 1 GPUs are not divisible by rollout tensor × data × pipeline parallel size = 2 × 3 × 1',
    fix: 'choose a rollout tensor parallel size (rollout.tensor_parallel_size) that divides the GPU count',
    // A tensor parallel size of 3 does not divide the GPUs per node either: said once.
    outside: [{ [K.dp]: 3 }],
    inside: [
      [{ [K.dp]: 4 }, []],
      [{ [K.tp]: 4, [K.pp]: 2, [K.engine]: 'hf' }, []],
    ],
  },
  {
    id: 'mini-batch-times-n-divisible-by-dp',
    at: [
      'verl/workers/engine_workers.py:258 (mini batch × n formed at verl/trainer/ppo/ray_trainer.py:1311)',
      'verl/workers/engine_workers.py:266 (mini batch × n formed at verl/trainer/ppo/v1/trainer_base.py:1674-1675)',
    ],
    stage: FIRST_STEP,
    message:
      'actor.ppo_mini_batch_size × rollout.n = 4 × 1 is not divisible by the data-parallel size (GPUs ÷ ulysses_sequence_parallel_size 1); VERL asserts it at the first actor update, after the model load and a rollout',
    fix: 'choose PPO_MINI_BATCH or ROLLOUT_N so that their product is a multiple of the data-parallel size',
    outside: [{ [K.n]: 1, [K.mini]: 4 }],
    inside: [
      [{ [K.n]: 1, [K.mini]: 16 }, []],
      [{ [K.n]: 1, [K.mini]: 4, [K.sp]: 3 }, []],
    ],
  },
  {
    id: 'reward-function-name',
    at: ['verl/trainer/ppo/reward.py:76', 'verl/trainer/ppo/reward.py:76'],
    stage: WORKERS,
    message: 'reward.custom_reward_function.path is set but its name is null; VERL asserts a name',
    fix: 'set reward.function in the spec (compute_score), and no null name in extra arguments',
    outside: [{ [K.rewardName]: null }],
    inside: [[{ [K.rewardName]: null, [K.rewardPath]: null }, []]],
  },
  {
    id: 'micro-batch-divides-per-gpu-mini-batch',
    at: ['verl/workers/engine/utils.py:91', 'verl/workers/engine/utils.py:125'],
    stage: FIRST_STEP,
    message:
      "each GPU's share of the mini batch, ppo_mini_batch_size × rollout.n ÷ data-parallel size = 16 × 8 ÷ (8 × 1 ÷ 1), is not divisible by ppo_micro_batch_size_per_gpu 3, which VERL asserts at the first actor update ('data size must be divisible by force_group_size * micro_batch_size_per_gpu')",
    fix: 'choose a PPO_MICRO_BATCH that divides the per-GPU mini batch (1, 2, 4, 8, ...)',
    outside: [{ [K.microGpu]: 3 }],
    inside: [
      [{ [K.microGpu]: 4 }, []],
      [{ [K.microGpu]: 3, [K.dyn]: true }, []],
    ],
  },
  {
    id: 'actor-per-gpu-micro-batch-required',
    at: PER_GPU_AT,
    stage: WORKERS,
    message:
      "actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu is null; VERL's workers assert the per-GPU size (the deprecated global form passes the start-up checks but not this)",
    fix: 'set PPO_MICRO_BATCH, and no null per-GPU micro batch in extra arguments',
    outside: [{ [K.micro]: 8, [K.microGpu]: null }],
    inside: [[{ [K.micro]: 8, [K.microGpu]: null, [K.dyn]: true }, []]],
  },
  {
    id: 'rollout-per-gpu-micro-batch-required',
    at: PER_GPU_AT,
    stage: WORKERS,
    message:
      "actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu is null; VERL's workers assert the per-GPU size (the deprecated global form passes the start-up checks but not this)",
    fix: 'set PPO_MICRO_BATCH, and no null per-GPU micro batch in extra arguments',
    outside: [{ [K.rolloutGlobal]: 4, [K.rolloutGpu]: null }],
    inside: [[{ [K.rolloutGlobal]: 4, [K.rolloutGpu]: null, [K.dyn]: true }, []]],
  },
  {
    id: 'rollout-pipeline-parallel-not-implemented',
    at: ['verl/workers/config/rollout.py:325', 'verl/workers/config/rollout.py:317'],
    stage: WORKERS,
    message: "rollout.pipeline_model_parallel_size 2 > 1 is not implemented for rollout 'vllm'",
    fix: 'remove actor_rollout_ref.rollout.pipeline_model_parallel_size (1)',
    outside: [{ [K.pp]: 2 }],
    inside: [
      [{ [K.pp]: 1 }, []],
      [{ [K.pp]: 2, [K.engine]: 'hf' }, []],
    ],
  },
  {
    id: 'prometheus-needs-log-stats',
    at: ['verl/workers/rollout/llm_server.py:332-334', 'verl/workers/rollout/llm_server.py:584-587'],
    stage: WORKERS,
    message:
      'rollout.prometheus.enable is on, but rollout.disable_log_stats is true; VERL needs the log stats for Prometheus',
    fix: 'also set actor_rollout_ref.rollout.disable_log_stats: false',
    outside: [{ [K.prometheus]: true }],
    inside: [[{ [K.prometheus]: true, [K.noLogStats]: false }, []]],
  },
  {
    id: 'lr-scheduler-type',
    at: ['verl/workers/config/optimizer.py:123', 'verl/workers/config/optimizer.py:123'],
    stage: STARTUP,
    message: "actor.optim.lr_scheduler_type 'linear' is not one VERL knows",
    fix: 'use constant (the default) or cosine',
    outside: [{ [K.lrScheduler]: 'linear' }],
    inside: [
      [{ [K.lrScheduler]: 'cosine' }, []],
      [{ [K.lrScheduler]: 'constant' }, []],
    ],
  },
  {
    id: 'gpus-per-node-within-job',
    at: [
      'verl/single_controller/ray/base.py:237-239 (_check_resource_available)',
      'verl/single_controller/ray/base.py:240-242 (_check_resource_available)',
    ],
    stage: POOL,
    message:
      "trainer.n_gpus_per_node 8 is more than the 4 GPUs per node this job has, so Ray cannot place VERL's workers ('Total available GPUs ... is less than total desired GPUs ...')",
    fix: 'change trainer.gpus_per_node in the spec and recompile (the Slurm job asks for that many), or drop the extra argument',
    outside: [{ [K.job]: 4 }],
    inside: [[{ [K.job]: 8, [K.gpus]: 8 }, []]],
  },
]

/** Checks that fail beside the one a case proves, for the cases where they are expected. */
const ALSO: Readonly<Record<string, (v: string) => Failure[]>> = {
  'actor-micro-batch-divides-mini-batch': (v) => [actorPerGpuRequired(v)],
  'actor-micro-batch-covers-gpus': (v) => [actorPerGpuRequired(v)],
}

describe.each(['0.8.0', '0.9.0'])(
  'VERL %s: each start-up check, just outside and just inside its rule',
  (v) => {
    it.each(SHARED.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
      const failures = await failuresOf(v)
      const expected: Failure = {
        id: c.id,
        message: `${c.message}; VERL ${v} refuses it ${c.stage} (${v === '0.8.0' ? c.at[0] : c.at[1]})`,
        fix: c.fix,
      }
      for (const config of c.outside) {
        expect(failures(config), JSON.stringify(config)).toEqual([expected, ...(ALSO[c.id]?.(v) ?? [])])
      }
      for (const [config, others] of c.inside) {
        expect(
          failures(config).map((f) => f.id),
          JSON.stringify(config),
        ).toEqual(others)
      }
    })

    it('the values of the shipped experiments pass every check', async () => {
      expect((await failuresOf(v))({})).toEqual([])
    })
  },
)

describe('the checks that differ between the releases', () => {
  it('actor-loss-agg-mode: each mode the release lists passes; token-sum only from v0.9.0', async () => {
    const modes = ['token-mean', 'seq-mean-token-sum', 'seq-mean-token-mean', 'seq-mean-token-sum-norm']
    for (const v of ['0.8.0', '0.9.0']) {
      const failures = await failuresOf(v)
      for (const mode of v === '0.9.0' ? [...modes, 'token-sum'] : modes) {
        expect(failures({ [K.lossAgg]: mode }), `${v} ${mode}`).toEqual([])
      }
    }
    expect((await failuresOf('0.8.0'))({ [K.lossAgg]: 'token-sum' })).toEqual([
      {
        id: 'actor-loss-agg-mode',
        message:
          "actor.loss_agg_mode 'token-sum' is not one this VERL knows; VERL 0.8.0 refuses it at start-up (verl/workers/config/actor.py:218)",
        fix: 'use one of token-mean, seq-mean-token-sum, seq-mean-token-mean, seq-mean-token-sum-norm (token-mean is the default)',
      },
    ])
    expect((await failuresOf('0.9.0'))({ [K.lossAgg]: 'seq-sum' })).toEqual([
      {
        id: 'actor-loss-agg-mode',
        message:
          "actor.loss_agg_mode 'seq-sum' is not one this VERL knows; VERL 0.9.0 refuses it at start-up (verl/workers/config/actor.py:223)",
        fix: 'use one of token-mean, token-sum, seq-mean-token-sum, seq-mean-token-mean, seq-mean-token-sum-norm (token-mean is the default)',
      },
    ])
  })

  it('rollout-tensor-parallel-within-node: finqa refuses a tensor parallel group across nodes (no VERL source)', async () => {
    const message =
      'rollout tensor_model_parallel_size 16 does not divide the 8 GPUs per node. VERL may accept it when it divides the GPU count, but its tensor-parallel groups would straddle nodes; finqa refuses it because no one means that'
    for (const v of ['0.8.0', '0.9.0']) {
      const failures = await failuresOf(v)
      expect(failures({ [K.nodes]: 2, [K.tp]: 16 }), v).toEqual([
        {
          id: 'rollout-tensor-parallel-within-node',
          message,
          fix: 'use a tensor parallel size that divides the GPUs per node (1, 2, 4 or 8 on 8 GPUs)',
        },
      ])
      expect(failures({ [K.nodes]: 2, [K.tp]: 8 }), v).toEqual([])
      // Not divisible into the world either: only that is said.
      expect(
        failures({ [K.tp]: 3 }).map((f) => f.id),
        v,
      ).toEqual(['rollout-parallel-divides-world'])
    }
  })

  it('v0.8.0 only: the mini batch divides the batch (the v0.9.0 trainer pads it)', async () => {
    const outside = { [K.mini]: 24 }
    expect((await failuresOf('0.8.0'))(outside)).toEqual([
      {
        id: 'mini-batch-divides-batch',
        message:
          'data.train_batch_size 64 is not a multiple of actor.ppo_mini_batch_size 24, which VERL asserts when it splits the batch into mini batches at the first update; VERL 0.8.0 refuses it at the first training step (verl/utils/tensordict_utils.py:588)',
        fix: 'choose a PPO_MINI_BATCH that divides BATCH_SIZE',
      },
    ])
    expect((await failuresOf('0.8.0'))({ [K.mini]: 32 })).toEqual([])
    expect((await failuresOf('0.8.0'))({ [K.mini]: 24, [K.dyn]: true })).toEqual([])
    expect((await failuresOf('0.9.0'))(outside)).toEqual([])
  })

  it.each([
    ['rollout', K.rolloutGpu, { [K.klLoss]: false }],
    ['ref', K.refGpu, {}],
  ] as const)(
    'v0.8.0 only: the %s log-prob micro batch divides each GPU’s share of the batch',
    async (section, key, extra) => {
      const outside = { [key]: 3, ...extra }
      expect((await failuresOf('0.8.0'))(outside)).toEqual([
        {
          id: `${section}-log-prob-micro-batch-divides-per-gpu-batch`,
          message: `each GPU's share of the batch, data.train_batch_size × rollout.n ÷ data-parallel size = 64 × 8 ÷ (8 × 1 ÷ 1), is not divisible by ${section}.log_prob_micro_batch_size_per_gpu 3, which VERL asserts at the first log-prob pass; VERL 0.8.0 refuses it at the first training step (verl/workers/engine/utils.py:91)`,
          fix: 'choose a PPO_MICRO_BATCH that divides the per-GPU batch',
        },
      ])
      expect((await failuresOf('0.8.0'))({ [key]: 4, ...extra })).toEqual([])
      expect((await failuresOf('0.9.0'))(outside)).toEqual([])
    },
  )

  it('v0.8.0: the ref log-prob micro batch is not checked when no KL term uses the reference model', async () => {
    expect((await failuresOf('0.8.0'))({ [K.refGpu]: 3, [K.klLoss]: false })).toEqual([])
  })
})

/**
 * The field a failed check's diagnostic points at, for an experiment where the fields in `inherited` come
 * from a parent layer: the first key of the check's `blame` that the experiment itself set, else the first.
 * The stub locator puts the JSON Pointer it was asked for in place of the file.
 */
async function pointedAt(version: string, e: Experiment, inherited: readonly string[]): Promise<string[]> {
  vi.resetModules()
  const { checkVerlRules } = await import('../../src/validate/verl-rules.js')
  const at = { ...e, verl: { version } } as Experiment
  return checkVerlRules(at, (pointer) => ({
    value: { file: pointer, line: 1, col: 1 },
    related: inherited.includes(pointer)
      ? [{ file: 'base.yaml', line: 1, col: 1, message: 'inherited from' }]
      : [],
  })).map((d) => `${d.message.slice(0, 40)}… at ${d.file}`)
}

describe('a failed check points at the field to change: the first it blames that the experiment set', () => {
  const on8 = { trainer: { gpus_per_node: 8, nodes: 1 } }
  it.each([
    [
      'batch-times-n-divisible-by-gpus',
      '0.9.0',
      experiment({ ...on8, training: { batch_size: 60, ppo_mini_batch_size: 12 }, rollout: { n: 1 } }),
      ['/training/batch_size', '/rollout/n', '/trainer/gpus_per_node'],
      'data.train_batch_size × rollout.n = 60 ×…',
    ],
    [
      'mini-batch-not-above-batch',
      '0.9.0',
      experiment({ ...on8, training: { ppo_mini_batch_size: 128 } }),
      ['/training/ppo_mini_batch_size', '/training/batch_size'],
      'actor.ppo_mini_batch_size 128 exceeds da…',
    ],
    [
      'mini-batch-divides-batch (v0.8.0)',
      '0.8.0',
      experiment({ ...on8, training: { ppo_mini_batch_size: 24 } }),
      ['/training/ppo_mini_batch_size', '/training/batch_size'],
      'data.train_batch_size 64 is not a multip…',
    ],
    [
      'rollout-parallel-divides-world',
      '0.9.0',
      experiment({ ...on8, verl_overrides: { 'actor_rollout_ref.rollout.data_parallel_size': 3 } }),
      ['/rollout/tensor_parallel_size', '/trainer/gpus_per_node'],
      'the 8 × 1 GPUs are not divisible by roll…',
    ],
    [
      'mini-batch-times-n-divisible-by-dp',
      '0.9.0',
      experiment({ ...on8, training: { ppo_mini_batch_size: 4 }, rollout: { n: 1 } }),
      ['/training/ppo_mini_batch_size', '/rollout/n'],
      'actor.ppo_mini_batch_size × rollout.n = …',
    ],
    [
      'rollout-tensor-parallel-within-node',
      '0.9.0',
      experiment({ trainer: { gpus_per_node: 8, nodes: 2 }, rollout: { tensor_parallel_size: 16 } }),
      ['/rollout/tensor_parallel_size', '/trainer/gpus_per_node'],
      'rollout tensor_model_parallel_size 16 do…',
    ],
    [
      'micro-batch-divides-per-gpu-mini-batch',
      '0.9.0',
      experiment({ ...on8, training: { ppo_micro_batch_per_gpu: 3 } }),
      ['/training/ppo_micro_batch_per_gpu'],
      "each GPU's share of the mini batch, ppo_…",
    ],
    [
      'rollout-log-prob-micro-batch-divides-per-gpu-batch (v0.8.0)',
      '0.8.0',
      experiment({
        ...on8,
        verl_overrides: { 'actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu': 3 },
      }),
      ['/verl_overrides/actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu'],
      "each GPU's share of the batch, data.trai…",
    ],
    [
      'ref-log-prob-micro-batch-divides-per-gpu-batch (v0.8.0)',
      '0.8.0',
      experiment({
        ...on8,
        verl_overrides: { 'actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu': 3 },
      }),
      ['/verl_overrides/actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu'],
      "each GPU's share of the batch, data.trai…",
    ],
  ] as const)('%s', async (_check, version, e, blamed, message) => {
    // Each blamed field in turn, the ones before it inherited; all inherited: the first.
    for (let i = 0; i < blamed.length; i++) {
      expect(await pointedAt(version, e, blamed.slice(0, i)), `${blamed[i]}`).toEqual([
        `${message} at ${blamed[i]}`,
      ])
    }
    expect(await pointedAt(version, e, blamed)).toEqual([`${message} at ${blamed[0]}`])
  })
})
