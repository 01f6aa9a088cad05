import { diffExperiments, formatDiff } from '../../report/diff.js'
import { findExperiment } from '../../report/find-experiment.js'
import type { CliContext } from '../cli-context.js'
import { EXIT } from '../exit-codes.js'
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
  const loaded = loadExperiments(options.specDir, ctx)
  if (typeof loaded === 'number') return loaded
  const a = findExperiment(loaded.result.experiments, options.a)
  const b = findExperiment(loaded.result.experiments, options.b)
  let missing = false
  for (const f of [a, b]) {
    if (f.kind !== 'missing') continue
    ctx.stderr.write(`finqa diff: ${f.message}\n`)
    missing = true
  }
  if (missing || a.kind !== 'found' || b.kind !== 'found') return EXIT.specErrors
  const diff = diffExperiments(a.item, b.item, { schema: loaded.schema, all: options.all })
  ctx.stdout.write(options.json ? `${JSON.stringify(diff, null, 2)}\n` : formatDiff(diff))
  return EXIT.ok
}
