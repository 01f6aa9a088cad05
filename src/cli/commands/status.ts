import { readSlurmJobs } from '../../load/read-slurm-jobs.js'
import { SUBMIT_ALL } from '../../render/render-slurm.js'
import { planExperiments } from '../../report/plan.js'
import { formatStatus, type StatusExperiment, statusReport } from '../../report/status.js'
import type { CliContext } from '../cli-context.js'
import { EXIT } from '../exit-codes.js'
import { printJson } from '../json-envelope.js'
import { displayPath, joinDisplay, loadExperiments } from '../load-experiments.js'
import { readPlanInputs } from '../plan-inputs.js'

export interface StatusCommandOptions {
  readonly specDir: string
  /** Look for the checkpoint folders (ROOT/EXPERIMENT) here instead of each spec's trainer.checkpoint_root. */
  readonly checkpointRoot?: string
  /** The folder of the compiled scripts, for the submit command (default: dist-scripts). */
  readonly outDir: string
  readonly json: boolean
}

/**
 * `finqa status [DIR]`: where each experiment's run stands, from its checkpoint folder and run records and,
 * when squeue is on PATH, from Slurm; then the command that submits the ones neither finished nor queued.
 */
export async function statusCommand(options: StatusCommandOptions, ctx: CliContext): Promise<number> {
  const loaded = loadExperiments(options.specDir, ctx, options.json ? { command: 'status' } : undefined)
  if (typeof loaded === 'number') return loaded
  const experiments = loaded.result.experiments
  const inputs = await readPlanInputs(experiments, { cwd: ctx.cwd, checkpointRoot: options.checkpointRoot })
  const plan = planExperiments(experiments, inputs.plan)
  const rows: StatusExperiment[] = experiments.map(({ experiment: e }, i) => ({
    name: e.name,
    script: e.script,
    jobName: e.slurm?.job_name ?? e.name,
    checkpointDir: inputs.checkpointDirs.get(e.name) ?? e.trainer.checkpoint_root,
    totalSteps: plan.rows[i]?.totalSteps ?? null,
    saveFreq: e.training.save_freq,
    secondsPerStep: plan.rows[i]?.secondsPerStep ?? null,
    folder: inputs.folders.get(e.name) ?? null,
  }))
  const report = statusReport({
    experiments: rows,
    hiddenRoots: inputs.hiddenRoots,
    slurm: readSlurmJobs(rows.map((r) => r.jobName)),
    nowMs: Date.now(),
    submitAll: joinDisplay(displayPath(ctx.cwd, options.outDir), SUBMIT_ALL),
  })
  if (options.json) return printJson(ctx, 'status', EXIT.ok, loaded.diagnostics, report)
  ctx.stdout.write(formatStatus(report))
  return EXIT.ok
}
