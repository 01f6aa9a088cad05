import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { EIGHT, saveCheckpoint, startRun } from './helpers/checkpoints.js'
import { finqa, project, tempDir } from './helpers/cli.js'

// Issue 19, point 3: `finqa status` against checkpoint folders as the launch scripts, VERL and the upload
// script leave them, with Slurm absent, and with stand-ins for squeue and sacct.

const HOUR = 3_600_000

/** Whole seconds, so that a folder's modification time reads back exactly. */
const base = Math.floor(Date.now() / 1000) * 1000

/** A line as upload_to_hf.sh's record_upload writes it. */
function uploadLine(name: string, step: number, iso: string): string {
  return `{"record":"upload","step":${step},"repo":"afeng/${name}_step-${step}","private":false,"uploaded":"${iso}","host":"login1","user":"alice"}\n`
}

/**
 * The eight seed runs in a checkpoint root of their own:
 * - 4b_default: started now with ROLLOUT_N=8; checkpoints 100 and 200 three and one hour ago (72 s/step);
 *   step 100 uploaded;
 * - 4b_no_uncertain: checkpoints 3,100 and 3,120 (the last step); both uploaded;
 * - 4b_rollout12: started, and checkpoints 100 and 200, some two days ago: stalled;
 * - 8b_default: an empty folder; 8b_no_uncertain: started now, no checkpoint yet; the rest: no folder.
 */
function checkpointRoot(): string {
  const root = tempDir('finqa-status-ck-')
  const dflt = join(root, 'qwen3_4b_default')
  startRun(root, 'run_4b.sh', { ROLLOUT_N: '8' })
  saveCheckpoint(dflt, 100, base - 3 * HOUR)
  saveCheckpoint(dflt, 200, base - 1 * HOUR)
  writeFileSync(
    join(dflt, 'finqa-uploads.jsonl'),
    uploadLine('qwen3_4b_default', 100, '2026-12-07T10:00:00Z'),
  )

  const done = join(root, 'qwen3_4b_no_uncertain')
  startRun(root, 'run_4b_no_uncertain.sh')
  saveCheckpoint(done, 3100, base - 10 * HOUR)
  saveCheckpoint(done, 3120, base - 9 * HOUR)
  writeFileSync(
    join(done, 'finqa-uploads.jsonl'),
    uploadLine('qwen3_4b_no_uncertain', 3100, '2026-12-06T01:00:00Z') +
      uploadLine('qwen3_4b_no_uncertain', 3120, '2026-12-06T02:00:00Z'),
  )

  const stalled = join(root, 'qwen3_4b_rollout12')
  startRun(root, 'run_4b_rollout12.sh')
  // The same record, started 50 hours ago.
  const record = JSON.parse(readFileSync(join(stalled, 'finqa-runs.jsonl'), 'utf8')) as Record<
    string,
    unknown
  >
  const started = new Date(base - 50 * HOUR).toISOString().replace(/\.\d+Z$/, 'Z')
  writeFileSync(
    join(stalled, 'finqa-runs.jsonl'),
    `${JSON.stringify({ ...record, started })}\nnot a record\n`,
  )
  saveCheckpoint(stalled, 100, base - 49 * HOUR)
  saveCheckpoint(stalled, 200, base - 47 * HOUR)

  mkdirSync(join(root, 'qwen3_8b_default'))
  startRun(root, 'run_8b_no_uncertain.sh')
  return root
}

/** A folder for PATH holding `squeue` and `sacct` stand-ins; squeue prints `lines` and logs its arguments. */
function fakeSlurm(
  lines: readonly string[],
  sacctLines?: readonly string[],
): { bin: string; squeueArgs: () => string; sacctArgs: () => string } {
  const bin = tempDir('finqa-fake-slurm-')
  writeFileSync(
    join(bin, 'squeue'),
    `#!/bin/bash\nprintf '%s\\n' "$*" >> ${JSON.stringify(join(bin, 'args'))}\nprintf '%s\\n' ${lines.map((l) => `'${l}'`).join(' ')}\n`,
  )
  // Without lines, as on a cluster without accounting (the test cluster's sacct says exactly this).
  writeFileSync(
    join(bin, 'sacct'),
    sacctLines === undefined
      ? '#!/bin/bash\necho "Slurm accounting storage is disabled" >&2\nexit 1\n'
      : `#!/bin/bash\nprintf '%s\\n' "$*" >> ${JSON.stringify(join(bin, 'sacct-args'))}\nprintf '%s\\n' ${sacctLines.map((l) => `'${l}'`).join(' ')}\n`,
  )
  chmodSync(join(bin, 'squeue'), 0o755)
  chmodSync(join(bin, 'sacct'), 0o755)
  return {
    bin,
    squeueArgs: () => readFileSync(join(bin, 'args'), 'utf8'),
    sacctArgs: () => readFileSync(join(bin, 'sacct-args'), 'utf8'),
  }
}

type Row = Record<string, unknown>

function status(cwd: string, args: string[], path: string) {
  const r = finqa(['status', 'experiments', ...args], cwd, { PATH: path })
  return r
}

describe('finqa status on the seed experiments', () => {
  it('without Slurm: each state from the checkpoint folders and run records, --json field by field', () => {
    const cwd = project()
    const root = checkpointRoot()
    // No squeue on PATH: an empty folder (the CLI runs under node's own path).
    const path = tempDir('finqa-empty-path-')
    const r = status(cwd, ['--checkpoint-root', root, '--json'], path)
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const report = JSON.parse(r.stdout) as {
      experiments: Row[]
      slurm: Row
      hiddenRoots: Row[]
      submit: Row
    }
    const rows = new Map(report.experiments.map((row) => [row.name as string, row]))
    expect(report.experiments.map((row) => [row.name, row.state])).toEqual([
      ['qwen3_4b_default', 'running'],
      ['qwen3_4b_no_uncertain', 'finished'],
      ['qwen3_4b_rollout12', 'failed'],
      ['qwen3_4b_rollout4', 'not-started'],
      ['qwen3_8b_default', 'not-started'],
      ['qwen3_8b_no_uncertain', 'running'],
      ['qwen3_8b_rollout12', 'not-started'],
      ['qwen3_8b_rollout4', 'not-started'],
    ])
    const dflt = rows.get('qwen3_4b_default') as Row
    const lastStart = dflt.lastStart as Row
    expect(dflt.script).toBe('run_4b.sh')
    expect(dflt.job).toBeNull()
    expect(dflt.otherJobs).toEqual([])
    expect(dflt.checkpointDir).toBe(join(root, 'qwen3_4b_default'))
    expect(dflt.folder).toBe('found')
    expect(dflt.latestStep).toBe(200)
    expect(dflt.totalSteps).toBe(3120)
    expect(dflt.percent).toBe(6.4)
    // 100 steps in the two hours between the checkpoints: 72 s/step; 2,920 steps left: 58.4 h.
    expect(dflt.stepsPerHour).toBe(50)
    expect(dflt.remainingHours).toBe(58.4)
    expect(dflt.eta).toBe(new Date(base - HOUR + 58.4 * HOUR).toISOString())
    expect(dflt.starts).toBe(1)
    expect(lastStart.user).toBe('alice')
    expect(lastStart.host).toBe('gpu-03')
    expect(lastStart.slurmJobId).toBeNull()
    expect(lastStart.restartCount).toBe(0)
    expect(lastStart.environment).toEqual(['ROLLOUT_N=8', `CHECKPOINT_ROOT=${root}`])
    expect(lastStart.resumeChanged).toBeNull()
    expect(Math.abs(Date.parse(lastStart.started as string) - Date.now())).toBeLessThan(10 * 60_000)
    expect(dflt.lastActivity).toBe(new Date(Date.parse(lastStart.started as string)).toISOString())
    expect(dflt.uploadedSteps).toEqual([100])
    expect(dflt.uploads).toEqual([
      { step: 100, repo: 'afeng/qwen3_4b_default_step-100', uploaded: '2026-12-07T10:00:00Z' },
    ])
    expect(dflt.badLines).toBe(0)
    expect(dflt.detail).toMatch(/^no Slurm job; last checkpoint or start \d{4}-\d\d-\d\d \d\d:\d\d UTC$/)

    const done = rows.get('qwen3_4b_no_uncertain') as Row
    expect([
      done.detail,
      done.latestStep,
      done.percent,
      done.remainingHours,
      done.eta,
      done.uploadedSteps,
    ]).toEqual(['step 3,120 of 3,120', 3120, 100, null, null, [3100, 3120]])
    const stalled = rows.get('qwen3_4b_rollout12') as Row
    expect([stalled.latestStep, stalled.stepsPerHour, stalled.eta, stalled.badLines]).toEqual([
      200,
      50,
      null,
      1,
    ])
    // 2 × 100 steps × 72 s + 1 h = 5 h allowed; 47 h since the last checkpoint.
    expect(stalled.detail).toMatch(
      /^no progress for 47 h \(last checkpoint or start .* UTC; stalled after 5 h\)$/,
    )
    expect((stalled.lastStart as Row).started).toBe(
      new Date(base - 50 * HOUR).toISOString().replace(/\.\d+Z$/, 'Z'),
    )
    expect([rows.get('qwen3_4b_rollout4')?.folder, rows.get('qwen3_4b_rollout4')?.detail]).toEqual([
      'none',
      'no checkpoint folder',
    ])
    expect([rows.get('qwen3_8b_default')?.folder, rows.get('qwen3_8b_default')?.detail]).toEqual([
      'found',
      'no checkpoint, no run record',
    ])
    const loading = rows.get('qwen3_8b_no_uncertain') as Row
    expect([loading.latestStep, loading.percent, loading.stepsPerHour, loading.starts]).toEqual([
      null,
      null,
      null,
      1,
    ])
    expect((loading.lastStart as Row).environment).toEqual([`CHECKPOINT_ROOT=${root}`])

    expect(report.slurm).toEqual({ source: 'absent', message: null, accounting: false })
    expect(report.hiddenRoots).toEqual([])
    expect(report.submit).toEqual({
      experiments: [
        'qwen3_4b_rollout12',
        'qwen3_4b_rollout4',
        'qwen3_8b_default',
        'qwen3_8b_rollout12',
        'qwen3_8b_rollout4',
      ],
      command:
        'bash dist-scripts/slurm/submit_all.sh run_4b_rollout12 run_4b_rollout4 run_8b run_8b_rollout12 run_8b_rollout4',
    })

    const text = status(cwd, ['--checkpoint-root', root], path)
    expect(text.code).toBe(0)
    const lines = text.stdout.trimEnd().split('\n')
    const line = (name: string) => lines.find((l) => l.startsWith(`${name} `))?.split(/ {2,}/)
    expect(line('qwen3_4b_default')?.slice(0, 5)).toEqual([
      'qwen3_4b_default',
      'running',
      '200 / 3,120',
      '6.4',
      '50',
    ])
    expect(line('qwen3_4b_default')?.slice(6, 9)).toEqual([
      'step 100',
      expect.stringMatching(/^alice@gpu-03 \d{4}-\d\d-\d\d \d\d:\d\d UTC$/),
      `ROLLOUT_N=8 CHECKPOINT_ROOT=${root}`,
    ])
    expect(line('qwen3_4b_rollout12')?.slice(0, 6)).toEqual([
      'qwen3_4b_rollout12',
      'failed',
      '200 / 3,120',
      '6.4',
      '50',
      '58.4 h (2.4 days) left',
    ])
    expect(line('qwen3_4b_rollout4')?.slice(1, 3)).toEqual(['not started', '- / 3,120'])
    expect(lines.slice(-4)).toEqual([
      'Slurm: squeue is not on PATH here; states come from the checkpoint folders and run records only.',
      'qwen3_4b_rollout12: 1 line(s) of finqa-runs.jsonl or finqa-uploads.jsonl are not records; left out.',
      'Submit the 5 experiments neither finished nor queued or running (a failed run resumes from its latest checkpoint):',
      '  bash dist-scripts/slurm/submit_all.sh run_4b_rollout12 run_4b_rollout4 run_8b run_8b_rollout12 run_8b_rollout4',
    ])
  })

  it("with Slurm: squeue's states win, sacct's refusal is quiet, --out names the submit script", () => {
    const cwd = project()
    const root = checkpointRoot()
    const slurm = fakeSlurm([
      '77|PENDING|JobHeldUser|0|qwen3_4b_rollout4',
      '78|RUNNING|None|1|qwen3_8b_default',
      '79|FAILED|NonZeroExitCode|0|qwen3_8b_rollout12',
      '80|PENDING|Dependency|0|qwen3_8b_rollout12-upload',
      '81|RUNNING|None|0|qwen3_4b_rollout12',
      '12|COMPLETED|None|0|qwen3_4b_no_uncertain',
    ])
    const r = status(
      cwd,
      ['--checkpoint-root', root, '--out', 'out/scripts', '--json'],
      `${slurm.bin}:/usr/bin:/bin`,
    )
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const report = JSON.parse(r.stdout) as { experiments: Row[]; slurm: Row; submit: Row }
    expect(report.experiments.map((row) => [row.name, row.state, row.detail])).toEqual([
      ['qwen3_4b_default', 'running', expect.stringMatching(/^no Slurm job; /)],
      ['qwen3_4b_no_uncertain', 'finished', 'step 3,120 of 3,120'],
      ['qwen3_4b_rollout12', 'running', 'job 81 running'],
      ['qwen3_4b_rollout4', 'queued', 'job 77 held (JobHeldUser)'],
      ['qwen3_8b_default', 'requeued', 'job 78 requeued once, running'],
      ['qwen3_8b_no_uncertain', 'running', expect.stringMatching(/^no Slurm job; /)],
      ['qwen3_8b_rollout12', 'failed', 'job 79 FAILED (NonZeroExitCode); no checkpoint folder here'],
      ['qwen3_8b_rollout4', 'not-started', 'no checkpoint folder'],
    ])
    const requeued = report.experiments[4] as Row
    expect(requeued.job).toEqual({ id: '78', state: 'RUNNING', reason: null, restarts: 1, from: 'squeue' })
    expect(report.slurm).toEqual({ source: 'squeue', message: null, accounting: false })
    expect(report.submit).toEqual({
      experiments: ['qwen3_8b_rollout12', 'qwen3_8b_rollout4'],
      command: 'bash out/scripts/slurm/submit_all.sh run_8b_rollout12 run_8b_rollout4',
    })
    // This user's jobs of every state, by the eight job names.
    expect(slurm.squeueArgs()).toBe(
      `-h --me -t all --name=${[...EIGHT].sort().join(',')} -O JobID:|,State:|,Reason:|,RestartCnt:|,Name:\n`,
    )
  })

  it('asks sacct, where accounting works, about the names squeue no longer lists', () => {
    const cwd = project()
    const root = checkpointRoot()
    const names = EIGHT.filter((n) => n !== 'qwen3_8b_default')
    const slurm = fakeSlurm(
      ['78|RUNNING|None|0|qwen3_8b_default'],
      ['90|CANCELLED by 0|qwen3_8b_rollout4', '91|COMPLETED|qwen3_8b_rollout12', '92|FAILED|someone_else'],
    )
    const r = status(cwd, ['--checkpoint-root', root, '--json'], `${slurm.bin}:/usr/bin:/bin`)
    expect([r.code, r.stderr]).toEqual([0, ''])
    const report = JSON.parse(r.stdout) as { experiments: Row[]; slurm: Row }
    const rows = new Map(report.experiments.map((row) => [row.name as string, row]))
    expect(report.slurm).toEqual({ source: 'squeue', message: null, accounting: true })
    expect(rows.get('qwen3_8b_rollout4')?.state).toBe('failed')
    expect(rows.get('qwen3_8b_rollout4')?.job).toEqual({
      id: '90',
      state: 'CANCELLED',
      reason: null,
      restarts: 0,
      from: 'sacct',
    })
    expect(rows.get('qwen3_8b_rollout12')?.detail).toBe('job 91 COMPLETED; no checkpoint folder here')
    expect(slurm.sacctArgs()).toMatch(
      new RegExp(` --starttime=now-60days --name=${names.join(',')} --format=JobIDRaw,State,JobName\n$`),
    )
  })

  it('says in one line that squeue failed, and judges by the folders', () => {
    const cwd = project()
    const root = checkpointRoot()
    const bin = tempDir('finqa-down-slurm-')
    writeFileSync(
      join(bin, 'squeue'),
      '#!/bin/bash\necho "slurm_load_jobs error: Unable to contact slurm controller (connect failure)" >&2\nexit 1\n',
    )
    chmodSync(join(bin, 'squeue'), 0o755)
    const r = status(cwd, ['--checkpoint-root', root], `${bin}:/usr/bin:/bin`)
    expect([r.code, r.stderr]).toEqual([0, ''])
    expect(r.stdout).toContain(
      '\nSlurm: squeue failed (slurm_load_jobs error: Unable to contact slurm controller (connect failure)); states come from the checkpoint folders and run records only.\n',
    )
    const line = (name: string) =>
      r.stdout
        .split('\n')
        .find((l) => l.startsWith(`${name} `))
        ?.split(/ {2,}/)
    expect(line('qwen3_4b_no_uncertain')?.[1]).toBe('finished')
    expect(line('qwen3_4b_rollout12')?.[1]).toBe('failed')
  })

  it('says in one line that a checkpoint root is not visible here, and exits 0', () => {
    const cwd = project()
    const path = tempDir('finqa-empty-path-')
    const r = status(cwd, ['--checkpoint-root', '/nonexistent/finqa-status'], path)
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(
      "\nCheckpoint root /nonexistent/finqa-status is not visible here (ENOENT): its runs' progress is unknown; run finqa status where it is mounted, or pass --checkpoint-root.\n",
    )
    expect(r.stdout.match(/is not visible here/g)).toHaveLength(1)
    expect(r.stdout).toContain('\nState unknown here, so not submitted: qwen3_4b_default, ')
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(
      'Nothing else to submit: every other experiment is finished, queued, running or requeued.',
    )
  })

  it('refuses a second folder and options of other commands with exit 2', () => {
    const cwd = project()
    expect(finqa(['status', 'a', 'b'], cwd).code).toBe(2)
    const all = finqa(['status', '--all'], cwd)
    expect([all.code, all.stderr]).toEqual([
      2,
      "finqa status: --all is not an option of status (it is an option of diff)\nRun 'finqa status --help' for usage.\n",
    ])
  })
})
