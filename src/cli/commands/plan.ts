import { hasErrors, sortDiagnostics } from '../../diagnostics/diagnostic.js'
import { formatPlan, planExperiments } from '../../report/plan.js'
import type { CliContext } from '../cli-context.js'
import { EXIT } from '../exit-codes.js'
import { printJson } from '../json-envelope.js'
import { loadExperiments, printDiagnostics } from '../load-experiments.js'
import { readPlanInputs } from '../plan-inputs.js'

export interface PlanCommandOptions {
  readonly specDir: string
  /** Read the parquet files from here instead of each spec's data.dir. */
  readonly dataDir?: string
  /** Look for the runs' checkpoint folders (ROOT/EXPERIMENT) here instead of each spec's trainer.checkpoint_root. */
  readonly checkpointRoot?: string
  readonly json: boolean
}

/**
 * `finqa plan [DIR]`: steps, checkpoints, validations, GPUs and estimated time per experiment. Reads the
 * row count of every training file it can reach from its parquet footer, and warns where the spec differs.
 * A run's checkpoint folder gives its measured pace, which the plan uses for it and for the other
 * experiments of the same model (a folder this machine cannot see is simply not measured).
 */
export async function planCommand(options: PlanCommandOptions, ctx: CliContext): Promise<number> {
  const loaded = loadExperiments(options.specDir, ctx, options.json ? { command: 'plan' } : undefined)
  if (typeof loaded === 'number') return loaded
  const experiments = loaded.result.experiments
  const inputs = await readPlanInputs(experiments, { ...options, cwd: ctx.cwd })
  const plan = planExperiments(experiments, inputs.plan)
  const exitCode = hasErrors(plan.diagnostics) ? EXIT.specErrors : EXIT.ok
  if (options.json) {
    const diagnostics = sortDiagnostics([...loaded.diagnostics, ...plan.diagnostics])
    return printJson(ctx, 'plan', exitCode, diagnostics, { rows: plan.rows, totals: plan.totals })
  }
  printDiagnostics(plan.diagnostics, loaded.sources, ctx)
  ctx.stdout.write(formatPlan(plan))
  return exitCode
}
