import type { RunStart, SavedStep } from '../load/read-checkpoints.js'

/** A run's measured pace: seconds per step over `steps` steps of uninterrupted training. */
export interface MeasuredPace {
  readonly secondsPerStep: number
  /** The steps the figure was measured over. */
  readonly steps: number
}

/**
 * The seconds per step between a run's checkpoints, from the times VERL saved them. An interval with a
 * start in it (a requeue or a rerun: queue wait, model load) is left out, so the figure is the training
 * pace alone. Null with fewer than two checkpoints of one uninterrupted stretch. Pure.
 */
export function measuredPace(steps: readonly SavedStep[], starts: readonly RunStart[]): MeasuredPace | null {
  let stepSum = 0
  let msSum = 0
  for (let i = 1; i < steps.length; i++) {
    const a = steps[i - 1] as SavedStep
    const b = steps[i] as SavedStep
    const ms = b.savedMs - a.savedMs
    if (b.step <= a.step || ms <= 0) continue
    if (starts.some((s) => s.startedMs > a.savedMs && s.startedMs < b.savedMs)) continue
    stepSum += b.step - a.step
    msSum += ms
  }
  if (stepSum === 0) return null
  return { secondsPerStep: Math.round(msSum / stepSum / 100) / 10, steps: stepSum }
}
