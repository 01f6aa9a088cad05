import { describe, expect, it } from 'vitest'
import type { CheckpointFolder, RunStart, UploadDone } from '../../src/load/read-checkpoints.js'
import type { SlurmJob, SlurmJobs } from '../../src/load/read-slurm-jobs.js'
import {
  formatStatus,
  type StatusExperiment,
  type StatusRow,
  staleAfterSeconds,
  statusReport,
} from '../../src/report/status.js'

const NOW = Date.parse('2026-12-07T12:00:00Z')
const HOUR = 3_600_000

function start(iso: string, more: Partial<RunStart> = {}): RunStart {
  return {
    started: iso,
    startedMs: Date.parse(iso),
    experiment: null,
    host: 'gpu-03',
    user: 'alice',
    slurmJobId: null,
    restartCount: 0,
    environment: [],
    resumeChanged: null,
    ...more,
  }
}

function folder(
  name: string,
  steps: readonly [number, string][],
  more: { latest?: number; starts?: RunStart[]; uploads?: UploadDone[]; badLines?: number } = {},
): CheckpointFolder {
  return {
    kind: 'folder',
    dir: `/ck/${name}`,
    steps: steps.map(([step, iso]) => ({ step, savedMs: Date.parse(iso) })),
    latest: more.latest ?? steps.at(-1)?.[0] ?? null,
    starts: more.starts ?? [],
    uploads: more.uploads ?? [],
    badLines: more.badLines ?? 0,
  }
}

function experiment(
  name: string,
  f: CheckpointFolder | null | 'missing',
  more: Partial<StatusExperiment> = {},
) {
  return {
    name,
    script: `run_${name}.sh`,
    jobName: name,
    checkpointDir: `/ck/${name}`,
    totalSteps: 3120,
    saveFreq: 100,
    secondsPerStep: 69,
    folder: f === 'missing' ? { kind: 'missing' as const, dir: `/ck/${name}` } : f,
    ...more,
  }
}

function job(id: string, name: string, state: string, reason: string | null = null, restarts = 0): SlurmJob {
  return { id, name, state, reason, restarts, from: 'squeue' }
}

const byName = (rows: readonly StatusRow[]) => new Map(rows.map((r) => [r.name, r]))

describe('finqa status, with Slurm', () => {
  // 100 steps between the checkpoints at 09:00 and 11:00: 72 s/step, 50 steps/h.
  const running = folder(
    'running',
    [
      [100, '2026-12-07T09:00:00Z'],
      [200, '2026-12-07T11:00:00Z'],
    ],
    { starts: [start('2026-12-07T07:00:00Z', { slurmJobId: 41, environment: ['ROLLOUT_N=8'] })] },
  )
  const uploads: UploadDone[] = [
    { step: 3120, repo: 'afeng/finished_step-3120', uploaded: '2026-12-06T10:00:00Z' },
    { step: 100, repo: 'afeng/finished_step-100', uploaded: '2026-12-01T10:00:00Z' },
    { step: 3120, repo: 'afeng/finished_step-3120', uploaded: '2026-12-06T11:00:00Z' },
  ]
  const slurm: SlurmJobs = {
    kind: 'jobs',
    accounting: false,
    jobs: [
      job('40', 'queued', 'PENDING', 'JobHeldUser'),
      job('41', 'running', 'RUNNING'),
      job('42', 'requeued', 'RUNNING', null, 2),
      job('43', 'requeued2', 'PENDING', 'BeginTime', 1),
      job('46', 'requeued3', 'REQUEUED'),
      job('44', 'failed', 'FAILED', 'NonZeroExitCode'),
      job('38', 'failed', 'COMPLETED'),
      job('45', 'completed', 'COMPLETED'),
      job('47', 'timeout', 'TIMEOUT'),
      job('48', 'two', 'RUNNING'),
      job('49', 'two', 'PENDING', 'Resources'),
      job('50', 'other-upload', 'PENDING'),
      job('12', 'old_job', 'COMPLETED'),
      job('61', 'failed_later', 'FAILED'),
    ],
  }
  const build = () =>
    statusReport({
      experiments: [
        experiment('not_started', 'missing'),
        experiment('empty', folder('empty', [])),
        experiment('queued', 'missing'),
        experiment('running', running),
        experiment('requeued', folder('requeued', [[1500, '2026-12-07T10:00:00Z']])),
        experiment('requeued2', 'missing'),
        experiment('requeued3', 'missing'),
        experiment('failed', folder('failed', [[300, '2026-12-06T10:00:00Z']])),
        experiment('timeout', 'missing'),
        experiment(
          'gone',
          folder('gone', [], { starts: [start('2026-12-07T11:00:00Z', { slurmJobId: 39 })] }),
        ),
        experiment('finished', folder('finished', [[3120, '2026-12-06T09:00:00Z']], { uploads })),
        experiment('uploaded_last', folder('uploaded_last', [[3000, '2026-12-06T09:00:00Z']], { uploads })),
        experiment('completed', folder('completed', [[3000, '2026-12-06T09:00:00Z']]), { totalSteps: null }),
        experiment('unknown', null),
        experiment('two', 'missing'),
        // Started by job 60: the COMPLETED job 12 of the same name was another run.
        experiment(
          'old_job',
          folder('old_job', [[3000, '2026-12-07T09:00:00Z']], {
            starts: [start('2026-12-07T08:00:00Z', { slurmJobId: 60 })],
          }),
        ),
        // Job 61 came after the last start's job 60 (and failed before writing a record of its own).
        experiment(
          'failed_later',
          folder('failed_later', [], { starts: [start('2026-12-07T08:00:00Z', { slurmJobId: 60 })] }),
        ),
      ],
      hiddenRoots: [{ root: '/elsewhere', reason: 'ENOENT' }],
      slurm,
      nowMs: NOW,
      submitAll: 'dist-scripts/slurm/submit_all.sh',
    })

  it('names each state and why', () => {
    const report = build()
    expect(report.experiments.map((r) => [r.name, r.state, r.detail])).toEqual([
      ['not_started', 'not-started', 'no checkpoint folder'],
      ['empty', 'not-started', 'no checkpoint, no run record'],
      ['queued', 'queued', 'job 40 held (JobHeldUser)'],
      ['running', 'running', 'job 41 running'],
      ['requeued', 'requeued', 'job 42 requeued 2 times, running'],
      ['requeued2', 'requeued', 'job 43 requeued once, pending (BeginTime)'],
      ['requeued3', 'requeued', 'job 46 REQUEUED, pending'],
      ['failed', 'failed', 'job 44 FAILED (NonZeroExitCode)'],
      ['timeout', 'failed', 'job 47 TIMEOUT; no checkpoint folder here'],
      ['gone', 'failed', 'job 39 of the last start is no longer in Slurm'],
      ['finished', 'finished', 'step 3,120 of 3,120'],
      ['uploaded_last', 'finished', 'step 3,120 uploaded'],
      ['completed', 'finished', 'job 45 COMPLETED at step 3,000 of ?'],
      ['unknown', 'unknown', 'checkpoint root not visible; no Slurm job'],
      ['two', 'running', 'job 48 running'],
      ['old_job', 'failed', 'job 60 of the last start is no longer in Slurm'],
      ['failed_later', 'failed', 'job 61 FAILED'],
    ])
  })

  it('gives a running row field by field: step of total, pace, ETA from the latest checkpoint, last start', () => {
    const report = build()
    const rows = byName(report.experiments)
    expect(JSON.parse(JSON.stringify(rows.get('running')))).toEqual({
      name: 'running',
      script: 'run_running.sh',
      state: 'running',
      detail: 'job 41 running',
      job: { id: '41', state: 'RUNNING', reason: null, restarts: 0, from: 'squeue' },
      otherJobs: [],
      checkpointDir: '/ck/running',
      folder: 'found',
      latestStep: 200,
      totalSteps: 3120,
      percent: 6.4,
      stepsPerHour: 50,
      // 2,920 steps × 72 s = 58.4 h after the checkpoint of 11:00
      remainingHours: 58.4,
      eta: '2026-12-09T21:24:00.000Z',
      lastActivity: '2026-12-07T11:00:00.000Z',
      lastStart: {
        started: '2026-12-07T07:00:00Z',
        user: 'alice',
        host: 'gpu-03',
        slurmJobId: 41,
        restartCount: 0,
        environment: ['ROLLOUT_N=8'],
        resumeChanged: null,
      },
      starts: 1,
      uploadedSteps: [],
      uploads: [],
      badLines: 0,
    })
  })

  it('gives a finished row its uploads, each step once, and no time left', () => {
    const report = build()
    const rows = byName(report.experiments)
    const r = rows.get('finished')
    expect(r?.uploadedSteps).toEqual([100, 3120])
    expect(r?.uploads).toHaveLength(3)
    expect([r?.latestStep, r?.totalSteps, r?.percent, r?.remainingHours, r?.eta]).toEqual([
      3120,
      3120,
      100,
      null,
      null,
    ])
    expect(r?.job).toBeNull()
  })

  it('takes the newest job of a name: a FAILED rerun after a COMPLETED one is failed', () => {
    const report = build()
    const rows = byName(report.experiments)
    expect(rows.get('failed')?.job).toEqual({
      id: '44',
      state: 'FAILED',
      reason: 'NonZeroExitCode',
      restarts: 0,
      from: 'squeue',
    })
    expect(rows.get('failed')?.latestStep).toBe(300)
    expect(rows.get('failed')?.eta).toBeNull()
  })

  it('takes a running job before a newer pending one of the same name, and names the other', () => {
    const report = build()
    const rows = byName(report.experiments)
    expect(rows.get('two')?.job?.id).toBe('48')
    expect(rows.get('two')?.otherJobs).toEqual(['49'])
  })

  it('tells folders that are missing, empty or not visible apart', () => {
    const report = build()
    const rows = byName(report.experiments)
    expect(
      ['not_started', 'empty', 'unknown'].map((n) => [rows.get(n)?.folder, rows.get(n)?.latestStep]),
    ).toEqual([
      ['none', null],
      ['found', null],
      ['not visible', null],
    ])
  })

  it('submits the experiments not started or failed, by script name', () => {
    const report = build()
    expect(report.submit).toEqual({
      experiments: ['not_started', 'empty', 'failed', 'timeout', 'gone', 'old_job', 'failed_later'],
      command:
        'bash dist-scripts/slurm/submit_all.sh run_not_started run_empty run_failed run_timeout run_gone run_old_job run_failed_later',
    })
    expect(report.slurm).toEqual({ source: 'squeue', message: null, accounting: false })
    expect(report.hiddenRoots).toEqual([{ root: '/elsewhere', reason: 'ENOENT' }])
  })

  it('prints one row per experiment, the hidden root in one line, and the submit command last', () => {
    const report = build()
    const text = formatStatus(report)
    const lines = text.trimEnd().split('\n')
    expect(lines[0]?.split(/ {2,}/)).toEqual([
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
    ])
    const line = (name: string) => lines.find((l) => l.startsWith(`${name} `))?.split(/ {2,}/)
    expect(line('running')).toEqual([
      'running',
      'running',
      '200 / 3,120',
      '6.4',
      '50',
      '2026-12-09 21:24 UTC',
      'alice@gpu-03 2026-12-07 07:00 UTC',
      'ROLLOUT_N=8',
      'job 41 running',
    ])
    expect(line('finished')?.slice(0, 4)).toEqual(['finished', 'finished', '3,120 / 3,120', '100.0'])
    expect(text).toContain('2 (last 3,120)')
    expect(line('failed')?.slice(0, 4)).toEqual(['failed', 'failed', '300 / 3,120', '9.6'])
    expect(line('two')?.at(-1)).toBe('job 48 running; also job 49: two jobs write one folder')
    expect(line('unknown')?.slice(0, 3)).toEqual(['unknown', 'unknown', '- / 3,120'])
    expect(lines.slice(-5)).toEqual([
      "Checkpoint root /elsewhere is not visible here (ENOENT): its runs' progress is unknown; run finqa status where it is mounted, or pass --checkpoint-root.",
      'Total steps unknown (no row count: set data.train_rows): completed.',
      'State unknown here, so not submitted: unknown.',
      'Submit the 7 experiments neither finished nor queued or running (a failed run resumes from its latest checkpoint):',
      '  bash dist-scripts/slurm/submit_all.sh run_not_started run_empty run_failed run_timeout run_gone run_old_job run_failed_later',
    ])
  })
  it('prints each cell of each row: step of total, percent, pace, ETA, uploads, last start, overrides, detail', () => {
    expect(formatStatus(build()).split('\n')).toEqual([
      'Experiment     State                 Step      %  Steps/h  ETA                   Uploaded        Last start                         Overrides    Detail',
      '-------------  -----------  -------------  -----  -------  --------------------  --------------  ---------------------------------  -----------  ------------------------------------------------------',
      'not_started    not started      - / 3,120                                                                                                        no checkpoint folder',
      'empty          not started      - / 3,120                                                                                                        no checkpoint, no run record',
      'queued         queued           - / 3,120                                                                                                        job 40 held (JobHeldUser)',
      'running        running        200 / 3,120    6.4       50  2026-12-09 21:24 UTC                  alice@gpu-03 2026-12-07 07:00 UTC  ROLLOUT_N=8  job 41 running',
      'requeued       requeued     1,500 / 3,120   48.1                                                                                                 job 42 requeued 2 times, running',
      'requeued2      requeued         - / 3,120                                                                                                        job 43 requeued once, pending (BeginTime)',
      'requeued3      requeued         - / 3,120                                                                                                        job 46 REQUEUED, pending',
      'failed         failed         300 / 3,120    9.6                                                                                                 job 44 FAILED (NonZeroExitCode)',
      'timeout        failed           - / 3,120                                                                                                        job 47 TIMEOUT; no checkpoint folder here',
      'gone           failed           - / 3,120                                                        alice@gpu-03 2026-12-07 11:00 UTC  -            job 39 of the last start is no longer in Slurm',
      'finished       finished     3,120 / 3,120  100.0                                 2 (last 3,120)                                                  step 3,120 of 3,120',
      'uploaded_last  finished     3,000 / 3,120   96.2                                 2 (last 3,120)                                                  step 3,120 uploaded',
      'completed      finished         3,000 / ?                                                                                                        job 45 COMPLETED at step 3,000 of ?',
      'unknown        unknown          - / 3,120                                                                                                        checkpoint root not visible; no Slurm job',
      'two            running          - / 3,120                                                                                                        job 48 running; also job 49: two jobs write one folder',
      'old_job        failed       3,000 / 3,120   96.2                                                 alice@gpu-03 2026-12-07 08:00 UTC  -            job 60 of the last start is no longer in Slurm',
      'failed_later   failed           - / 3,120                                                        alice@gpu-03 2026-12-07 08:00 UTC  -            job 61 FAILED',
      '',
      "Checkpoint root /elsewhere is not visible here (ENOENT): its runs' progress is unknown; run finqa status where it is mounted, or pass --checkpoint-root.",
      'Total steps unknown (no row count: set data.train_rows): completed.',
      'State unknown here, so not submitted: unknown.',
      'Submit the 7 experiments neither finished nor queued or running (a failed run resumes from its latest checkpoint):',
      '  bash dist-scripts/slurm/submit_all.sh run_not_started run_empty run_failed run_timeout run_gone run_old_job run_failed_later',
      '',
    ])
  })
})

describe('finqa status, without Slurm', () => {
  const build = () =>
    statusReport({
      experiments: [
        // Saved an hour ago: within 2 × 100 steps × 72 s + 1 h = 5 h.
        experiment(
          'by_hand',
          folder('by_hand', [
            [100, '2026-12-07T09:00:00Z'],
            [200, '2026-12-07T11:00:00Z'],
          ]),
        ),
        // Nothing for 30 h: stalled.
        experiment(
          'stalled',
          folder(
            'stalled',
            [
              [100, '2026-12-06T04:00:00Z'],
              [200, '2026-12-06T06:00:00Z'],
            ],
            { badLines: 2 },
          ),
        ),
        // Started 2 h ago, no checkpoint yet, pace unknown (6 h allowed).
        experiment('loading', folder('loading', [], { starts: [start('2026-12-07T10:00:00Z')] }), {
          secondsPerStep: null,
        }),
        experiment('no_rows', 'missing', { totalSteps: null }),
      ],
      hiddenRoots: [],
      slurm: { kind: 'absent' },
      nowMs: NOW,
      submitAll: 'out dir/slurm/submit_all.sh',
    })

  it('counts a run as running while it made progress within two checkpoint intervals and an hour', () => {
    const report = build()
    const rows = byName(report.experiments)
    expect(staleAfterSeconds(100, 72)).toBe(18_000)
    expect(staleAfterSeconds(100, null)).toBe(6 * 3600)
    expect(report.experiments.map((r) => [r.name, r.state, r.detail])).toEqual([
      ['by_hand', 'running', 'no Slurm job; last checkpoint or start 2026-12-07 11:00 UTC'],
      [
        'stalled',
        'failed',
        'no progress for 30 h (last checkpoint or start 2026-12-06 06:00 UTC; stalled after 5 h)',
      ],
      ['loading', 'running', 'no Slurm job; last checkpoint or start 2026-12-07 10:00 UTC'],
      ['no_rows', 'not-started', 'no checkpoint folder'],
    ])
    expect(rows.get('by_hand')?.eta).toBe('2026-12-09T21:24:00.000Z')
    // A stalled run has hours left at its pace, but no ETA.
    expect([rows.get('stalled')?.remainingHours, rows.get('stalled')?.eta]).toEqual([58.4, null])
    expect(NOW - Date.parse(rows.get('stalled')?.lastActivity ?? '')).toBe(30 * HOUR)
  })

  it('says Slurm is absent, names unknown totals and bad record lines, and quotes the submit command', () => {
    const report = build()
    expect(report.slurm).toEqual({ source: 'absent', message: null, accounting: false })
    const text = formatStatus(report)
    expect(text).toContain(
      '\nSlurm: squeue is not on PATH here; states come from the checkpoint folders and run records only.\n',
    )
    expect(text).toContain('\nTotal steps unknown (no row count: set data.train_rows): no_rows.\n')
    expect(text).toContain(
      '\nstalled: 2 line(s) of finqa-runs.jsonl or finqa-uploads.jsonl are not records; left out.\n',
    )
    expect(report.submit.command).toBe("bash 'out dir/slurm/submit_all.sh' run_stalled run_no_rows")
  })

  it("prints a stalled run's hours left at its pace where a running one has an ETA", () => {
    expect(formatStatus(build()).split('\n')).toEqual([
      'Experiment  State               Step    %  Steps/h  ETA                     Uploaded  Last start                         Overrides  Detail',
      '----------  -----------  -----------  ---  -------  ----------------------  --------  ---------------------------------  ---------  ---------------------------------------------------------------------------------------',
      'by_hand     running      200 / 3,120  6.4       50  2026-12-09 21:24 UTC                                                            no Slurm job; last checkpoint or start 2026-12-07 11:00 UTC',
      'stalled     failed       200 / 3,120  6.4       50  58.4 h (2.4 days) left                                                          no progress for 30 h (last checkpoint or start 2026-12-06 06:00 UTC; stalled after 5 h)',
      'loading     running        - / 3,120                                                  alice@gpu-03 2026-12-07 10:00 UTC  -          no Slurm job; last checkpoint or start 2026-12-07 10:00 UTC',
      'no_rows     not started            -                                                                                                no checkpoint folder',
      '',
      'Slurm: squeue is not on PATH here; states come from the checkpoint folders and run records only.',
      'Total steps unknown (no row count: set data.train_rows): no_rows.',
      'stalled: 2 line(s) of finqa-runs.jsonl or finqa-uploads.jsonl are not records; left out.',
      'Submit the 2 experiments neither finished nor queued or running (a failed run resumes from its latest checkpoint):',
      "  bash 'out dir/slurm/submit_all.sh' run_stalled run_no_rows",
      '',
    ])
  })

  it('says when there is nothing to submit', () => {
    const none = statusReport({
      experiments: [experiment('f', folder('f', [[3120, '2026-12-06T09:00:00Z']]))],
      hiddenRoots: [],
      slurm: { kind: 'error', message: 'Unable to contact slurm controller' },
      nowMs: NOW,
      submitAll: 'dist-scripts/slurm/submit_all.sh',
    })
    expect(none.submit).toEqual({ experiments: [], command: null })
    expect(formatStatus(none).trimEnd().split('\n').slice(-2)).toEqual([
      'Slurm: squeue failed (Unable to contact slurm controller); states come from the checkpoint folders and run records only.',
      'Nothing to submit: every experiment is finished, queued, running or requeued.',
    ])
  })
})

describe('finqa status, array tasks and edge rows', () => {
  // 200 steps between 08:00 and 10:00: 36 s/step, 100 steps/h; 2,820 steps left = 28.2 h after 10:00.
  const build = () =>
    statusReport({
      experiments: [
        experiment('array', 'missing'),
        experiment(
          'paced',
          folder(
            'paced',
            [
              [100, '2026-12-07T08:00:00Z'],
              [300, '2026-12-07T10:00:00Z'],
            ],
            {
              starts: [start('2026-12-07T07:00:00Z', { user: null, host: null })],
              uploads: [{ step: 300, repo: 'a/b', uploaded: '2026-12-07T10:30:00Z' }],
            },
          ),
        ),
        experiment(
          'nobody',
          folder('nobody', [[100, '2026-12-07T11:00:00Z']], {
            starts: [start('2026-12-07T10:00:00Z', { user: null })],
          }),
          { totalSteps: 0 },
        ),
        experiment('hidden', { kind: 'unreadable', dir: '/ck/hidden', reason: 'EACCES' }),
      ],
      hiddenRoots: [],
      slurm: {
        kind: 'jobs',
        accounting: true,
        jobs: [
          job('70_3', 'array', 'COMPLETED'),
          job('70_12', 'array', 'FAILED', 'NonZeroExitCode'),
          job('70', 'array', 'COMPLETED'),
          job('71', 'paced', 'PENDING', 'Priority', 1),
        ],
      },
      nowMs: NOW,
      submitAll: 'dist-scripts/slurm/submit_all.sh',
    })

  it('orders array tasks numerically after their job: task 12 is newer than task 3 and job 70', () => {
    const rows = byName(build().experiments)
    expect(rows.get('array')?.job?.id).toBe('70_12')
    expect(rows.get('array')?.state).toBe('failed')
  })

  it('gives a requeued run with a pace an ETA, and a total of 0 no percent', () => {
    const report = build()
    const rows = byName(report.experiments)
    expect([rows.get('paced')?.remainingHours, rows.get('paced')?.eta]).toEqual([
      28.2,
      '2026-12-08T14:12:00.000Z',
    ])
    expect([rows.get('nobody')?.state, rows.get('nobody')?.percent]).toEqual(['finished', null])
    expect(rows.get('hidden')?.folder).toBe('unreadable')
    expect(report.slurm).toEqual({ source: 'squeue', message: null, accounting: true })
  })

  it("prints a start without user or host as its time, an unreadable folder's reason, and one experiment to submit", () => {
    expect(formatStatus(build()).split('\n')).toEqual([
      'Experiment  State            Step    %  Steps/h  ETA                   Uploaded  Last start                   Overrides  Detail',
      '----------  --------  -----------  ---  -------  --------------------  --------  ---------------------------  ---------  -------------------------------------------------------------',
      'array       failed      - / 3,120                                                                                        job 70_12 FAILED (NonZeroExitCode); no checkpoint folder here',
      'paced       requeued  300 / 3,120  9.6      100  2026-12-08 14:12 UTC  step 300  2026-12-07 07:00 UTC         -          job 71 requeued once, pending (Priority)',
      'nobody      finished      100 / 0                                                gpu-03 2026-12-07 10:00 UTC  -          step 100 of 0',
      'hidden      unknown     - / 3,120                                                                                        /ck/hidden: EACCES; no Slurm job',
      '',
      'State unknown here, so not submitted: hidden.',
      'Submit the experiment neither finished nor queued or running (a failed run resumes from its latest checkpoint):',
      '  bash dist-scripts/slurm/submit_all.sh run_array',
      '',
    ])
  })
})
