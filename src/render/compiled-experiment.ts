import type { Experiment } from '../generated/experiment.js'
import type { ResolvedSpec } from '../resolve/merge.js'

/** A validated, concrete experiment with the layers behind it: what renderers and reports read. */
export interface CompiledExperiment {
  readonly experiment: Experiment
  readonly spec: ResolvedSpec
}
