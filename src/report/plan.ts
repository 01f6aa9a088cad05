import { posix } from 'node:path'
import { type Diagnostic, type Position, sortDiagnostics } from '../diagnostics/diagnostic.js'
import { modelSecondsPerStep, totalStepsOf } from '../estimate/step-cost.js'
import type { Experiment } from '../generated/experiment.js'
import type { Pointer } from '../load/parse-yaml.js'
import type { CompiledExperiment } from '../render/compiled-experiment.js'
import type { MeasuredPace } from './progress.js'
import { countCell, formatTextTable, groupDigits } from './text-table.js'

/** What one experiment will cost, as `finqa plan --json` prints it. */
export interface PlanRow {
  readonly name: string
  readonly script: string
  readonly model: string
  /** The training parquet file: data.dir (or the --data-dir given) + data.train_file. */
  readonly trainFile: string
  /** The rows planned with: the parquet footer's count when it was read, else the spec's. */
  readonly trainRows: number | null
  readonly rowsFrom: 'parquet' | 'spec' | null
  readonly specRows: number | null
  readonly parquetRows: number | null
  readonly batchSize: number
  readonly epochs: number
  /** floor(rows / batch size): VERL's train loader drops the last partial batch. */
  readonly stepsPerEpoch: number | null
  /** stepsPerEpoch × epochs, or `trainer.total_training_steps` when verl_overrides sets it. */
  readonly totalSteps: number | null
  readonly saveFreq: number
  /** Checkpoints written: every save_freq steps and at the last step. */
  readonly checkpoints: number | null
  readonly testFreq: number
  /** Validation runs: before training (unless trainer.val_before_train is false), every test_freq steps and at the last step. */
  readonly validations: number | null
  /** trainer.nodes × trainer.gpus_per_node. */
  readonly gpus: number
  readonly secondsPerStep: number | null
  /**
   * Where secondsPerStep comes from: estimate.seconds_per_step (`spec`), a run's checkpoints (`measured`:
   * this experiment's, or one of the same model scaled by the cost model, see measuredFrom), or finqa's
   * cost model (`model`); null when there is none.
   */
  readonly secondsFrom: 'spec' | 'measured' | 'model' | null
  /** The experiment whose run was measured, when secondsFrom is `measured`. */
  readonly measuredFrom: string | null
  readonly estimatedHours: number | null
  readonly gpuHours: number | null
}

export interface PlanTotals {
  readonly experiments: number
  readonly totalSteps: number
  readonly checkpoints: number
  readonly validations: number
  /** GPUs to run every experiment at once. */
  readonly gpus: number
  /** Wall time run one after another. */
  readonly estimatedHours: number
  readonly gpuHours: number
  /** Scripts whose steps are unknown (no row count): the step, checkpoint and validation totals leave them out. */
  readonly withoutSteps: readonly string[]
  /** Scripts whose time is unknown (no steps or no seconds per step): the time totals leave them out. */
  readonly withoutTime: readonly string[]
}

export interface Plan {
  readonly rows: readonly PlanRow[]
  readonly totals: PlanTotals
  readonly diagnostics: readonly Diagnostic[]
}

export interface PlanOptions {
  /** Row counts read from parquet footers, by the path `trainFileOf` gives. */
  readonly parquetRows?: ReadonlyMap<string, number>
  /** Files that exist but whose footer could not be read, with the reason. */
  readonly parquetErrors?: ReadonlyMap<string, string>
  /** Look for the parquet files here instead of each spec's data.dir (as DATA_DIR does for a script). */
  readonly dataDir?: string
  /** Measured paces of runs, by experiment name (from their checkpoint folders). */
  readonly measured?: ReadonlyMap<string, MeasuredPace>
}

/** The training file an experiment reads, as a path on this machine. */
export function trainFileOf(e: Experiment, dataDir?: string): string {
  return posix.join(dataDir ?? e.data.dir, e.data.train_file)
}

/** Steps, checkpoints, validations, GPUs and estimated time of each experiment, and their totals. Pure. */
export function planExperiments(experiments: readonly CompiledExperiment[], options: PlanOptions = {}): Plan {
  const diagnostics: Diagnostic[] = []
  const rows = experiments.map((item) => planOne(item, options, diagnostics, experiments))
  return { rows, totals: totalsOf(rows), diagnostics: sortDiagnostics(diagnostics) }
}

/**
 * The plan with no options and no diagnostics, as the generated README shows it. A row is then a function of
 * its experiment alone, made once per experiment: the README of a watching process plans only the
 * experiments an edit compiled again.
 */
export function planRowsAlone(experiments: readonly CompiledExperiment[]): Omit<Plan, 'diagnostics'> {
  const rows = experiments.map((item) => {
    let row = plannedAlone.get(item)
    if (row === undefined) {
      row = planOne(item, {}, [], experiments)
      plannedAlone.set(item, row)
    }
    return row
  })
  return { rows, totals: totalsOf(rows) }
}

function totalsOf(rows: readonly PlanRow[]): PlanTotals {
  const sum = (f: (r: PlanRow) => number | null): number => rows.reduce((n, r) => n + (f(r) ?? 0), 0)
  return {
    experiments: rows.length,
    totalSteps: sum((r) => r.totalSteps),
    checkpoints: sum((r) => r.checkpoints),
    validations: sum((r) => r.validations),
    gpus: sum((r) => r.gpus),
    estimatedHours: round2(sum((r) => r.estimatedHours)),
    gpuHours: round2(sum((r) => r.gpuHours)),
    withoutSteps: rows.filter((r) => r.totalSteps === null).map((r) => r.script),
    withoutTime: rows.filter((r) => r.estimatedHours === null).map((r) => r.script),
  }
}

const plannedAlone = new WeakMap<CompiledExperiment, PlanRow>()

function planOne(
  item: CompiledExperiment,
  options: PlanOptions,
  diagnostics: Diagnostic[],
  all: readonly CompiledExperiment[],
): PlanRow {
  const { experiment: e, spec } = item
  const at = (pointer: Pointer): Position =>
    spec.sources.get(pointer)?.history.at(-1)?.position ?? { file: spec.file, line: 1, col: 1 }
  const trainFile = trainFileOf(e, options.dataDir)
  const specRows = e.data.train_rows ?? null
  const parquetRows = options.parquetRows?.get(trainFile) ?? null
  const trainRows = parquetRows ?? specRows
  const parquetError = options.parquetErrors?.get(trainFile)
  if (parquetError !== undefined) {
    diagnostics.push({
      ...at('/data/train_file'),
      severity: 'warning',
      code: 'PARQUET_UNREADABLE',
      message: `could not read the row count of ${trainFile}: ${parquetError}`,
      suggestion: 'check that the file is a complete parquet file',
    })
  }
  if (parquetRows !== null && specRows !== null && parquetRows !== specRows) {
    diagnostics.push({
      ...at('/data/train_rows'),
      severity: 'warning',
      code: 'ROW_COUNT',
      message: `data.train_rows is ${specRows}, but the footer of ${trainFile} counts ${parquetRows} rows; the plan uses ${parquetRows}`,
      suggestion: `set data.train_rows: ${parquetRows}`,
    })
  }
  if (trainRows === null) {
    diagnostics.push({
      ...at('/data/train_file'),
      severity: 'warning',
      code: 'ROW_COUNT',
      message: `no row count for ${trainFile}: the spec has no data.train_rows and the file is not reachable here`,
      suggestion: 'set data.train_rows, or point --data-dir at a copy of the data',
    })
  }

  const batchSize = e.training.batch_size
  const epochs = e.training.epochs
  const stepsPerEpoch = trainRows === null ? null : Math.floor(trainRows / batchSize)
  if (stepsPerEpoch === 0) {
    diagnostics.push({
      ...at('/training/batch_size'),
      severity: 'warning',
      code: 'ROW_COUNT',
      message: `${trainRows} training rows make no full batch of ${batchSize}: ${e.name} would train 0 steps`,
    })
  }
  const totalSteps = totalStepsOf(e, trainRows)
  const saveFreq = e.training.save_freq
  const testFreq = e.training.test_freq
  const valBeforeTrain = e.verl_overrides?.['trainer.val_before_train'] !== false
  const everyAndLast = (steps: number, freq: number): number =>
    steps <= 0 ? 0 : Math.floor(steps / freq) + (steps % freq === 0 ? 0 : 1)
  const gpus = e.trainer.nodes * e.trainer.gpus_per_node
  const pace = paceOf(e, options.measured, all)
  const secondsPerStep = pace?.seconds ?? null
  const hours = totalSteps === null || secondsPerStep === null ? null : (totalSteps * secondsPerStep) / 3600
  return {
    name: e.name,
    script: e.script,
    model: e.model.label ?? e.model.path,
    trainFile,
    trainRows,
    rowsFrom: parquetRows !== null ? 'parquet' : specRows !== null ? 'spec' : null,
    specRows,
    parquetRows,
    batchSize,
    epochs,
    stepsPerEpoch,
    totalSteps,
    saveFreq,
    checkpoints: totalSteps === null ? null : everyAndLast(totalSteps, saveFreq),
    testFreq,
    validations: totalSteps === null ? null : (valBeforeTrain ? 1 : 0) + everyAndLast(totalSteps, testFreq),
    gpus,
    secondsPerStep,
    secondsFrom: pace?.from ?? null,
    measuredFrom: pace?.measuredFrom ?? null,
    estimatedHours: hours === null ? null : round2(hours),
    gpuHours: hours === null ? null : round2(hours * gpus),
  }
}

interface Pace {
  readonly seconds: number
  readonly from: 'spec' | 'measured' | 'model'
  readonly measuredFrom: string | null
}

/**
 * Seconds per step: estimate.seconds_per_step; else this experiment's measured run; else a measured run of
 * the same model (model.path), scaled by the cost model's ratio of the two; else the cost model.
 */
function paceOf(
  e: Experiment,
  measured: ReadonlyMap<string, MeasuredPace> | undefined,
  all: readonly CompiledExperiment[],
): Pace | null {
  if (e.estimate?.seconds_per_step !== undefined)
    return { seconds: e.estimate.seconds_per_step, from: 'spec', measuredFrom: null }
  const own = measured?.get(e.name)
  if (own !== undefined) return { seconds: own.secondsPerStep, from: 'measured', measuredFrom: e.name }
  const model = modelSecondsPerStep(e)
  if (measured !== undefined && model !== null) {
    for (const { experiment: other } of all) {
      const run = measured.get(other.name)
      const otherModel = other.model.path === e.model.path ? modelSecondsPerStep(other) : null
      if (run === undefined || otherModel === null) continue
      const seconds = Math.round(((run.secondsPerStep * model) / otherModel) * 10) / 10
      return { seconds, from: 'measured', measuredFrom: other.name }
    }
  }
  return model === null ? null : { seconds: model, from: 'model', measuredFrom: null }
}

function round2(n: number): number {
  return Math.round(n * 100) / 100
}

/** `59.8 h (2.5 days)`, or `?` when there is no estimate. */
export function formatHours(hours: number | null): string {
  if (hours === null) return '?'
  const h = hours < 10 ? hours.toFixed(1) : groupDigits(Math.round(hours * 10) / 10)
  return hours >= 24 ? `${h} h (${(hours / 24).toFixed(1)} days)` : `${h} h`
}

/**
 * A total over the rows that are known: as is when every row is, `?` when none is, and `N + ?` when some
 * are not (a partial sum is never shown as the whole, nor an unknown total as 0).
 */
export function totalCell(text: string, unknown: readonly string[], rows: number): string {
  if (unknown.length === 0) return text
  return unknown.length === rows ? '?' : `${text} + ?`
}

/** The note under a plan's table that names the rows its totals leave out. */
export function unknownNote(totals: PlanTotals): string[] {
  const out: string[] = []
  if (totals.withoutSteps.length > 0)
    out.push(
      `Unknown steps (no row count: set data.train_rows, or --data-dir): ${totals.withoutSteps.join(', ')}; the totals leave them out (+ ?).`,
    )
  const timeOnly = totals.withoutTime.filter((s) => !totals.withoutSteps.includes(s))
  if (timeOnly.length > 0)
    out.push(
      `Unknown time (no model size for the cost model: set estimate.model_params_b or estimate.seconds_per_step): ${timeOnly.join(', ')}; the time totals leave them out (+ ?).`,
    )
  return out
}

/** A plan row's counts as table cells, from batch size to GPUs (`finqa plan` and the README show them alike). */
export function countCells(r: PlanRow): string[] {
  return [r.batchSize, r.stepsPerEpoch, r.epochs, r.totalSteps, r.checkpoints, r.validations, r.gpus].map(
    countCell,
  )
}

/** `97 (model)`, `69 (spec)`, `70.2 (measured)`, `101.3 (measured: qwen3_4b_default)` or `?`. */
export function secondsCell(r: PlanRow): string {
  if (r.secondsPerStep === null) return '?'
  const from =
    r.secondsFrom === 'measured' && r.measuredFrom !== r.name ? `measured: ${r.measuredFrom}` : r.secondsFrom
  return `${r.secondsPerStep} (${from})`
}

/** The text `finqa plan` prints: one row per experiment and a total line. */
export function formatPlan(plan: Plan): string {
  const header = [
    'Script',
    'Model',
    'Train rows',
    'Batch',
    'Steps/epoch',
    'Epochs',
    'Total steps',
    'Checkpoints',
    'Validations',
    'GPUs',
    's/step',
    'Est. time',
    'GPU-hours',
  ]
  const rows = plan.rows.map((r) => [
    r.script,
    r.model,
    `${countCell(r.trainRows)}${r.rowsFrom === 'parquet' ? ' (parquet)' : ''}`,
    ...countCells(r),
    secondsCell(r),
    formatHours(r.estimatedHours),
    r.gpuHours === null ? '?' : groupDigits(Math.round(r.gpuHours)),
  ])
  const t = plan.totals
  rows.push([
    `Total (${t.experiments} experiments)`,
    '',
    '',
    '',
    '',
    '',
    totalCell(groupDigits(t.totalSteps), t.withoutSteps, t.experiments),
    totalCell(groupDigits(t.checkpoints), t.withoutSteps, t.experiments),
    totalCell(groupDigits(t.validations), t.withoutSteps, t.experiments),
    groupDigits(t.gpus),
    '',
    totalCell(formatHours(t.estimatedHours), t.withoutTime, t.experiments),
    totalCell(groupDigits(Math.round(t.gpuHours)), t.withoutTime, t.experiments),
  ])
  const right = new Set([2, 3, 4, 5, 6, 7, 8, 9, 10, 12])
  const notes = [
    '',
    'Steps/epoch = floor(train rows / batch size). Checkpoints: every save_freq steps and at the last step.',
    'Validations: before training, every test_freq steps and at the last step. Time: total steps × s/step, the total',
    'for running the experiments one after another. s/step: (model) finqa\'s cost model (README, "Cost model"),',
    "(spec) estimate.seconds_per_step, (measured) the run's checkpoints, or those of NAME, a run of the same model",
    'scaled by the cost model.',
    ...unknownNote(t),
  ]
  return `${formatTextTable({ header, rows, right })}\n${notes.join('\n')}\n`
}
