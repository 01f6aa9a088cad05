import { explainExperiment, formatExplanation } from '../../report/explain.js'
import { findExperiment } from '../../report/find-experiment.js'
import type { CliContext } from '../cli-context.js'
import { EXIT } from '../exit-codes.js'
import { printJson } from '../json-envelope.js'
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
  const loaded = loadExperiments(options.specDir, ctx, options.json ? { command: 'explain' } : undefined)
  if (typeof loaded === 'number') return loaded
  const fail = (message: string): number => {
    if (options.json)
      return printJson(ctx, 'explain', EXIT.specErrors, loaded.diagnostics, { error: message })
    ctx.stderr.write(`finqa explain: ${message}\n`)
    return EXIT.specErrors
  }
  const found = findExperiment(loaded.result.experiments, options.experiment)
  if (found.kind === 'missing') return fail(found.message)
  const result = explainExperiment(found.item, { key: options.key, schema: loaded.schema })
  if (result.kind === 'unknown-key') return fail(result.message)
  if (options.json) {
    const data =
      result.kind === 'unset'
        ? {
            ...result.explanation,
            unset: { key: result.key, title: result.title, description: result.description },
          }
        : result.explanation
    return printJson(ctx, 'explain', EXIT.ok, loaded.diagnostics, data)
  }
  ctx.stdout.write(formatExplanation(result))
  return EXIT.ok
}
