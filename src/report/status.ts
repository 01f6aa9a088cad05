import { round1 } from '../estimate/step-cost.js'
import type { CheckpointFolder, RunStart, SavedStep, UploadDone } from '../load/read-checkpoints.js'
import type { SlurmJob, SlurmJobs } from '../load/read-slurm-jobs.js'
import { shellQuote } from '../render/shell.js'
import { formatHours } from './plan.js'
import { measuredPace } from './progress.js'
import { countCell, formatTextTable, groupDigits } from './text-table.js'

/**
 * Where a run stands (README, "finqa status"):
 * - `not-started`: no Slurm job, and its checkpoint folder holds no checkpoint and no run record;
 * - `queued`: its Slurm job is pending (held included), never requeued;
 * - `running`: its Slurm job runs; without one, a run started by hand that made progress (a checkpoint
 *   or a start) within `staleAfterSeconds`;
 * - `requeued`: its Slurm job was requeued (REQUEUED, or a restart count above 0) and is pending or running;
 * - `failed`: its latest Slurm job ended FAILED, TIMEOUT, OUT_OF_MEMORY, NODE_FAIL, CANCELLED, PREEMPTED,
 *   BOOT_FAIL or DEADLINE; or the job of its last start is gone from Slurm; or, without Slurm, it started
 *   but made no progress within `staleAfterSeconds`; never when finished;
 * - `finished`: the latest checkpoint (or an uploaded one) is at the total steps, or its latest Slurm job
 *   COMPLETED (VERL exits 0 only after the last step);
 * - `unknown`: its checkpoint folder cannot be read here (the root is not mounted) and Slurm has no job.
 */
export type RunState = 'not-started' | 'queued' | 'running' | 'requeued' | 'failed' | 'finished' | 'unknown'

/** One experiment as `status` needs it: what the compile and the plan know, and its checkpoint folder. */
export interface StatusExperiment {
  readonly name: string
  readonly script: string
  /** The Slurm job name of its training job (slurm.job_name, else the experiment name). */
  readonly jobName: string
  readonly checkpointDir: string
  /** The plan's total steps; null when unknown (no row count). */
  readonly totalSteps: number | null
  readonly saveFreq: number
  /** The plan's seconds per step (measured, spec or cost model), for when a run counts as stalled. */
  readonly secondsPerStep: number | null
  /** Null when the checkpoint root is not visible on this machine. */
  readonly folder: CheckpointFolder | null
}

/** A checkpoint root no folder below could be listed in: missing here, or not readable. */
export interface HiddenRoot {
  readonly root: string
  /** `ENOENT`, `EACCES`, ... */
  readonly reason: string
}

export interface StatusInput {
  readonly experiments: readonly StatusExperiment[]
  readonly hiddenRoots: readonly HiddenRoot[]
  readonly slurm: SlurmJobs
  /** Now, in ms since the epoch. */
  readonly nowMs: number
  /** The submit script as the submit command names it (e.g. `dist-scripts/slurm/submit_all.sh`). */
  readonly submitAll: string
}

export interface StatusJob {
  readonly id: string
  readonly state: string
  readonly reason: string | null
  readonly restarts: number
  readonly from: 'squeue' | 'sacct'
}

export interface StatusStart {
  readonly started: string
  readonly user: string | null
  readonly host: string | null
  readonly slurmJobId: number | null
  readonly restartCount: number
  /** The environment overrides of that start, NAME=value. */
  readonly environment: readonly string[]
  /** What it resumed with under FINQA_RESUME_CHANGED=1, or null. */
  readonly resumeChanged: readonly string[] | null
}

/** One experiment's row, as `finqa status --json` prints it. */
export interface StatusRow {
  readonly name: string
  readonly script: string
  readonly state: RunState
  /** Why that state, in words: `job 12 pending (Resources)`, `step 3,120 of 3,120`, ... */
  readonly detail: string
  /** The Slurm job the state comes from (the active one, else the latest), or null. */
  readonly job: StatusJob | null
  /** Other active jobs of the same name (two jobs would write one folder). */
  readonly otherJobs: readonly string[]
  readonly checkpointDir: string
  /** `found`, `none` (no folder yet), `unreadable`, or `not visible` (its root is not visible here). */
  readonly folder: 'found' | 'none' | 'unreadable' | 'not visible'
  /** The latest checkpoint: latest_checkpointed_iteration.txt, else the highest global_step_N. */
  readonly latestStep: number | null
  readonly totalSteps: number | null
  /** latestStep / totalSteps, in percent, one decimal. */
  readonly percent: number | null
  /** From the times the checkpoints were saved (intervals with a start in them left out). */
  readonly stepsPerHour: number | null
  /** Hours to the last step at that pace; null when finished or unknown. */
  readonly remainingHours: number | null
  /** When running or requeued: the latest checkpoint's time plus the remaining hours (ISO 8601, UTC). */
  readonly eta: string | null
  /** The latest checkpoint or start, whichever came last (ISO 8601, UTC). */
  readonly lastActivity: string | null
  readonly lastStart: StatusStart | null
  /** Run records in the folder: one per start. */
  readonly starts: number
  /** Steps uploaded, ascending, each once. */
  readonly uploadedSteps: readonly number[]
  readonly uploads: readonly UploadDone[]
  /** Lines of the record files that are not records. */
  readonly badLines: number
}

export interface StatusReport {
  readonly experiments: readonly StatusRow[]
  readonly hiddenRoots: readonly HiddenRoot[]
  readonly slurm: {
    /** `squeue` when Slurm answered, `absent` without squeue on PATH, `error` when it failed. */
    readonly source: 'squeue' | 'absent' | 'error'
    readonly message: string | null
    /** Whether sacct answered for jobs that left the queue. */
    readonly accounting: boolean
  }
  /** The experiments neither finished nor queued, running or requeued, and the command that submits them. */
  readonly submit: { readonly experiments: readonly string[]; readonly command: string | null }
}

const ACTIVE = new Set([
  'PENDING',
  'RUNNING',
  'CONFIGURING',
  'COMPLETING',
  'SUSPENDED',
  'REQUEUED',
  'REQUEUE_HOLD',
  'REQUEUE_FED',
  'RESIZING',
  'SIGNALING',
  'SPECIAL_EXIT',
  'STAGE_OUT',
])
const REQUEUE_STATES = new Set(['REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'SPECIAL_EXIT'])
const FAILED = new Set([
  'FAILED',
  'TIMEOUT',
  'OUT_OF_MEMORY',
  'NODE_FAIL',
  'CANCELLED',
  'PREEMPTED',
  'BOOT_FAIL',
  'DEADLINE',
])
/** Time allowed after a start or checkpoint, beyond two checkpoint intervals: queue, model load, validation. */
const STARTUP_SECONDS = 3600
/** How long a run without Slurm counts as running when its seconds per step are unknown. */
const UNKNOWN_PACE_STALE_SECONDS = 6 * 3600

/**
 * How long after its last checkpoint or start a run without a Slurm job still counts as running: two
 * checkpoint intervals (save_freq × seconds per step) plus an hour; six hours when the pace is unknown.
 */
export function staleAfterSeconds(saveFreq: number, secondsPerStep: number | null): number {
  return secondsPerStep === null
    ? UNKNOWN_PACE_STALE_SECONDS
    : Math.round(2 * saveFreq * secondsPerStep) + STARTUP_SECONDS
}

/** Where each experiment stands, from its checkpoint folder, its run records and Slurm. Pure. */
export function statusReport(input: StatusInput): StatusReport {
  const jobs = input.slurm.kind === 'jobs' ? input.slurm.jobs : []
  const rows = input.experiments.map((e) =>
    statusRow(
      e,
      jobs.filter((j) => j.name === e.jobName),
      input,
    ),
  )
  const toSubmit = rows.filter((r) => r.state === 'not-started' || r.state === 'failed')
  const stems = toSubmit.map((r) => shellQuote(r.script.replace(/\.sh$/, '')))
  return {
    experiments: rows,
    hiddenRoots: input.hiddenRoots,
    slurm: {
      source: input.slurm.kind === 'jobs' ? 'squeue' : input.slurm.kind,
      message: input.slurm.kind === 'error' ? input.slurm.message : null,
      accounting: input.slurm.kind === 'jobs' && input.slurm.accounting,
    },
    submit: {
      experiments: toSubmit.map((r) => r.name),
      command: stems.length === 0 ? null : `bash ${shellQuote(input.submitAll)} ${stems.join(' ')}`,
    },
  }
}

/** Job ids in submission order: numerically, array tasks after their job. */
function compareJobIds(a: string, b: string): number {
  const [ja, ta] = a.split('_').map((n) => Number.parseInt(n, 10))
  const [jb, tb] = b.split('_').map((n) => Number.parseInt(n, 10))
  return (ja ?? 0) - (jb ?? 0) || (ta ?? -1) - (tb ?? -1)
}

function statusRow(e: StatusExperiment, jobs: readonly SlurmJob[], input: StatusInput): StatusRow {
  const folder = e.folder
  const found = folder?.kind === 'folder' ? folder : null
  const steps: readonly SavedStep[] = found?.steps ?? []
  const starts: readonly RunStart[] = found?.starts ?? []
  const uploads = found?.uploads ?? []
  const latestStep = found === null ? null : (found.latest ?? steps.at(-1)?.step ?? null)
  const total = e.totalSteps
  const pace = measuredPace(steps, starts)
  const lastSaved = steps.find((s) => s.step === latestStep) ?? steps.at(-1)
  const lastStart = starts.at(-1)
  const activityMs = Math.max(lastSaved?.savedMs ?? -Infinity, lastStart?.startedMs ?? -Infinity)
  const uploadedSteps = [...new Set(uploads.map((u) => u.step))].sort((a, b) => a - b)

  const sorted = [...jobs].sort((a, b) => compareJobIds(b.id, a.id))
  // A job that runs is the one writing the folder: before a pending one, however new.
  const active = sorted
    .filter((j) => ACTIVE.has(j.state))
    .sort((a, b) => Number(isPending(a)) - Number(isPending(b)))
  const ended = sorted.find((j) => !ACTIVE.has(j.state) && endedJobCounts(j, starts))
  const job = active[0] ?? ended ?? null

  const atTotal = (step: number | null | undefined): boolean =>
    total !== null && step !== null && step !== undefined && step >= total
  const judged = ((): { state: RunState; detail: string } => {
    if (job !== null && ACTIVE.has(job.state)) return activeState(job)
    if (atTotal(latestStep))
      return {
        state: 'finished',
        detail: `step ${groupDigits(latestStep ?? 0)} of ${groupDigits(total ?? 0)}`,
      }
    const uploadedLast = uploadedSteps.at(-1)
    if (atTotal(uploadedLast))
      return { state: 'finished', detail: `step ${groupDigits(uploadedLast ?? 0)} uploaded` }
    // A job that ended with no folder here wrote elsewhere (CHECKPOINT_ROOT set when submitting?), or
    // stopped before its launch script started: said, since the two views disagree.
    const elsewhere = folder?.kind === 'missing' ? '; no checkpoint folder here' : ''
    if (job !== null && job.state === 'COMPLETED') {
      const at = latestStep === null ? '' : ` at step ${groupDigits(latestStep)} of ${countCell(total)}`
      return { state: 'finished', detail: `job ${job.id} COMPLETED${at}${elsewhere}` }
    }
    if (job !== null && FAILED.has(job.state)) {
      const why = job.reason === null ? '' : ` (${job.reason})`
      return { state: 'failed', detail: `job ${job.id} ${job.state}${why}${elsewhere}` }
    }
    if (folder === null || folder.kind === 'unreadable') {
      const where = folder === null ? 'checkpoint root not visible' : `${folder.dir}: ${folder.reason}`
      return { state: 'unknown', detail: `${where}; no Slurm job` }
    }
    if (lastStart === undefined && steps.length === 0 && latestStep === null)
      return {
        state: 'not-started',
        detail: found === null ? 'no checkpoint folder' : 'no checkpoint, no run record',
      }
    if (input.slurm.kind === 'jobs' && lastStart !== undefined && lastStart.slurmJobId !== null)
      return {
        state: 'failed',
        detail: `job ${lastStart.slurmJobId} of the last start is no longer in Slurm`,
      }
    const staleS = staleAfterSeconds(e.saveFreq, pace?.secondsPerStep ?? e.secondsPerStep)
    const idleS = (input.nowMs - activityMs) / 1000
    const since = `last checkpoint or start ${formatTime(activityMs)}`
    if (idleS <= staleS) return { state: 'running', detail: `no Slurm job; ${since}` }
    return {
      state: 'failed',
      detail: `no progress for ${round1(idleS / 3600)} h (${since}; stalled after ${round1(staleS / 3600)} h)`,
    }
  })()

  const remaining = total === null || latestStep === null ? total : Math.max(0, total - latestStep)
  const remainingHours =
    judged.state === 'finished' || remaining === null || pace === null
      ? null
      : round1((remaining * pace.secondsPerStep) / 3600)
  const etaMs =
    (judged.state === 'running' || judged.state === 'requeued') &&
    remainingHours !== null &&
    lastSaved !== undefined
      ? Math.round(lastSaved.savedMs + remainingHours * 3_600_000)
      : null
  return {
    name: e.name,
    script: e.script,
    state: judged.state,
    detail: judged.detail,
    job:
      job === null
        ? null
        : { id: job.id, state: job.state, reason: job.reason, restarts: job.restarts, from: job.from },
    otherJobs: active.slice(1).map((j) => j.id),
    checkpointDir: e.checkpointDir,
    folder:
      folder === null
        ? 'not visible'
        : folder.kind === 'folder'
          ? 'found'
          : folder.kind === 'missing'
            ? 'none'
            : 'unreadable',
    latestStep,
    totalSteps: total,
    percent: total === null || latestStep === null || total === 0 ? null : round1((latestStep / total) * 100),
    stepsPerHour: pace === null ? null : round1(3600 / pace.secondsPerStep),
    remainingHours,
    eta: etaMs === null ? null : new Date(etaMs).toISOString(),
    lastActivity: Number.isFinite(activityMs) ? new Date(activityMs).toISOString() : null,
    lastStart:
      lastStart === undefined
        ? null
        : {
            started: lastStart.started,
            user: lastStart.user,
            host: lastStart.host,
            slurmJobId: lastStart.slurmJobId,
            restartCount: lastStart.restartCount,
            environment: lastStart.environment,
            resumeChanged: lastStart.resumeChanged,
          },
    starts: starts.length,
    uploadedSteps,
    uploads,
    badLines: found?.badLines ?? 0,
  }
}

/**
 * Whether a job that ended speaks for the run in the folder: when the folder has no run record (nothing
 * says which job wrote it), when a start was that job, or when the job came after the last start's job.
 * An older job of the same name (an earlier study, another checkpoint root) does not.
 */
function endedJobCounts(job: SlurmJob, starts: readonly RunStart[]): boolean {
  if (starts.length === 0) return true
  const id = Number.parseInt(job.id, 10)
  if (starts.some((s) => s.slurmJobId === id)) return true
  const last = starts.at(-1)?.slurmJobId ?? null
  return last !== null && id > last
}

function isPending(job: SlurmJob): boolean {
  return job.state === 'PENDING' || REQUEUE_STATES.has(job.state)
}

function activeState(job: SlurmJob): { state: RunState; detail: string } {
  const pending = isPending(job)
  const why = job.reason === null ? '' : ` (${job.reason})`
  const held = job.reason !== null && /^JobHeld/.test(job.reason)
  const doing = pending ? `${held ? 'held' : 'pending'}${why}` : job.state.toLowerCase()
  if (REQUEUE_STATES.has(job.state) || job.restarts > 0) {
    const times = job.restarts === 1 ? 'once' : `${job.restarts} times`
    const requeued = job.restarts > 0 ? `requeued ${times}` : job.state
    return { state: 'requeued', detail: `job ${job.id} ${requeued}, ${doing}` }
  }
  return { state: pending ? 'queued' : 'running', detail: `job ${job.id} ${doing}` }
}

/** `2026-12-05 08:00 UTC`. */
function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`
}

const STATE_WORDS: Readonly<Record<RunState, string>> = {
  'not-started': 'not started',
  queued: 'queued',
  running: 'running',
  requeued: 'requeued',
  failed: 'failed',
  finished: 'finished',
  unknown: 'unknown',
}

/** The text `finqa status` prints: one row per experiment, the notes, and the command that submits the rest. */
export function formatStatus(report: StatusReport): string {
  const header = [
    'Experiment',
    'State',
    'Step',
    '%',
    'Steps/h',
    'ETA',
    'Uploaded',
    'Last start',
    'Overrides',
    'Detail',
  ]
  const rows = report.experiments.map((r) => [
    r.name,
    STATE_WORDS[r.state],
    r.latestStep === null && r.totalSteps === null
      ? '-'
      : `${r.latestStep === null ? '-' : groupDigits(r.latestStep)} / ${countCell(r.totalSteps)}`,
    r.percent === null ? '' : r.percent.toFixed(1),
    r.stepsPerHour === null ? '' : String(r.stepsPerHour),
    r.eta !== null
      ? formatTime(Date.parse(r.eta))
      : r.remainingHours !== null
        ? `${formatHours(r.remainingHours)} left`
        : '',
    uploadedCell(r.uploadedSteps),
    r.lastStart === null ? '' : startCell(r.lastStart),
    r.lastStart === null ? '' : r.lastStart.environment.join(' ') || '-',
    r.otherJobs.length === 0
      ? r.detail
      : `${r.detail}; also job ${r.otherJobs.join(', ')}: two jobs write one folder`,
  ])
  const lines = [formatTextTable({ header, rows, right: new Set([2, 3, 4]) }), '']
  for (const h of report.hiddenRoots)
    lines.push(
      `Checkpoint root ${h.root} is not visible here (${h.reason}): its runs' progress is unknown; run finqa status where it is mounted, or pass --checkpoint-root.`,
    )
  if (report.slurm.source === 'absent')
    lines.push(
      'Slurm: squeue is not on PATH here; states come from the checkpoint folders and run records only.',
    )
  if (report.slurm.source === 'error')
    lines.push(
      `Slurm: squeue failed (${report.slurm.message}); states come from the checkpoint folders and run records only.`,
    )
  const unknownTotal = report.experiments.filter((r) => r.totalSteps === null).map((r) => r.name)
  if (unknownTotal.length > 0)
    lines.push(`Total steps unknown (no row count: set data.train_rows): ${unknownTotal.join(', ')}.`)
  for (const r of report.experiments.filter((x) => x.badLines > 0))
    lines.push(
      `${r.name}: ${r.badLines} line(s) of finqa-runs.jsonl or finqa-uploads.jsonl are not records; left out.`,
    )
  const { submit } = report
  const unknown = report.experiments.filter((r) => r.state === 'unknown').map((r) => r.name)
  if (unknown.length > 0) lines.push(`State unknown here, so not submitted: ${unknown.join(', ')}.`)
  if (submit.command === null)
    lines.push(
      unknown.length > 0
        ? 'Nothing else to submit: every other experiment is finished, queued, running or requeued.'
        : 'Nothing to submit: every experiment is finished, queued, running or requeued.',
    )
  else {
    const n = submit.experiments.length
    lines.push(
      `Submit the ${n === 1 ? 'experiment' : `${n} experiments`} neither finished nor queued or running (a failed run resumes from its latest checkpoint):`,
      `  ${submit.command}`,
    )
  }
  return `${lines.join('\n')}\n`
}

/** `3 (last 3,120)`, or empty. */
function uploadedCell(steps: readonly number[]): string {
  const last = steps.at(-1)
  if (last === undefined) return ''
  return steps.length === 1 ? `step ${groupDigits(last)}` : `${steps.length} (last ${groupDigits(last)})`
}

/** `alice@gpu-03 2026-12-05 08:00 UTC`. */
function startCell(s: StatusStart): string {
  const who = [s.user, s.host].filter((x) => x !== null).join('@')
  const when = formatTime(Date.parse(s.started))
  return who === '' ? when : `${who} ${when}`
}
