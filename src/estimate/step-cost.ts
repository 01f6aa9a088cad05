import type { Experiment } from '../generated/experiment.js'

/**
 * finqa's cost model: the wall-clock seconds of one GRPO step, from the settings that drive it. Pure.
 *
 * A step generates batch_size × n responses, scores them, and updates the actor on them. Per GPU, that is
 * batch_size × n / GPUs sequences; generation costs in proportion to the response tokens and updating in
 * proportion to the prompt + response tokens, both in proportion to the model's parameters:
 *
 *   seconds/step = FIXED + PER_BILLION × params_B × (seqs/GPU ÷ 64)
 *                  × (GENERATION × response/2048 + UPDATE × (prompt + response)/6144)
 *
 * The reference shape (64 sequences per GPU, 4,096 prompt and 2,048 response tokens) is the seed's
 * default: batch 64, n 8, 8 GPUs. The two constants come from the seed's two figures there, 3,120 steps in
 * about 2-3 days for Qwen3-4B and 4-5 days for Qwen3-8B (69 and 125 s/step; README, "Cost model"):
 * 69 = FIXED + 4 × PER_BILLION and 125 = FIXED + 8 × PER_BILLION. How a step splits between generation and
 * the update is not in the seed; GENERATION = 0.6 says that generation dominates a GRPO step. The model
 * ignores tensor parallelism, KV-cache pressure and stragglers: it ranks settings and gives a first figure;
 * a measured run (`finqa plan` reads the checkpoint folders) or estimate.seconds_per_step replaces it.
 */
export const COST_MODEL = {
  /** Seconds per step that do not grow with the model or the batch (scheduling, weight sync, logging). */
  fixedSeconds: 13,
  /** Seconds per step per billion parameters at the reference shape. */
  secondsPerBillion: 14,
  /** Shares of generation and update at the reference shape (they add up to 1). */
  generation: 0.6,
  update: 0.4,
  reference: { sequencesPerGpu: 64, responseTokens: 2048, promptTokens: 4096 },
} as const

/** Where a seconds-per-step figure comes from. */
export type StepCostSource = 'spec' | 'model'

export interface StepCost {
  readonly seconds: number
  readonly from: StepCostSource
}

/**
 * The parameters of the policy model, in billions: estimate.model_params_b, else the `4B` / `8b` in
 * model.label or model.path (`Qwen3-4B`, `.../stockr1-qwen3-4b`); null when neither says.
 */
export function modelParamsB(e: Experiment): number | null {
  if (e.estimate?.model_params_b !== undefined) return e.estimate.model_params_b
  for (const text of [e.model.label, e.model.path]) {
    const m = text === undefined ? null : /(?:^|[^0-9a-z.])(\d+(?:\.\d+)?)b(?![a-z0-9])/i.exec(text)
    if (m !== null) return Number(m[1])
  }
  return null
}

/** The cost model's seconds per step for `e`, rounded to a tenth; null without a model size. */
export function modelSecondsPerStep(e: Experiment): number | null {
  const params = modelParamsB(e)
  if (params === null) return null
  const m = COST_MODEL
  const gpus = e.trainer.nodes * e.trainer.gpus_per_node
  const sequences = (e.training.batch_size * e.rollout.n) / gpus / m.reference.sequencesPerGpu
  const response = e.data.max_response_length
  const generation = (m.generation * response) / m.reference.responseTokens
  const update =
    (m.update * (e.data.max_prompt_length + response)) /
    (m.reference.promptTokens + m.reference.responseTokens)
  return round1(m.fixedSeconds + m.secondsPerBillion * params * sequences * (generation + update))
}

/** estimate.seconds_per_step when set, else the cost model's figure; null when neither has one. */
export function secondsPerStepOf(e: Experiment): StepCost | null {
  if (e.estimate?.seconds_per_step !== undefined)
    return { seconds: e.estimate.seconds_per_step, from: 'spec' }
  const seconds = modelSecondsPerStep(e)
  return seconds === null ? null : { seconds, from: 'model' }
}

/**
 * The training steps of a run: VERL's `trainer.total_training_steps` when `verl_overrides` sets it, else the
 * full batches of `trainRows` rows per epoch × epochs; null without a row count.
 */
export function totalStepsOf(e: Experiment, trainRows: number | null): number | null {
  const fixed = e.verl_overrides?.['trainer.total_training_steps']
  if (typeof fixed === 'number') return fixed
  return trainRows === null ? null : Math.floor(trainRows / e.training.batch_size) * e.training.epochs
}

/** GPU-hours of a run by the spec alone (`data.train_rows`, the cost model); null when it cannot say. */
export function specGpuHours(e: Experiment): number | null {
  const steps = totalStepsOf(e, e.data.train_rows ?? null)
  const pace = secondsPerStepOf(e)
  if (steps === null || pace === null) return null
  return ((steps * pace.seconds) / 3600) * e.trainer.nodes * e.trainer.gpus_per_node
}

/** A number rounded to one decimal (hours, GPU-hours, percentages in reports). */
export function round1(n: number): number {
  return Math.round(n * 10) / 10
}
