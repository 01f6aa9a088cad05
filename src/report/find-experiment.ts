import { didYouMean } from '../diagnostics/did-you-mean.js'
import type { CompiledExperiment } from '../render/compiled-experiment.js'

export type FindResult =
  | { readonly kind: 'found'; readonly item: CompiledExperiment }
  | { readonly kind: 'missing'; readonly message: string }

/** An experiment by its name (`qwen3_4b_rollout12`) or its script (`run_4b_rollout12.sh`). */
export function findExperiment(experiments: readonly CompiledExperiment[], query: string): FindResult {
  const item =
    experiments.find((e) => e.experiment.name === query) ??
    experiments.find((e) => e.experiment.script === query || e.experiment.script === `${query}.sh`)
  if (item !== undefined) return { kind: 'found', item }
  const candidates = experiments.flatMap((e) => [e.experiment.name, e.experiment.script])
  const near = didYouMean(query, candidates)
  const names = experiments.map((e) => e.experiment.name).join(', ')
  return {
    kind: 'missing',
    message: `no experiment named ${query}${near ? `; did you mean ${near}?` : ''} (experiments: ${names || 'none'})`,
  }
}
