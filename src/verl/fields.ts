/**
 * The VERL key each typed spec field becomes, for every release (the reward keys differ by release and are
 * passed in). One table, read by the key checks (a `verl_overrides` key here is refused: the typed field
 * sets it), by `finqa explain` (the VERL key a field becomes) and by the docs.
 */
export interface TypedKey {
  readonly key: string
  /** The spec field(s) it comes from, or what finqa always sets. */
  readonly from: string
  /** JSON Pointers of the fields, for explain; empty when finqa sets it itself. */
  readonly fields: readonly string[]
}

export function typedKeyList(rewardPathKey: string, rewardNameKey: string): readonly TypedKey[] {
  const k = (key: string, from: string, ...fields: string[]): TypedKey => ({ key, from, fields })
  return [
    k('algorithm.adv_estimator', 'always grpo'),
    k('data.train_files', 'data.dir + data.train_file', '/data/dir', '/data/train_file'),
    k('data.val_files', 'data.dir + data.val_file', '/data/dir', '/data/val_file'),
    k('data.train_batch_size', 'training.batch_size', '/training/batch_size'),
    k('data.max_prompt_length', 'data.max_prompt_length', '/data/max_prompt_length'),
    k('data.max_response_length', 'data.max_response_length', '/data/max_response_length'),
    k('actor_rollout_ref.model.path', 'model.path', '/model/path'),
    k('actor_rollout_ref.actor.optim.lr', 'training.lr', '/training/lr'),
    k(
      'actor_rollout_ref.actor.ppo_mini_batch_size',
      'training.ppo_mini_batch_size',
      '/training/ppo_mini_batch_size',
    ),
    k(
      'actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu',
      'training.ppo_micro_batch_per_gpu',
      '/training/ppo_micro_batch_per_gpu',
    ),
    k(
      'actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu',
      'training.ppo_micro_batch_per_gpu',
      '/training/ppo_micro_batch_per_gpu',
    ),
    k(
      'actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu',
      'training.ppo_micro_batch_per_gpu',
      '/training/ppo_micro_batch_per_gpu',
    ),
    k('actor_rollout_ref.actor.use_kl_loss', 'always True (training.kl_coef)'),
    k('actor_rollout_ref.actor.kl_loss_coef', 'training.kl_coef', '/training/kl_coef'),
    k('actor_rollout_ref.rollout.n', 'rollout.n', '/rollout/n'),
    k('actor_rollout_ref.rollout.name', 'rollout.engine', '/rollout/engine'),
    k(
      'actor_rollout_ref.rollout.tensor_model_parallel_size',
      'rollout.tensor_parallel_size',
      '/rollout/tensor_parallel_size',
    ),
    k(
      'actor_rollout_ref.rollout.gpu_memory_utilization',
      'rollout.gpu_memory_utilization',
      '/rollout/gpu_memory_utilization',
    ),
    k(
      rewardPathKey,
      'reward.dir + reward.uncertain_file / reward.plain_file',
      '/reward/dir',
      '/reward/uncertain_file',
      '/reward/plain_file',
      '/reward/use_uncertainty',
    ),
    k(rewardNameKey, 'reward.function', '/reward/function'),
    k('trainer.logger', 'trainer.logger', '/trainer/logger'),
    k('trainer.project_name', 'project', '/project'),
    k('trainer.experiment_name', 'name', '/name'),
    k('trainer.default_local_dir', 'trainer.checkpoint_root + name', '/trainer/checkpoint_root', '/name'),
    k('trainer.n_gpus_per_node', 'trainer.gpus_per_node', '/trainer/gpus_per_node'),
    k('trainer.nnodes', 'trainer.nodes', '/trainer/nodes'),
    k('trainer.save_freq', 'training.save_freq', '/training/save_freq'),
    k('trainer.test_freq', 'training.test_freq', '/training/test_freq'),
    k('trainer.total_epochs', 'training.epochs', '/training/epochs'),
    k('trainer.resume_mode', 'always auto, so a rerun resumes from the latest checkpoint'),
    k(
      'ray_kwargs.ray_init.num_cpus',
      'slurm.cpus_per_task: the Slurm batch file fixes it to the CPUs of the job',
    ),
  ]
}

/** By VERL key. */
export function typedKeysFor(rewardPathKey: string, rewardNameKey: string): ReadonlyMap<string, TypedKey> {
  return new Map(typedKeyList(rewardPathKey, rewardNameKey).map((t) => [t.key, t]))
}
