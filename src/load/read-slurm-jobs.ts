import { spawnSync } from 'node:child_process'
import { userInfo } from 'node:os'

/** One Slurm job, as squeue (or sacct, once it left the queue) lists it. */
export interface SlurmJob {
  /** `123`, or `123_4` for an array task. */
  readonly id: string
  readonly name: string
  /** Slurm's state: PENDING, RUNNING, COMPLETED, FAILED, REQUEUED, ... */
  readonly state: string
  /** Why it is pending (or how it ended), or null: `JobHeldUser`, `Resources`, `BeginTime`, ... */
  readonly reason: string | null
  /** How often it was requeued (squeue's RestartCnt; 0 from sacct, which does not list it). */
  readonly restarts: number
  readonly from: 'squeue' | 'sacct'
}

/** What Slurm says about the jobs of some names, or why it says nothing. */
export type SlurmJobs =
  | { readonly kind: 'absent' }
  | { readonly kind: 'error'; readonly message: string }
  | {
      readonly kind: 'jobs'
      readonly jobs: readonly SlurmJob[]
      /** Whether sacct answered (jobs that left the queue are then listed too). */
      readonly accounting: boolean
    }

/** squeue's fields, `|`-separated, the name last (it is the only free text). */
const SQUEUE_FORMAT = 'JobID:|,State:|,Reason:|,RestartCnt:|,Name:'
/** How far back sacct looks for jobs that left the queue. */
const SACCT_SINCE = 'now-60days'
const TIMEOUT_MS = 60_000

/**
 * This user's Slurm jobs named one of `names`: every state squeue still lists (`-t all`: ended jobs stay for
 * MinJobAge), and, where accounting works, sacct's latest record of each name squeue no longer lists. No
 * squeue on PATH is `absent`; a failing squeue is `error` with its first line; a failing sacct (no
 * accounting on the cluster) is quietly left out.
 */
export function readSlurmJobs(names: readonly string[]): SlurmJobs {
  const wanted = [...new Set(names)].sort()
  if (wanted.length === 0) return { kind: 'jobs', jobs: [], accounting: false }
  const squeue = spawnSync(
    'squeue',
    ['-h', '--me', '-t', 'all', `--name=${wanted.join(',')}`, '-O', SQUEUE_FORMAT],
    { encoding: 'utf8', timeout: TIMEOUT_MS },
  )
  if ((squeue.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return { kind: 'absent' }
  if (squeue.error !== undefined || squeue.status !== 0) {
    const said = `${squeue.stderr ?? ''}`.trim().split('\n')[0] ?? ''
    return { kind: 'error', message: said || squeue.error?.message || `exit ${squeue.status}` }
  }
  const jobs: SlurmJob[] = []
  for (const line of squeue.stdout.split('\n')) {
    const fields = line.split('|')
    if (fields.length < 5) continue
    const [id, state, reason, restarts] = fields.map((f) => f.trim())
    const name = fields.slice(4).join('|').trim()
    if (id === undefined || id === '' || state === undefined || !wanted.includes(name)) continue
    jobs.push({
      id,
      name,
      state,
      reason: reason === undefined || reason === '' || reason === 'None' ? null : reason,
      restarts: /^\d+$/.test(restarts ?? '') ? Number(restarts) : 0,
      from: 'squeue',
    })
  }
  const listed = new Set(jobs.map((j) => j.name))
  const gone = wanted.filter((n) => !listed.has(n))
  if (gone.length === 0) return { kind: 'jobs', jobs, accounting: false }
  const sacct = spawnSync(
    'sacct',
    [
      '-n',
      '-P',
      '-X',
      ...userOption(),
      `--starttime=${SACCT_SINCE}`,
      `--name=${gone.join(',')}`,
      '--format=JobIDRaw,State,JobName',
    ],
    { encoding: 'utf8', timeout: TIMEOUT_MS },
  )
  if (sacct.error !== undefined || sacct.status !== 0) return { kind: 'jobs', jobs, accounting: false }
  for (const line of sacct.stdout.split('\n')) {
    const [id, state, ...rest] = line.split('|')
    const name = rest.join('|').trim()
    if (id === undefined || !/^\d/.test(id) || state === undefined || !gone.includes(name)) continue
    // `CANCELLED by 1000` is CANCELLED.
    jobs.push({ id, name, state: state.split(' ')[0] ?? state, reason: null, restarts: 0, from: 'sacct' })
  }
  return { kind: 'jobs', jobs, accounting: true }
}

/** sacct's `--user=NAME` for whoever runs finqa (root sees every user's jobs without it), when known. */
function userOption(): string[] {
  try {
    return [`--user=${userInfo().username}`]
  } catch {
    return []
  }
}
