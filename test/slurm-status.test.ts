import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseDocument } from 'yaml'
import { EIGHT, saveCheckpoint, startRun } from './helpers/checkpoints.js'
import { finqa, project, tempDir } from './helpers/cli.js'
import { BASE, writeProject } from './helpers/inline-specs.js'
import { cancelJobs, ensureCluster, jobInfo, waitFor, waitJob } from './helpers/slurm.js'
import { hasTool } from './helpers/tools.js'

// Issue 19, point 3: `finqa status` reads the states of real Slurm jobs (test/slurm/slurm-local.sh) named
// like its experiments. Each job is one CPU and no GPU, under names no other test uses (a random tag), so
// that it neither waits for nor delays the other Slurm tests, which may be running on the cluster meanwhile.
// The second test is the acceptance: the shipped experiments/ (the seed's eight), each in its state
// from real jobs and the checkpoint folders they left. Skipped without Slurm on a laptop; under CI=true a
// missing sbatch fails.
const slurm = hasTool('sbatch')

const HOUR = 3_600_000

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

  it('shows the eight seed experiments in their states, from real jobs and their checkpoint folders', async () => {
    // The shipped experiments, each under a Slurm job name of its own: test/slurm.test.ts submits jobs
    // named like the seed's experiments, maybe meanwhile.
    const tag = `s8${randomBytes(4).toString('hex')}`
    const cwd = project()
    const jobName = (experiment: string) => `${tag}_${experiment}`
    const specs: string[] = []
    for (const size of ['4b', '8b'])
      for (const file of readdirSync(join(cwd, 'experiments', size))) {
        const path = join(cwd, 'experiments', size, file)
        const doc = parseDocument(readFileSync(path, 'utf8'))
        const name = String(doc.get('name'))
        doc.setIn(['slurm', 'job_name'], jobName(name))
        writeFileSync(path, doc.toString())
        specs.push(name)
      }
    expect(specs.sort()).toEqual(EIGHT)
    const jobs = tempDir('finqa-status8-jobs-')
    const job = (experiment: string, options: string[], command: string) =>
      submit(jobName(experiment), jobs, options, command)

    // Finished: 4b_default and 8b_default (jobs COMPLETED, last step 3,120 saved); failed: 4b_no_uncertain
    // (exit 1 at step 200); running: 4b_rollout12; queued (held): 8b_no_uncertain; requeued: 8b_rollout12;
    // not started: 4b_rollout4 (no folder) and 8b_rollout4 (an empty folder).
    const done4 = job('qwen3_4b_default', [], 'true')
    const done8 = job('qwen3_8b_default', [], 'true')
    const failed = job('qwen3_4b_no_uncertain', [], 'exit 1')
    const running = job('qwen3_4b_rollout12', [], 'sleep 600')
    const queued = job('qwen3_8b_no_uncertain', ['--hold'], 'sleep 600')
    const requeued = job('qwen3_8b_rollout12', ['--requeue'], 'sleep 600')
    await waitFor(
      `jobs ${running} and ${requeued} to run`,
      () => [running, requeued].every((id) => jobInfo(id).JobState === 'RUNNING'),
      120,
    )

    // The checkpoint folders those jobs left: each start's run record is the seed's launch script's own,
    // written as under its job (SLURM_JOB_ID).
    const root = tempDir('finqa-status8-root-')
    const dir = (experiment: string) => join(root, experiment)
    const base = Math.floor(Date.now() / 1000) * 1000
    startRun(root, 'run_4b.sh', { SLURM_JOB_ID: done4, SLURM_RESTART_COUNT: '0' })
    saveCheckpoint(dir('qwen3_4b_default'), 3100, base - 2 * HOUR)
    saveCheckpoint(dir('qwen3_4b_default'), 3120, base - 1 * HOUR)
    saveCheckpoint(dir('qwen3_8b_default'), 3120, base - 1 * HOUR)
    startRun(root, 'run_4b_no_uncertain.sh', { SLURM_JOB_ID: failed })
    saveCheckpoint(dir('qwen3_4b_no_uncertain'), 100, base - 4 * HOUR)
    saveCheckpoint(dir('qwen3_4b_no_uncertain'), 200, base - 2 * HOUR)
    startRun(root, 'run_4b_rollout12.sh', { SLURM_JOB_ID: running })
    saveCheckpoint(dir('qwen3_4b_rollout12'), 100, base - 3 * HOUR)
    saveCheckpoint(dir('qwen3_4b_rollout12'), 200, base - 1 * HOUR)
    startRun(root, 'run_8b_rollout12.sh', { SLURM_JOB_ID: requeued })
    saveCheckpoint(dir('qwen3_8b_rollout12'), 100, base - 1 * HOUR)
    mkdirSync(dir('qwen3_8b_rollout4'))

    const requeue = spawnSync('scontrol', ['requeue', requeued], { encoding: 'utf8' })
    expect(requeue.stderr).toBe('')
    await waitFor(`job ${requeued} to be requeued`, () => Number(jobInfo(requeued).Restarts) >= 1, 60)
    expect((await waitJob(done4, 120)).JobState).toBe('COMPLETED')
    expect((await waitJob(done8, 120)).JobState).toBe('COMPLETED')
    expect((await waitJob(failed, 120)).JobState).toBe('FAILED')
    expect(jobInfo(queued).JobState).toBe('PENDING')
    expect(jobInfo(running).JobState).toBe('RUNNING')

    const r = finqa(['status', 'experiments', '--checkpoint-root', root, '--json'], cwd)
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const report = JSON.parse(r.stdout) as {
      finqa: string
      command: string
      ok: boolean
      exitCode: number
      diagnostics: unknown[]
      experiments: Record<string, unknown>[]
      slurm: Record<string, unknown>
      submit: Record<string, unknown>
    }
    expect([report.command, report.ok, report.exitCode, report.diagnostics]).toEqual(['status', true, 0, []])
    expect(report.experiments.map((e) => [e.name, e.state])).toEqual([
      ['qwen3_4b_default', 'finished'],
      ['qwen3_4b_no_uncertain', 'failed'],
      ['qwen3_4b_rollout12', 'running'],
      ['qwen3_4b_rollout4', 'not-started'],
      ['qwen3_8b_default', 'finished'],
      ['qwen3_8b_no_uncertain', 'queued'],
      ['qwen3_8b_rollout12', 'requeued'],
      ['qwen3_8b_rollout4', 'not-started'],
    ])
    const rows = new Map(report.experiments.map((e) => [e.name as string, e]))
    const row = (name: string) => rows.get(name) as Record<string, unknown>

    // The running one, field by field: 100 steps in the two hours between its checkpoints (72 s/step),
    // 2,920 steps left: 58.4 h after the last checkpoint.
    const run = row('qwen3_4b_rollout12')
    const start = run.lastStart as Record<string, unknown>
    expect(run.script).toBe('run_4b_rollout12.sh')
    expect(run.detail).toBe(`job ${running} running`)
    expect(run.job).toEqual({ id: running, state: 'RUNNING', reason: null, restarts: 0, from: 'squeue' })
    expect(run.otherJobs).toEqual([])
    expect(run.checkpointDir).toBe(dir('qwen3_4b_rollout12'))
    expect(run.folder).toBe('found')
    expect([run.latestStep, run.totalSteps, run.percent, run.stepsPerHour, run.remainingHours]).toEqual([
      200, 3120, 6.4, 50, 58.4,
    ])
    expect(run.eta).toBe(new Date(base - HOUR + 58.4 * HOUR).toISOString())
    expect(run.lastActivity).toBe(new Date(Date.parse(start.started as string)).toISOString())
    expect([start.user, start.host, start.slurmJobId, start.restartCount, start.resumeChanged]).toEqual([
      'alice',
      'gpu-03',
      Number(running),
      0,
      null,
    ])
    expect(start.environment).toEqual([`CHECKPOINT_ROOT=${root}`])
    expect([run.starts, run.uploadedSteps, run.uploads, run.badLines]).toEqual([1, [], [], 0])

    // The failed one: its job FAILED at step 200; no ETA for a run that does not run.
    const fail = row('qwen3_4b_no_uncertain')
    expect(fail.detail).toBe(`job ${failed} FAILED (NonZeroExitCode)`)
    expect(fail.job).toEqual({
      id: failed,
      state: 'FAILED',
      reason: 'NonZeroExitCode',
      restarts: 0,
      from: 'squeue',
    })
    expect([fail.latestStep, fail.percent, fail.stepsPerHour, fail.remainingHours, fail.eta]).toEqual([
      200,
      6.4,
      50,
      58.4,
      null,
    ])
    expect((fail.lastStart as Record<string, unknown>).slurmJobId).toBe(Number(failed))

    for (const [name, id] of [
      ['qwen3_4b_default', done4],
      ['qwen3_8b_default', done8],
    ] as const) {
      const done = row(name)
      expect([done.detail, done.latestStep, done.percent, done.remainingHours, done.eta]).toEqual([
        'step 3,120 of 3,120',
        3120,
        100,
        null,
        null,
      ])
      expect(done.job).toEqual({ id, state: 'COMPLETED', reason: null, restarts: 0, from: 'squeue' })
    }
    expect(row('qwen3_4b_default').starts).toBe(1)
    expect(row('qwen3_8b_default').starts).toBe(0)
    expect([row('qwen3_8b_no_uncertain').detail, row('qwen3_8b_no_uncertain').job]).toEqual([
      `job ${queued} held (JobHeldUser)`,
      { id: queued, state: 'PENDING', reason: 'JobHeldUser', restarts: 0, from: 'squeue' },
    ])
    // Pending again after the requeue, or already running once more: requeued either way.
    expect(row('qwen3_8b_rollout12').detail).toMatch(
      new RegExp(`^job ${requeued} requeued once, (pending \\(\\w+\\)|running)$`),
    )
    expect(row('qwen3_8b_rollout12').job).toMatchObject({ id: requeued, restarts: 1, from: 'squeue' })
    expect(row('qwen3_8b_rollout12').latestStep).toBe(100)
    expect([
      row('qwen3_4b_rollout4').folder,
      row('qwen3_4b_rollout4').detail,
      row('qwen3_4b_rollout4').job,
    ]).toEqual(['none', 'no checkpoint folder', null])
    expect([
      row('qwen3_8b_rollout4').folder,
      row('qwen3_8b_rollout4').detail,
      row('qwen3_8b_rollout4').job,
    ]).toEqual(['found', 'no checkpoint, no run record', null])
    expect(report.slurm).toEqual({ source: 'squeue', message: null, accounting: false })
    expect(report.submit).toEqual({
      experiments: ['qwen3_4b_no_uncertain', 'qwen3_4b_rollout4', 'qwen3_8b_rollout4'],
      command: 'bash dist-scripts/slurm/submit_all.sh run_4b_no_uncertain run_4b_rollout4 run_8b_rollout4',
    })

    const text = finqa(['status', 'experiments', '--checkpoint-root', root], cwd)
    expect([text.code, text.stderr]).toEqual([0, ''])
    const lines = text.stdout.trimEnd().split('\n')
    const states = lines.filter((l) => l.startsWith('qwen3_')).map((l) => l.split(/ {2,}/).slice(0, 3))
    expect(states).toEqual([
      ['qwen3_4b_default', 'finished', '3,120 / 3,120'],
      ['qwen3_4b_no_uncertain', 'failed', '200 / 3,120'],
      ['qwen3_4b_rollout12', 'running', '200 / 3,120'],
      ['qwen3_4b_rollout4', 'not started', '- / 3,120'],
      ['qwen3_8b_default', 'finished', '3,120 / 3,120'],
      ['qwen3_8b_no_uncertain', 'queued', '- / 3,120'],
      ['qwen3_8b_rollout12', 'requeued', '100 / 3,120'],
      ['qwen3_8b_rollout4', 'not started', '- / 3,120'],
    ])
    expect(lines.slice(-2)).toEqual([
      'Submit the 3 experiments neither finished nor queued or running (a failed run resumes from its latest checkpoint):',
      '  bash dist-scripts/slurm/submit_all.sh run_4b_no_uncertain run_4b_rollout4 run_8b_rollout4',
    ])
    cancelJobs([queued, running, requeued])
  }, 300_000)
})
