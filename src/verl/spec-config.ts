import type { Experiment } from '../generated/experiment.js'
import type { Value } from './expr.js'
import { splitOverrideKey } from './keys.js'
import type { VerlTarget } from './target.js'

/**
 * The values a launch script compiled from this experiment passes to VERL, by VERL key, as VERL's checks see
 * them (the defaults of its environment overrides), plus `job.gpus_per_node`: the GPUs per node the Slurm
 * job asks for. Lists and other values no check reads are left out.
 */
export function specValues(e: Experiment, target: VerlTarget): Map<string, Value> {
  const micro = e.training.ppo_micro_batch_per_gpu
  const values = new Map<string, Value>([
    ['data.train_batch_size', e.training.batch_size],
    ['data.max_prompt_length', e.data.max_prompt_length],
    ['data.max_response_length', e.data.max_response_length],
    ['actor_rollout_ref.actor.ppo_mini_batch_size', e.training.ppo_mini_batch_size ?? e.training.batch_size],
    ['actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu', micro],
    ['actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu', micro],
    ['actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu', micro],
    ['actor_rollout_ref.actor.use_kl_loss', true],
    ['actor_rollout_ref.rollout.n', e.rollout.n],
    ['actor_rollout_ref.rollout.name', e.rollout.engine],
    ['actor_rollout_ref.rollout.tensor_model_parallel_size', e.rollout.tensor_parallel_size],
    [
      target.rewardPathKey,
      `${e.reward.dir}/${e.reward.use_uncertainty ? e.reward.uncertain_file : e.reward.plain_file}`,
    ],
    [target.rewardNameKey, e.reward.function],
    ['trainer.n_gpus_per_node', e.trainer.gpus_per_node],
    ['trainer.nnodes', e.trainer.nodes],
    ['trainer.save_freq', e.training.save_freq],
    ['trainer.test_freq', e.training.test_freq],
    ['trainer.total_epochs', e.training.epochs],
    ['job.gpus_per_node', e.trainer.gpus_per_node],
  ])
  for (const [raw, value] of Object.entries(e.verl_overrides ?? {})) {
    if (value === null || typeof value !== 'object') values.set(splitOverrideKey(raw).key, value as Value)
  }
  return values
}

/** Which spec field (JSON Pointer) sets a VERL key, for the position of a failed check. */
export function fieldOf(target: VerlTarget, key: string, e: Experiment): string | undefined {
  for (const raw of Object.keys(e.verl_overrides ?? {})) {
    if (splitOverrideKey(raw).key === key)
      return `/verl_overrides/${raw.replaceAll('~', '~0').replaceAll('/', '~1')}`
  }
  if (key === 'job.gpus_per_node') return '/trainer/gpus_per_node'
  if (key === 'actor_rollout_ref.actor.ppo_mini_batch_size' && e.training.ppo_mini_batch_size === undefined) {
    return '/training/batch_size'
  }
  return target.typedKeys.get(key)?.fields[0]
}
