import type { VerlCheck } from './target.js'

/**
 * The start-up checks that v0.8.0 and v0.9.0 share for a GRPO run with FSDP engine workers, written once.
 * Each release passes the file:line where it makes each check (the code moved between the tags, the rules
 * did not). Shorthands in the expressions below, spelled out: `n_gpus` is
 * `trainer.n_gpus_per_node * trainer.nnodes` (verl/utils/config.py:87 at both tags).
 */
export interface SharedCheckLines {
  readonly batchDivisible: string
  readonly miniNotAboveBatch: string
  readonly actorMicroBoth: string
  readonly actorMicroNone: string
  readonly actorMicroDividesMini: string
  readonly actorMicroCoversGpus: string
  readonly lossAggMode: string
  readonly refMicro: string
  readonly rolloutMicro: string
  readonly rolloutModeSync: string
  readonly rolloutWorld: string
  readonly miniTimesNDividesDp: string
  readonly rewardName: string
  readonly spNeedsRemovePadding: string
  readonly microDividesPerGpuMini: string
  readonly perGpuMicroRequired: string
  readonly rolloutPipeline: string
  readonly prometheusLogStats: string
  readonly lrScheduler: string
  readonly resourcePool: string
}

/** What else differs between the releases in the shared checks. */
export interface SharedCheckValues {
  /** `valid_loss_agg_modes` in ActorConfig.__post_init__. */
  readonly lossAggModes: readonly string[]
}

const DYN = 'actor_rollout_ref.actor.use_dynamic_bsz'
const N_GPUS = '(trainer.n_gpus_per_node * trainer.nnodes)'
const SP = 'actor_rollout_ref.actor.ulysses_sequence_parallel_size'
const MINI_N = '(actor_rollout_ref.actor.ppo_mini_batch_size * actor_rollout_ref.rollout.n)'
const MICRO_PER_GPU = {
  actor: 'actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu',
  rollout: 'actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu',
} as const

/** `need_reference_policy` (verl/trainer/ppo/utils.py): a KL loss or a KL penalty in the reward needs the ref model. */
const USES_REF = '(actor_rollout_ref.actor.use_kl_loss || algorithm.use_kl_in_reward)'

function exclusive(section: 'ref' | 'rollout', source: string): VerlCheck[] {
  const both = `actor_rollout_ref.${section}.log_prob_micro_batch_size`
  const perGpu = `${both}_per_gpu`
  const when = section === 'ref' ? `!${DYN} && ${USES_REF}` : `!${DYN}`
  return [
    {
      id: `${section}-log-prob-micro-batch-both`,
      source,
      stage: 'validate_config',
      when,
      require: `${both} == null || ${perGpu} == null`,
      message: `both \`${both}\` ({${both}}) and \`${perGpu}\` ({${perGpu}}) are both set`,
      fix: `remove \`${both}\`: only \`*_per_gpu\` is supported (the former is deprecated)`,
    },
    {
      id: `${section}-log-prob-micro-batch-none`,
      source,
      stage: 'validate_config',
      when,
      require: `${both} != null || ${perGpu} != null`,
      message: `neither \`${both}\` nor \`${perGpu}\` is set`,
      fix: `set \`${perGpu}\` (PPO_MICRO_BATCH), or use_dynamic_bsz=True`,
    },
  ]
}

/**
 * v0.8.0's trainer hands the whole batch, batch size × n, to each update and log-prob pass without padding
 * (the v1 trainer of v0.9.0 pads it up to a multiple of lcm(dp, mini batch × n), trainer_base.py:1434-1466),
 * so these hold there only.
 */
export function unpaddedBatchChecks(at: { miniDividesBatch: string; logProbMicro: string }): VerlCheck[] {
  const B = '(data.train_batch_size * actor_rollout_ref.rollout.n)'
  const ok = `!${DYN} && ${SP} >= 1 && ${N_GPUS} % ${SP} == 0 && ${B} % (${N_GPUS} / ${SP}) == 0`
  return [
    {
      id: 'mini-batch-divides-batch',
      source: at.miniDividesBatch,
      stage: 'first step',
      when: `!${DYN} && actor_rollout_ref.actor.ppo_mini_batch_size >= 1`,
      require: 'data.train_batch_size % actor_rollout_ref.actor.ppo_mini_batch_size == 0',
      message:
        'data.train_batch_size {data.train_batch_size} is not a multiple of actor.ppo_mini_batch_size {actor_rollout_ref.actor.ppo_mini_batch_size}, which VERL asserts when it splits the batch into mini batches at the first update',
      fix: 'choose a PPO_MINI_BATCH that divides BATCH_SIZE',
      blame: ['actor_rollout_ref.actor.ppo_mini_batch_size', 'data.train_batch_size'],
      unlessFailed: ['mini-batch-not-above-batch'],
    },
    ...(['rollout', 'ref'] as const).map(
      (section): VerlCheck => ({
        id: `${section}-log-prob-micro-batch-divides-per-gpu-batch`,
        source: at.logProbMicro,
        stage: 'first step',
        when: `${ok} && actor_rollout_ref.${section}.log_prob_micro_batch_size_per_gpu != null${section === 'ref' ? ` && ${USES_REF}` : ''}`,
        require: `${B} / (${N_GPUS} / ${SP}) % actor_rollout_ref.${section}.log_prob_micro_batch_size_per_gpu == 0`,
        message: `each GPU's share of the batch, data.train_batch_size × rollout.n ÷ data-parallel size = {data.train_batch_size} × {actor_rollout_ref.rollout.n} ÷ ({trainer.n_gpus_per_node} × {trainer.nnodes} ÷ {actor_rollout_ref.actor.ulysses_sequence_parallel_size}), is not divisible by ${section}.log_prob_micro_batch_size_per_gpu {actor_rollout_ref.${section}.log_prob_micro_batch_size_per_gpu}, which VERL asserts at the first log-prob pass`,
        fix: 'choose a PPO_MICRO_BATCH that divides the per-GPU batch',
        blame: [`actor_rollout_ref.${section}.log_prob_micro_batch_size_per_gpu`],
        unlessFailed: ['batch-times-n-divisible-by-gpus'],
      }),
    ),
  ]
}

export function sharedChecks(at: SharedCheckLines, values: SharedCheckValues): VerlCheck[] {
  const modes = values.lossAggModes
  return [
    {
      id: 'batch-times-n-divisible-by-gpus',
      source: at.batchDivisible,
      stage: 'validate_config',
      when: `!${DYN} && actor_rollout_ref.actor.strategy != 'megatron'`,
      require: `data.train_batch_size * actor_rollout_ref.rollout.n % ${N_GPUS} == 0`,
      message:
        'data.train_batch_size × rollout.n = {data.train_batch_size} × {actor_rollout_ref.rollout.n} is not divisible by the {trainer.n_gpus_per_node} × {trainer.nnodes} GPUs (n_gpus_per_node × nnodes)',
      fix: 'choose BATCH_SIZE or ROLLOUT_N so that their product is a multiple of the GPU count',
      blame: ['data.train_batch_size', 'actor_rollout_ref.rollout.n', 'trainer.n_gpus_per_node'],
    },
    {
      id: 'mini-batch-not-above-batch',
      source: at.miniNotAboveBatch,
      stage: 'validate_config',
      when: `!${DYN}`,
      require: 'data.train_batch_size >= actor_rollout_ref.actor.ppo_mini_batch_size',
      message:
        'actor.ppo_mini_batch_size {actor_rollout_ref.actor.ppo_mini_batch_size} exceeds data.train_batch_size {data.train_batch_size}',
      fix: 'lower PPO_MINI_BATCH (training.ppo_mini_batch_size) to at most BATCH_SIZE',
      blame: ['actor_rollout_ref.actor.ppo_mini_batch_size', 'data.train_batch_size'],
    },
    {
      id: 'actor-micro-batch-both',
      source: at.actorMicroBoth,
      stage: 'validate_config',
      when: `!${DYN}`,
      require:
        'actor_rollout_ref.actor.ppo_micro_batch_size == null || actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu == null',
      message:
        'both actor.ppo_micro_batch_size ({actor_rollout_ref.actor.ppo_micro_batch_size}) and actor.ppo_micro_batch_size_per_gpu ({actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu}) are both set',
      fix: 'remove actor_rollout_ref.actor.ppo_micro_batch_size (deprecated); set the per-GPU size with PPO_MICRO_BATCH',
    },
    {
      id: 'actor-micro-batch-none',
      source: at.actorMicroNone,
      stage: 'validate_config',
      when: `!${DYN}`,
      require:
        'actor_rollout_ref.actor.ppo_micro_batch_size != null || actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu != null',
      message: 'neither actor.ppo_micro_batch_size nor actor.ppo_micro_batch_size_per_gpu is set',
      fix: 'set PPO_MICRO_BATCH (training.ppo_micro_batch_per_gpu), or use_dynamic_bsz=True',
    },
    {
      id: 'actor-micro-batch-divides-mini-batch',
      source: at.actorMicroDividesMini,
      stage: 'validate_config',
      when: `!${DYN} && actor_rollout_ref.actor.ppo_micro_batch_size != null`,
      require:
        'actor_rollout_ref.actor.ppo_mini_batch_size % actor_rollout_ref.actor.ppo_micro_batch_size == 0',
      message:
        'actor.ppo_mini_batch_size {actor_rollout_ref.actor.ppo_mini_batch_size} is not divisible by actor.ppo_micro_batch_size {actor_rollout_ref.actor.ppo_micro_batch_size}',
      fix: 'use the per-GPU micro batch (PPO_MICRO_BATCH) instead of actor.ppo_micro_batch_size, or make it divide the mini batch',
    },
    {
      id: 'actor-micro-batch-covers-gpus',
      source: at.actorMicroCoversGpus,
      stage: 'validate_config',
      when: `!${DYN} && actor_rollout_ref.actor.ppo_micro_batch_size != null`,
      require: `actor_rollout_ref.actor.ppo_micro_batch_size * ${SP} >= ${N_GPUS}`,
      message:
        'actor.ppo_micro_batch_size {actor_rollout_ref.actor.ppo_micro_batch_size} × ulysses_sequence_parallel_size {actor_rollout_ref.actor.ulysses_sequence_parallel_size} is less than the {trainer.n_gpus_per_node} × {trainer.nnodes} GPUs',
      fix: 'use the per-GPU micro batch (PPO_MICRO_BATCH) instead of actor.ppo_micro_batch_size',
    },
    {
      id: 'actor-loss-agg-mode',
      source: at.lossAggMode,
      stage: 'validate_config',
      require: `actor_rollout_ref.actor.loss_agg_mode in [${modes.map((m) => `'${m}'`).join(', ')}]`,
      message: "actor.loss_agg_mode '{actor_rollout_ref.actor.loss_agg_mode}' is not one this VERL knows",
      fix: `use one of ${modes.join(', ')} (token-mean is the default)`,
    },
    {
      id: 'sequence-parallel-needs-remove-padding',
      source: at.spNeedsRemovePadding,
      stage: 'validate_config',
      when: `${SP} > 1`,
      require: 'actor_rollout_ref.model.use_remove_padding',
      message:
        'actor.ulysses_sequence_parallel_size is {actor_rollout_ref.actor.ulysses_sequence_parallel_size}, but model.use_remove_padding is off; VERL needs it for sequence parallelism',
      fix: 'set actor_rollout_ref.model.use_remove_padding: true in verl_overrides',
    },
    ...exclusive('ref', at.refMicro),
    ...exclusive('rollout', at.rolloutMicro),
    {
      id: 'rollout-mode-sync-removed',
      source: at.rolloutModeSync,
      stage: 'worker init',
      require: "actor_rollout_ref.rollout.mode != 'sync'",
      message: "rollout.mode 'sync' has been removed from VERL",
      fix: 'remove actor_rollout_ref.rollout.mode (async is the only mode)',
    },
    {
      id: 'rollout-parallel-divides-world',
      source: at.rolloutWorld,
      stage: 'worker init',
      require: `${N_GPUS} % (actor_rollout_ref.rollout.tensor_model_parallel_size * actor_rollout_ref.rollout.data_parallel_size * actor_rollout_ref.rollout.pipeline_model_parallel_size) == 0`,
      message:
        'the {trainer.n_gpus_per_node} × {trainer.nnodes} GPUs are not divisible by rollout tensor × data × pipeline parallel size = {actor_rollout_ref.rollout.tensor_model_parallel_size} × {actor_rollout_ref.rollout.data_parallel_size} × {actor_rollout_ref.rollout.pipeline_model_parallel_size}',
      fix: 'choose a rollout tensor parallel size (rollout.tensor_parallel_size) that divides the GPU count',
      blame: ['actor_rollout_ref.rollout.tensor_model_parallel_size', 'trainer.n_gpus_per_node'],
    },
    {
      id: 'mini-batch-times-n-divisible-by-dp',
      source: at.miniTimesNDividesDp,
      stage: 'first step',
      when: `${SP} >= 1 && ${N_GPUS} % ${SP} == 0`,
      require: `${MINI_N} % (${N_GPUS} / ${SP}) == 0`,
      message:
        'actor.ppo_mini_batch_size × rollout.n = {actor_rollout_ref.actor.ppo_mini_batch_size} × {actor_rollout_ref.rollout.n} is not divisible by the data-parallel size (GPUs ÷ ulysses_sequence_parallel_size {actor_rollout_ref.actor.ulysses_sequence_parallel_size}); VERL asserts it at the first actor update, after the model load and a rollout',
      fix: 'choose PPO_MINI_BATCH or ROLLOUT_N so that their product is a multiple of the data-parallel size',
      blame: ['actor_rollout_ref.actor.ppo_mini_batch_size', 'actor_rollout_ref.rollout.n'],
      unlessFailed: ['batch-times-n-divisible-by-gpus'],
    },
    {
      id: 'reward-function-name',
      source: at.rewardName,
      stage: 'worker init',
      when: 'reward.custom_reward_function.path != null',
      require: 'reward.custom_reward_function.name != null',
      message: 'reward.custom_reward_function.path is set but its name is null; VERL asserts a name',
      fix: 'set reward.function in the spec (compute_score), and no null name in extra arguments',
    },
    {
      id: 'rollout-tensor-parallel-within-node',
      source: 'finqa',
      stage: 'finqa',
      require: 'trainer.n_gpus_per_node % actor_rollout_ref.rollout.tensor_model_parallel_size == 0',
      message:
        'rollout tensor_model_parallel_size {actor_rollout_ref.rollout.tensor_model_parallel_size} does not divide the {trainer.n_gpus_per_node} GPUs per node. VERL may accept it when it divides the GPU count, but its tensor-parallel groups would straddle nodes; finqa refuses it because no one means that',
      fix: 'use a tensor parallel size that divides the GPUs per node (1, 2, 4 or 8 on 8 GPUs)',
      blame: ['actor_rollout_ref.rollout.tensor_model_parallel_size', 'trainer.n_gpus_per_node'],
      unlessFailed: ['rollout-parallel-divides-world'],
    },
    {
      id: 'micro-batch-divides-per-gpu-mini-batch',
      source: at.microDividesPerGpuMini,
      stage: 'first step',
      when: `!${DYN} && actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu != null && ${SP} >= 1 && ${N_GPUS} % ${SP} == 0 && ${MINI_N} % (${N_GPUS} / ${SP}) == 0`,
      require: `${MINI_N} / (${N_GPUS} / ${SP}) % actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu == 0`,
      message:
        "each GPU's share of the mini batch, ppo_mini_batch_size × rollout.n ÷ data-parallel size = {actor_rollout_ref.actor.ppo_mini_batch_size} × {actor_rollout_ref.rollout.n} ÷ ({trainer.n_gpus_per_node} × {trainer.nnodes} ÷ {actor_rollout_ref.actor.ulysses_sequence_parallel_size}), is not divisible by ppo_micro_batch_size_per_gpu {actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu}, which VERL asserts at the first actor update ('data size must be divisible by force_group_size * micro_batch_size_per_gpu')",
      fix: 'choose a PPO_MICRO_BATCH that divides the per-GPU mini batch (1, 2, 4, 8, ...)',
      blame: ['actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu'],
      unlessFailed: ['mini-batch-times-n-divisible-by-dp', 'batch-times-n-divisible-by-gpus'],
    },
    ...(['actor', 'rollout'] as const).map(
      (section): VerlCheck => ({
        id: `${section}-per-gpu-micro-batch-required`,
        source: at.perGpuMicroRequired,
        stage: 'worker init',
        when: `!${DYN}`,
        require: `${MICRO_PER_GPU[section]} != null`,
        message: `${MICRO_PER_GPU[section]} is null; VERL's workers assert the per-GPU size (the deprecated global form passes the start-up checks but not this)`,
        fix: 'set PPO_MICRO_BATCH, and no null per-GPU micro batch in extra arguments',
        unlessFailed: [section === 'actor' ? 'actor-micro-batch-none' : 'rollout-log-prob-micro-batch-none'],
      }),
    ),
    {
      id: 'rollout-pipeline-parallel-not-implemented',
      source: at.rolloutPipeline,
      stage: 'worker init',
      when: "actor_rollout_ref.rollout.name in ['vllm', 'sglang', 'trtllm']",
      require: 'actor_rollout_ref.rollout.pipeline_model_parallel_size <= 1',
      message:
        "rollout.pipeline_model_parallel_size {actor_rollout_ref.rollout.pipeline_model_parallel_size} > 1 is not implemented for rollout '{actor_rollout_ref.rollout.name}'",
      fix: 'remove actor_rollout_ref.rollout.pipeline_model_parallel_size (1)',
    },
    {
      id: 'prometheus-needs-log-stats',
      source: at.prometheusLogStats,
      stage: 'worker init',
      when: 'actor_rollout_ref.rollout.prometheus.enable',
      require: '!actor_rollout_ref.rollout.disable_log_stats',
      message:
        'rollout.prometheus.enable is on, but rollout.disable_log_stats is true; VERL needs the log stats for Prometheus',
      fix: 'also set actor_rollout_ref.rollout.disable_log_stats: false',
    },
    {
      id: 'lr-scheduler-type',
      source: at.lrScheduler,
      stage: 'validate_config',
      require: "actor_rollout_ref.actor.optim.lr_scheduler_type in ['constant', 'cosine']",
      message:
        "actor.optim.lr_scheduler_type '{actor_rollout_ref.actor.optim.lr_scheduler_type}' is not one VERL knows",
      fix: 'use constant (the default) or cosine',
    },
    {
      id: 'gpus-per-node-within-job',
      source: at.resourcePool,
      stage: 'resource pool',
      require: 'trainer.n_gpus_per_node <= job.gpus_per_node',
      message:
        "trainer.n_gpus_per_node {trainer.n_gpus_per_node} is more than the {job.gpus_per_node} GPUs per node this job has, so Ray cannot place VERL's workers ('Total available GPUs ... is less than total desired GPUs ...')",
      fix: 'change trainer.gpus_per_node in the spec and recompile (the Slurm job asks for that many), or drop the extra argument',
    },
  ]
}
