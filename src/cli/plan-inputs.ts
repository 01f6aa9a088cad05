import { posix, resolve } from 'node:path'
import { compareStrings } from '../diagnostics/diagnostic.js'
import { type CheckpointFolder, folderProblem, readCheckpointFolder } from '../load/read-checkpoints.js'
import { readParquetRows } from '../load/read-parquet-rows.js'
import type { CompiledExperiment } from '../render/compiled-experiment.js'
import { type PlanOptions, trainFileOf } from '../report/plan.js'
import { type MeasuredPace, measuredPace } from '../report/progress.js'
import type { HiddenRoot } from '../report/status.js'

/** What `plan` and `status` read from disk for a set of experiments. */
export interface PlanInputs {
  readonly plan: PlanOptions
  /** Each experiment's checkpoint folder, by name; absent when its root is hidden. */
  readonly folders: ReadonlyMap<string, CheckpointFolder>
  /** Each experiment's checkpoint folder path, by name. */
  readonly checkpointDirs: ReadonlyMap<string, string>
  readonly hiddenRoots: readonly HiddenRoot[]
}

export interface PlanInputOptions {
  readonly cwd: string
  /** Read the parquet files from here instead of each spec's data.dir. */
  readonly dataDir?: string
  /** Look for the checkpoint folders (ROOT/EXPERIMENT) here instead of each spec's trainer.checkpoint_root. */
  readonly checkpointRoot?: string
}

/**
 * Reads what the plan of `experiments` needs (the row count of every reachable training file, from its
 * parquet footer) and each experiment's checkpoint folder (its saved steps and records, whose pace the plan
 * uses). A checkpoint root this machine cannot list is reported once in `hiddenRoots`, not read below.
 */
export async function readPlanInputs(
  experiments: readonly CompiledExperiment[],
  options: PlanInputOptions,
): Promise<PlanInputs> {
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.cwd, options.dataDir)
  const parquetRows = new Map<string, number>()
  const parquetErrors = new Map<string, string>()
  const files = [...new Set(experiments.map((e) => trainFileOf(e.experiment, dataDir)))].sort()
  for (const file of files) {
    const read = await readParquetRows(file)
    if (read.kind === 'rows') parquetRows.set(file, read.rows)
    else if (read.kind === 'unreadable') parquetErrors.set(file, read.message)
  }
  const root = options.checkpointRoot === undefined ? undefined : resolve(options.cwd, options.checkpointRoot)
  const rootProblems = new Map<string, string | null>()
  const measured = new Map<string, MeasuredPace>()
  const folders = new Map<string, CheckpointFolder>()
  const checkpointDirs = new Map<string, string>()
  for (const { experiment: e } of experiments) {
    const base = root ?? e.trainer.checkpoint_root
    const dir = posix.join(base, e.name)
    checkpointDirs.set(e.name, dir)
    const folder = readCheckpointFolder(dir)
    if (folder.kind !== 'folder') {
      // A folder not there may be a whole root not there (not mounted on this machine): said once.
      if (!rootProblems.has(base)) rootProblems.set(base, folderProblem(base))
      if (rootProblems.get(base) !== null) continue
    }
    folders.set(e.name, folder)
    const pace = folder.kind === 'folder' ? measuredPace(folder.steps, folder.starts) : null
    if (pace !== null) measured.set(e.name, pace)
  }
  const hiddenRoots = [...rootProblems]
    .filter((entry): entry is [string, string] => entry[1] !== null)
    .map(([r, reason]) => ({ root: r, reason }))
    .sort((a, b) => compareStrings(a.root, b.root))
  return { plan: { parquetRows, parquetErrors, dataDir, measured }, folders, checkpointDirs, hiddenRoots }
}
