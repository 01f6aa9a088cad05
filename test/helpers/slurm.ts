import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { REPO } from './compile-repo.js'

export const HARNESS = join(REPO, 'test', 'slurm', 'slurm-local.sh')
export const STUBS = join(REPO, 'test', 'slurm', 'stubs')

const TERMINAL = new Set([
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TIMEOUT',
  'NODE_FAIL',
  'PREEMPTED',
  'BOOT_FAIL',
  'DEADLINE',
  'OUT_OF_MEMORY',
])

/** Starts the local cluster (test/slurm/slurm-local.sh up) unless a controller already answers. */
export function ensureCluster(): void {
  if (spawnSync('scontrol', ['ping'], { encoding: 'utf8' }).stdout.includes('is UP')) return
  const up = spawnSync('bash', [HARNESS, 'up'], { encoding: 'utf8' })
  if (up.status !== 0) throw new Error(`slurm-local.sh up failed:\n${up.stderr}`)
}

/** The test cluster the Slurm tests are written for: what test/slurm/slurm-local.sh starts. */
export const TEST_CLUSTER_NODES = ['node1', 'node2'] as const

/** The nodes of the Slurm cluster that answers (`sinfo -h -N -o %N`: one line per node and partition). */
export function slurmNodes(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const r = spawnSync('sinfo', ['-h', '-N', '-o', '%N'], { encoding: 'utf8', env })
  if (r.status !== 0 || r.error !== undefined) return undefined
  const names = r.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
  return [...new Set(names)].sort()
}

/**
 * Why the cluster that answers is not the two-node test cluster (test/slurm/slurm-local.sh: node1 and node2),
 * or undefined when it is.
 */
export function notTheTestCluster(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const nodes = slurmNodes(env)
  if (nodes !== undefined && TEST_CLUSTER_NODES.every((n) => nodes.includes(n))) return undefined
  const found =
    nodes === undefined
      ? 'sinfo found no cluster'
      : `this Slurm has ${nodes.length} node(s): ${nodes.join(', ') || 'none'}`
  return `needs the two-node test cluster (test/slurm/slurm-local.sh up, as root: nodes node1 and node2 on this machine); ${found}`
}

/**
 * A test that needs the two-node test cluster: skipped with the reason on a machine whose Slurm is another
 * (a laptop's one-node Slurm), a failure under CI=true, where .ci/run starts the test cluster.
 */
export function needTestCluster(skip: (note?: string) => never, env: NodeJS.ProcessEnv = process.env): void {
  const why = notTheTestCluster(env)
  if (why === undefined) return
  if (env.CI === 'true') throw new Error(`${why} (required under CI=true)`)
  skip(why)
}

/** `scontrol show job -o ID` as a map (JobState, ExitCode, Restarts, StartTime, EndTime, Reason, ...). */
export function jobInfo(id: string): Record<string, string> {
  const line = spawnSync('scontrol', ['show', 'job', '-o', id], { encoding: 'utf8' }).stdout.trim()
  const out: Record<string, string> = {}
  for (const m of line.matchAll(/(\w+)=(\S*)/g)) out[m[1] as string] ??= m[2] as string
  return out
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls until the job ends (scontrol, every 0.2 s; `sbatch --wait` polls far slower) and returns its info. */
export async function waitJob(id: string, timeoutSeconds = 90): Promise<Record<string, string>> {
  const deadline = Date.now() + timeoutSeconds * 1000
  for (;;) {
    const info = jobInfo(id)
    if (TERMINAL.has(info.JobState ?? '')) return info
    if (Date.now() > deadline)
      throw new Error(`job ${id} did not end within ${timeoutSeconds} s: ${JSON.stringify(info)}`)
    await pause(200)
  }
}

/** Polls until `check` holds. */
export async function waitFor(what: string, check: () => boolean, timeoutSeconds = 60): Promise<void> {
  const deadline = Date.now() + timeoutSeconds * 1000
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutSeconds} s waiting for ${what}`)
    await pause(200)
  }
}

/** Cancels jobs the tests submitted (never any other job). */
export function cancelJobs(ids: Iterable<string>): void {
  const list = [...ids]
  if (list.length > 0) spawnSync('scancel', list)
}
