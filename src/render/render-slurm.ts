import { compareStrings } from '../diagnostics/diagnostic.js'
import type { Experiment } from '../generated/experiment.js'
import { DEFAULT_REQUEUE_SIGNAL_SECONDS } from '../validate/slurm-rules.js'
import { UPLOAD_SCRIPT } from './render-upload.js'
import { sbatchQuote, shellQuote } from './shell.js'

/** Folder of the batch files in the output folder. */
export const SLURM_DIR = 'slurm'
/** The generated script that submits every experiment (and its upload job). */
export const SUBMIT_ALL = `${SLURM_DIR}/submit_all.sh`

const DEFAULT_OUTPUT = 'slurm-%x-%j.out'
const DEFAULT_RAY_PORT = 6379
const DEFAULT_JOIN_TIMEOUT = 600
const DEFAULT_UPLOAD_TIME = '04:00:00'
const MAX_STOP_TIMEOUT = 60

export interface SlurmView {
  /** The batch file's name inside slurm/, e.g. `run_4b.sbatch`. */
  readonly file: string
  readonly stem: string
  readonly script: string
  readonly name: string
  readonly description: string
  readonly sources: readonly string[]
  readonly specDir: string
  /** `--name=value` or `--flag`, sorted by name, values quoted for sbatch. */
  readonly directives: readonly string[]
  readonly nodes: number
  readonly gpusPerNode: number
  readonly multiNode: boolean
  /** Shell text of the checkpoint root default, quoted. */
  readonly checkpointRoot: string
  readonly experimentName: string
  readonly rayPort: number
  readonly joinTimeout: number
  readonly signalLead: number
  /** Seconds between SIGTERM and SIGKILL when the job stops its trainer or Ray: a third of the signal lead, at most 60. */
  readonly stopTimeout: number
}

export interface UploadJobView {
  readonly file: string
  readonly trainFile: string
  readonly name: string
  readonly sources: readonly string[]
  readonly specDir: string
  readonly directives: readonly string[]
  readonly checkpointRoot: string
  readonly experimentName: string
  /** Shell words. */
  readonly args: readonly string[]
  readonly uploadScript: string
}

export interface SubmitEntry {
  readonly name: string
  readonly stem: string
  readonly trainFile: string
  readonly uploadFile: string
  /** Folders of the log files, created before submitting (sbatch does not create them). */
  readonly logDirs: readonly string[]
}

export interface SubmitView {
  readonly specDir: string
  readonly experiments: readonly SubmitEntry[]
  readonly names: string
}

export const stemOf = (e: Experiment): string => e.script.replace(/\.sh$/, '')
export const batchFileOf = (e: Experiment): string => `${stemOf(e)}.sbatch`
export const uploadFileOf = (e: Experiment): string => `${stemOf(e)}.upload.sbatch`
export const uploadEnabled = (e: Experiment): boolean => e.slurm?.upload?.enabled === true

type DirectiveValue = string | number | boolean | undefined

/** `#SBATCH` options sorted by name; `true` is a flag, `false`/undefined are left out. */
function directivesOf(options: Record<string, DirectiveValue>): string[] {
  return Object.entries(options)
    .filter(
      (entry): entry is [string, string | number | true] => entry[1] !== undefined && entry[1] !== false,
    )
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([name, value]) => (value === true ? `--${name}` : `--${name}=${sbatchQuote(String(value))}`))
}

/** The folders of the log paths, when they name one without Slurm patterns. */
function logDirsOf(paths: readonly (string | undefined)[]): string[] {
  const dirs = new Set<string>()
  for (const p of paths) {
    if (p === undefined || !p.includes('/')) continue
    const dir = p.slice(0, p.lastIndexOf('/'))
    if (dir !== '' && !dir.includes('%')) dirs.add(dir)
  }
  return [...dirs].sort()
}

export function slurmViewOf(e: Experiment, sources: readonly string[], specDir: string): SlurmView {
  const s = e.slurm ?? {}
  const lead = s.requeue_signal_seconds ?? DEFAULT_REQUEUE_SIGNAL_SECONDS
  const gpus = e.trainer.gpus_per_node
  const directives = directivesOf({
    ...s.sbatch_options,
    account: s.account,
    constraint: s.constraint,
    'cpus-per-task': s.cpus_per_task,
    error: s.error,
    export: 'ALL',
    'gpus-per-node': s.gpu_type === undefined ? gpus : `${s.gpu_type}:${gpus}`,
    'job-name': s.job_name ?? e.name,
    mem: s.memory,
    nodes: e.trainer.nodes,
    'ntasks-per-node': 1,
    'open-mode': 'append',
    output: s.output ?? DEFAULT_OUTPUT,
    partition: s.partition,
    qos: s.qos,
    requeue: true,
    signal: `B:USR1@${lead}`,
    time: s.time_limit,
  })
  return {
    file: batchFileOf(e),
    stem: stemOf(e),
    script: e.script,
    name: e.name,
    description: e.description ?? '',
    sources,
    specDir,
    directives,
    nodes: e.trainer.nodes,
    gpusPerNode: gpus,
    multiNode: e.trainer.nodes > 1,
    checkpointRoot: shellQuote(e.trainer.checkpoint_root),
    experimentName: shellQuote(e.name),
    rayPort: s.ray?.port ?? DEFAULT_RAY_PORT,
    joinTimeout: s.ray?.join_timeout_seconds ?? DEFAULT_JOIN_TIMEOUT,
    signalLead: lead,
    stopTimeout: Math.min(MAX_STOP_TIMEOUT, Math.floor(lead / 3)),
  }
}

export function uploadJobViewOf(e: Experiment, sources: readonly string[], specDir: string): UploadJobView {
  const s = e.slurm ?? {}
  const u = s.upload ?? {}
  const directives = directivesOf({
    account: s.account,
    'cpus-per-task': u.cpus_per_task,
    error: s.error,
    export: 'ALL',
    'job-name': `${s.job_name ?? e.name}-upload`,
    'kill-on-invalid-dep': 'yes',
    mem: u.memory,
    nodes: 1,
    ntasks: 1,
    'open-mode': 'append',
    output: s.output ?? DEFAULT_OUTPUT,
    partition: s.partition,
    qos: s.qos,
    time: u.time_limit ?? DEFAULT_UPLOAD_TIME,
  })
  return {
    file: uploadFileOf(e),
    trainFile: batchFileOf(e),
    name: e.name,
    sources,
    specDir,
    directives,
    checkpointRoot: shellQuote(e.trainer.checkpoint_root),
    experimentName: shellQuote(e.name),
    args: (u.args ?? []).map(shellQuote),
    uploadScript: UPLOAD_SCRIPT,
  }
}

export function submitViewOf(experiments: readonly Experiment[], specDir: string): SubmitView {
  return {
    specDir,
    experiments: experiments.map((e) => ({
      name: e.name,
      stem: stemOf(e),
      trainFile: batchFileOf(e),
      uploadFile: uploadEnabled(e) ? uploadFileOf(e) : '',
      logDirs: logDirsOf([e.slurm?.output, e.slurm?.error]),
    })),
    names: experiments.map((e) => `${stemOf(e)} (${e.name})`).join(', '),
  }
}
