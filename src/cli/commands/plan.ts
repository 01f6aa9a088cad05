import { posix, resolve } from 'node:path'
import { hasErrors, sortDiagnostics } from '../../diagnostics/diagnostic.js'
import { readCheckpointFolder } from '../../load/read-checkpoints.js'
import { readParquetRows } from '../../load/read-parquet-rows.js'
import { formatPlan, planExperiments, trainFileOf } from '../../report/plan.js'
import { type MeasuredPace, measuredPace } from '../../report/progress.js'
import type { CliContext } from '../cli-context.js'
import { EXIT } from '../exit-codes.js'
import { printJson } from '../json-envelope.js'
import { loadExperiments, printDiagnostics } from '../load-experiments.js'

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
 */
export async function planCommand(options: PlanCommandOptions, ctx: CliContext): Promise<number> {
  const loaded = loadExperiments(options.specDir, ctx, options.json ? { command: 'plan' } : undefined)
  if (typeof loaded === 'number') return loaded
  const experiments = loaded.result.experiments
  const dataDir = options.dataDir === undefined ? undefined : resolve(ctx.cwd, options.dataDir)
  const parquetRows = new Map<string, number>()
  const parquetErrors = new Map<string, string>()
  const files = [...new Set(experiments.map((e) => trainFileOf(e.experiment, dataDir)))].sort()
  for (const file of files) {
    const read = await readParquetRows(file)
    if (read.kind === 'rows') parquetRows.set(file, read.rows)
    else if (read.kind === 'unreadable') parquetErrors.set(file, read.message)
  }
  // A run's checkpoint folder gives its measured pace, which the plan uses for it and for the other
  // experiments of the same model (a folder this machine cannot see is simply not measured).
  const measured = new Map<string, MeasuredPace>()
  const root = options.checkpointRoot === undefined ? undefined : resolve(ctx.cwd, options.checkpointRoot)
  for (const { experiment: e } of experiments) {
    const folder = readCheckpointFolder(posix.join(root ?? e.trainer.checkpoint_root, e.name))
    const pace = folder.kind === 'folder' ? measuredPace(folder.steps, folder.starts) : null
    if (pace !== null) measured.set(e.name, pace)
  }
  const plan = planExperiments(experiments, { parquetRows, parquetErrors, dataDir, measured })
  const exitCode = hasErrors(plan.diagnostics) ? EXIT.specErrors : EXIT.ok
  if (options.json) {
    const diagnostics = sortDiagnostics([...loaded.diagnostics, ...plan.diagnostics])
    return printJson(ctx, 'plan', exitCode, diagnostics, { rows: plan.rows, totals: plan.totals })
  }
  printDiagnostics(plan.diagnostics, loaded.sources, ctx)
  ctx.stdout.write(formatPlan(plan))
  return exitCode
}
