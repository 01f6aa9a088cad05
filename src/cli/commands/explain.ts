import { explainExperiment, formatExplanation } from '../../report/explain.js'
import { findExperiment } from '../../report/find-experiment.js'
import type { CliContext } from '../cli-context.js'
import { EXIT } from '../exit-codes.js'
import { loadExperiments } from '../load-experiments.js'

export interface ExplainCommandOptions {
  readonly specDir: string
  /** Experiment name or script name. */
  readonly experiment: string
  /** A dotted key; every field when absent. */
  readonly key?: string
  readonly json: boolean
}

/** `finqa explain EXP [KEY]`: each resolved value and the layers that set, overrode or deleted it. */
export function explainCommand(options: ExplainCommandOptions, ctx: CliContext): number {
  const loaded = loadExperiments(options.specDir, ctx)
  if (typeof loaded === 'number') return loaded
  const found = findExperiment(loaded.result.experiments, options.experiment)
  if (found.kind === 'missing') {
    ctx.stderr.write(`finqa explain: ${found.message}\n`)
    return EXIT.specErrors
  }
  const result = explainExperiment(found.item, { key: options.key, schema: loaded.schema })
  if (result.kind === 'unknown-key') {
    ctx.stderr.write(`finqa explain: ${result.message}\n`)
    return EXIT.specErrors
  }
  if (options.json) {
    const data =
      result.kind === 'unset'
        ? {
            ...result.explanation,
            unset: { key: result.key, title: result.title, description: result.description },
          }
        : result.explanation
    ctx.stdout.write(`${JSON.stringify(data, null, 2)}\n`)
  } else {
    ctx.stdout.write(formatExplanation(result))
  }
  return EXIT.ok
}
