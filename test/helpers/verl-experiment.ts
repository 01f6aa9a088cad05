import type { Experiment } from '../../src/generated/experiment.js'

/** An experiment as the schema fills it in, with the fields the VERL values come from. */
export function experiment(
  over: {
    training?: object
    reward?: object
    rollout?: object
    trainer?: object
    verl_overrides?: object
  } = {},
): Experiment {
  return {
    name: 'x',
    script: 'run_x.sh',
    project: 'p',
    model: { path: '/m' },
    data: {
      dir: '/d',
      train_file: 't.parquet',
      val_file: 'v.parquet',
      max_prompt_length: 4096,
      max_response_length: 2048,
    },
    reward: {
      dir: '/r',
      use_uncertainty: true,
      uncertain_file: 'u.py',
      plain_file: 'p.py',
      function: 'compute_score',
      ...over.reward,
    },
    training: {
      epochs: 10,
      lr: 1e-6,
      kl_coef: 0.001,
      batch_size: 64,
      ppo_micro_batch_per_gpu: 2,
      save_freq: 100,
      test_freq: 50,
      ...over.training,
    },
    rollout: { n: 8, engine: 'vllm', tensor_parallel_size: 2, gpu_memory_utilization: 0.6, ...over.rollout },
    trainer: { checkpoint_root: '/c', gpus_per_node: 4, nodes: 2, logger: ['console'], ...over.trainer },
    verl_overrides: over.verl_overrides,
  } as unknown as Experiment
}
