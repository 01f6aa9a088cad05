import { diffExperiments, formatDiff } from '../../report/diff.js'
import { findExperiment } from '../../report/find-experiment.js'
import type { CliContext } from '../cli-context.js'
import { EXIT } from '../exit-codes.js'
import { printJson } from '../json-envelope.js'
import { loadExperiments } from '../load-experiments.js'

export interface DiffCommandOptions {
  readonly specDir: string
  readonly a: string
  readonly b: string
  /** Also show documentation fields (description, model.label). */
  readonly all: boolean
  readonly json: boolean
}

/** `finqa diff A B`: a report, so 0 whether or not they differ; 1 only on errors. */
export function diffCommand(options: DiffCommandOptions, ctx: CliContext): number {
  const loaded = loadExperiments(options.specDir, ctx, options.json ? { command: 'diff' } : undefined)
  if (typeof loaded === 'number') return loaded
  const a = findExperiment(loaded.result.experiments, options.a)
  const b = findExperiment(loaded.result.experiments, options.b)
  if (a.kind !== 'found' || b.kind !== 'found') {
    const messages = [a, b].flatMap((f) => (f.kind === 'missing' ? [f.message] : []))
    if (options.json)
      return printJson(ctx, 'diff', EXIT.specErrors, loaded.diagnostics, { error: messages.join('; ') })
    for (const m of messages) ctx.stderr.write(`finqa diff: ${m}\n`)
    return EXIT.specErrors
  }
  const diff = diffExperiments(a.item, b.item, { schema: loaded.schema, all: options.all })
  if (options.json) return printJson(ctx, 'diff', EXIT.ok, loaded.diagnostics, diff)
  ctx.stdout.write(formatDiff(diff))
  return EXIT.ok
}
