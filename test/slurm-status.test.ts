import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { finqa, tempDir } from './helpers/cli.js'
import { BASE, writeProject } from './helpers/inline-specs.js'
import { cancelJobs, ensureCluster, jobInfo, waitFor, waitJob } from './helpers/slurm.js'
import { hasTool } from './helpers/tools.js'

// Issue 19, point 3: `finqa status` reads the states of real Slurm jobs (test/slurm/slurm-local.sh) named
// like its experiments. Each job is one CPU and no GPU, under names no other test uses (a random tag), so
// that it neither waits for nor delays the other Slurm tests, which may be running on the cluster meanwhile.
// Skipped without Slurm on a laptop; under CI=true a missing sbatch fails.
const slurm = hasTool('sbatch')

const STATES = ['queued', 'running', 'finished', 'failed', 'requeued', 'fresh'] as const

describe.runIf(slurm)('finqa status against real Slurm jobs', () => {
  const submitted = new Set<string>()
  beforeAll(() => ensureCluster())
  afterAll(() => cancelJobs(submitted))

  function submit(name: string, cwd: string, options: string[], command: string): string {
    const r = spawnSync(
      'sbatch',
      [
        '--parsable',
        `--job-name=${name}`,
        '-N',
        '1',
        '-n',
        '1',
        '-c',
        '1',
        '-o',
        '/dev/null',
        ...options,
        '--wrap',
        command,
      ],
      { cwd, encoding: 'utf8' },
    )
    expect(r.stderr).toBe('')
    const id = r.stdout.trim().split(';')[0] as string
    submitted.add(id)
    return id
  }

  it('shows queued (held), running, finished, failed, requeued and not started jobs, and submits the last two', async () => {
    const tag = `st${randomBytes(4).toString('hex')}`
    const names = Object.fromEntries(STATES.map((s) => [s, `${tag}_${s}`])) as Record<
      (typeof STATES)[number],
      string
    >
    const files: Record<string, string> = {
      'experiments/base.yaml': BASE.replace(
        '  train_file: train.parquet\n',
        '  train_file: train.parquet\n  train_rows: 6400\n',
      ),
    }
    for (const s of STATES)
      files[`experiments/${s}.yaml`] = `extends: ./base.yaml\nname: ${names[s]}\nscript: run_${s}.sh\n`
    const cwd = writeProject(files)
    const jobs = tempDir('finqa-status-jobs-')

    const queued = submit(names.queued, jobs, ['--hold'], 'sleep 600')
    const running = submit(names.running, jobs, [], 'sleep 600')
    const finished = submit(names.finished, jobs, [], 'true')
    const failed = submit(names.failed, jobs, [], 'exit 1')
    const requeued = submit(names.requeued, jobs, ['--requeue'], 'sleep 600')
    await waitFor(
      `jobs ${running} and ${requeued} to run`,
      () => [running, requeued].every((id) => jobInfo(id).JobState === 'RUNNING'),
      120,
    )
    const requeue = spawnSync('scontrol', ['requeue', requeued], { encoding: 'utf8' })
    expect(requeue.stderr).toBe('')
    await waitFor(`job ${requeued} to be requeued`, () => Number(jobInfo(requeued).Restarts) >= 1, 60)
    expect((await waitJob(finished, 120)).JobState).toBe('COMPLETED')
    expect((await waitJob(failed, 120)).JobState).toBe('FAILED')
    expect(jobInfo(queued).JobState).toBe('PENDING')

    // An empty checkpoint root: the states come from Slurm alone (the test cluster has no accounting).
    const root = tempDir('finqa-status-root-')
    const r = finqa(['status', 'experiments', '--checkpoint-root', root, '--json'], cwd)
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const report = JSON.parse(r.stdout) as {
      experiments: { name: string; state: string; detail: string; job: Record<string, unknown> | null }[]
      slurm: Record<string, unknown>
      submit: Record<string, unknown>
    }
    const row = (s: (typeof STATES)[number]) => report.experiments.find((e) => e.name === names[s])
    expect(row('queued')?.state).toBe('queued')
    expect(row('queued')?.job).toEqual({
      id: queued,
      state: 'PENDING',
      reason: 'JobHeldUser',
      restarts: 0,
      from: 'squeue',
    })
    expect(row('running')?.state).toBe('running')
    expect(row('running')?.job).toEqual({
      id: running,
      state: 'RUNNING',
      reason: null,
      restarts: 0,
      from: 'squeue',
    })
    expect(row('finished')?.state).toBe('finished')
    expect(row('finished')?.detail).toBe(`job ${finished} COMPLETED; no checkpoint folder here`)
    expect(row('failed')?.state).toBe('failed')
    expect(row('failed')?.detail).toBe(`job ${failed} FAILED (NonZeroExitCode); no checkpoint folder here`)
    // Pending again after the requeue, or already running once more: requeued either way.
    expect(row('requeued')?.state).toBe('requeued')
    expect(row('requeued')?.job).toMatchObject({ id: requeued, restarts: 1, from: 'squeue' })
    expect(row('fresh')?.state).toBe('not-started')
    expect(report.slurm).toEqual({ source: 'squeue', message: null, accounting: false })
    expect(report.submit).toEqual({
      experiments: [names.failed, names.fresh],
      command: 'bash dist-scripts/slurm/submit_all.sh run_failed run_fresh',
    })

    const text = finqa(['status', 'experiments', '--checkpoint-root', root], cwd)
    expect(text.code).toBe(0)
    const states = Object.fromEntries(
      text.stdout
        .split('\n')
        .filter((l) => l.startsWith(`${tag}_`))
        .map((l) => l.split(/ {2,}/).slice(0, 2)),
    )
    expect(states).toEqual({
      [names.failed]: 'failed',
      [names.finished]: 'finished',
      [names.fresh]: 'not started',
      [names.queued]: 'queued',
      [names.requeued]: 'requeued',
      [names.running]: 'running',
    })
    cancelJobs([queued, running, requeued])
  }, 300_000)
})
