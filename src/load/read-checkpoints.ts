import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

/** One `global_step_N` folder VERL saved, and when (the folder's modification time: its last file written). */
export interface SavedStep {
  readonly step: number
  readonly savedMs: number
}

/** A `finqa-runs.jsonl` line (README, "Run records"): one start of a launch script. */
export interface RunStart {
  readonly started: string
  readonly startedMs: number
  readonly experiment: string | null
  readonly host: string | null
  readonly user: string | null
  readonly slurmJobId: number | null
  readonly restartCount: number
  /** The environment overrides of that start, NAME=value. */
  readonly environment: readonly string[]
  /** The differences it resumed with under FINQA_RESUME_CHANGED=1, or null. */
  readonly resumeChanged: readonly string[] | null
}

/** A `finqa-uploads.jsonl` line: one upload upload_to_hf.sh completed. */
export interface UploadDone {
  readonly step: number
  readonly repo: string
  readonly uploaded: string
}

/** What a checkpoint folder holds, as `finqa status` and `finqa plan` read it. */
export type CheckpointFolder =
  | { readonly kind: 'missing'; readonly dir: string }
  | { readonly kind: 'unreadable'; readonly dir: string; readonly reason: string }
  | {
      readonly kind: 'folder'
      readonly dir: string
      /** By step, ascending. */
      readonly steps: readonly SavedStep[]
      /** latest_checkpointed_iteration.txt, when it holds a step. */
      readonly latest: number | null
      /** By start time, ascending. */
      readonly starts: readonly RunStart[]
      readonly uploads: readonly UploadDone[]
      /** Lines of the two record files that are not records (a torn write, a hand edit). */
      readonly badLines: number
    }

/** Whether a folder can be listed here: null, or why not (`ENOENT`, `EACCES`, ...). */
export function folderProblem(dir: string): string | null {
  try {
    readdirSync(dir)
    return null
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? String(error)
  }
}

/** Reads a checkpoint folder: its saved steps, and the run and upload records finqa's scripts wrote. */
export function readCheckpointFolder(dir: string): CheckpointFolder {
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return { kind: 'missing', dir }
    return { kind: 'unreadable', dir, reason: code ?? String(error) }
  }
  const steps: SavedStep[] = []
  for (const name of names) {
    const m = /^global_step_(\d+)$/.exec(name)
    if (m === null) continue
    try {
      const st = statSync(join(dir, name))
      if (st.isDirectory()) steps.push({ step: Number(m[1]), savedMs: st.mtimeMs })
    } catch {
      // a folder removed while listing (max_actor_ckpt_to_keep): not a saved step any more
    }
  }
  steps.sort((a, b) => a.step - b.step)
  const latestText = readText(join(dir, 'latest_checkpointed_iteration.txt'))?.trim()
  const latest = latestText !== undefined && /^\d+$/.test(latestText) ? Number(latestText) : null
  let badLines = 0
  const starts: RunStart[] = []
  for (const record of jsonLines(readText(join(dir, 'finqa-runs.jsonl')), () => badLines++)) {
    const start = runStartOf(record)
    if (start === null) badLines++
    else starts.push(start)
  }
  starts.sort((a, b) => a.startedMs - b.startedMs)
  const uploads: UploadDone[] = []
  for (const record of jsonLines(readText(join(dir, 'finqa-uploads.jsonl')), () => badLines++)) {
    const step = record.step
    if (typeof step === 'number' && typeof record.repo === 'string' && typeof record.uploaded === 'string')
      uploads.push({ step, repo: record.repo, uploaded: record.uploaded })
    else badLines++
  }
  return { kind: 'folder', dir, steps, latest, starts, uploads, badLines }
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}

function* jsonLines(text: string | undefined, bad: () => void): Generator<Record<string, unknown>> {
  if (text === undefined) return
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue
    try {
      const value: unknown = JSON.parse(line)
      if (typeof value === 'object' && value !== null && !Array.isArray(value))
        yield value as Record<string, unknown>
      else bad()
    } catch {
      bad()
    }
  }
}

function runStartOf(r: Record<string, unknown>): RunStart | null {
  if (r.record !== 'start' || typeof r.started !== 'string') return null
  const startedMs = Date.parse(r.started)
  if (Number.isNaN(startedMs)) return null
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null)
  const strings = (v: unknown): string[] =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []
  return {
    started: r.started,
    startedMs,
    experiment: str(r.experiment),
    host: str(r.host),
    user: str(r.user),
    slurmJobId: typeof r.slurm_job_id === 'number' ? r.slurm_job_id : null,
    restartCount: typeof r.restart_count === 'number' ? r.restart_count : 0,
    environment: strings(r.environment),
    resumeChanged: Array.isArray(r.resume_changed) ? strings(r.resume_changed) : null,
  }
}
