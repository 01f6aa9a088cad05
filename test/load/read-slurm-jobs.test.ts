import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { userInfo } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { readSlurmJobs } from '../../src/load/read-slurm-jobs.js'
import { tempDir } from '../helpers/cli.js'

/**
 * readSlurmJobs called in-process with bash stand-ins for squeue and sacct as the only PATH: what each one
 * prints, how it fails, and the arguments it was called with.
 */

interface Answer {
  readonly stdout?: string
  readonly stderr?: string
  readonly status?: number
}

const quoted = (text: string) => `'${text.replaceAll("'", "'\\''")}'`

/**
 * A folder holding `squeue` and `sacct` (those given) that log their arguments and answer as told; it is the
 * whole PATH for this test.
 */
function slurmOnPath(tools: { squeue?: Answer; sacct?: Answer }): {
  args: (tool: string) => string | undefined
} {
  const bin = tempDir('finqa-slurm-bin-')
  for (const [tool, answer] of Object.entries(tools)) {
    const path = join(bin, tool)
    writeFileSync(
      path,
      [
        '#!/bin/bash',
        `printf '%s\\n' "$*" >> ${quoted(join(bin, `${tool}.args`))}`,
        `printf '%s' ${quoted(answer.stdout ?? '')}`,
        `printf '%s' ${quoted(answer.stderr ?? '')} >&2`,
        `exit ${answer.status ?? 0}`,
        '',
      ].join('\n'),
    )
    chmodSync(path, 0o755)
  }
  vi.stubEnv('PATH', bin)
  onTestFinished(() => {
    vi.unstubAllEnvs()
  })
  return {
    args: (tool) =>
      existsSync(join(bin, `${tool}.args`)) ? readFileSync(join(bin, `${tool}.args`), 'utf8') : undefined,
  }
}

const SQUEUE_ARGS = '-h --me -t all --name=a,b -O JobID:|,State:|,Reason:|,RestartCnt:|,Name:\n'

describe('readSlurmJobs, what squeue says', () => {
  it('no names asks nothing: no jobs, no accounting', () => {
    const slurm = slurmOnPath({ squeue: { stdout: '1|RUNNING|None|0|a\n' } })
    expect(readSlurmJobs([])).toEqual({ kind: 'jobs', jobs: [], accounting: false })
    expect(slurm.args('squeue')).toBeUndefined()
  })

  it('no squeue on PATH is absent', () => {
    slurmOnPath({})
    expect(readSlurmJobs(['a'])).toEqual({ kind: 'absent' })
  })

  it("a failing squeue is an error with stderr's first line, else its exit status, else why it did not start", () => {
    slurmOnPath({
      squeue: {
        stderr: '  slurm_load_jobs error: Unable to contact slurm controller\nsecond line\n',
        status: 1,
      },
    })
    expect(readSlurmJobs(['a'])).toEqual({
      kind: 'error',
      message: 'slurm_load_jobs error: Unable to contact slurm controller',
    })
    slurmOnPath({ squeue: { stdout: '1|RUNNING|None|0|a\n', status: 3 } })
    expect(readSlurmJobs(['a'])).toEqual({ kind: 'error', message: 'exit 3' })
    const dir = tempDir('finqa-slurm-bin-')
    writeFileSync(join(dir, 'squeue'), '#!/bin/bash\n')
    chmodSync(join(dir, 'squeue'), 0o644)
    vi.stubEnv('PATH', dir)
    expect(readSlurmJobs(['a'])).toEqual({ kind: 'error', message: 'spawnSync squeue EACCES' })
  })

  it("asks squeue once for this user's jobs of the names (each once, sorted) in every state", () => {
    const slurm = slurmOnPath({ squeue: { stdout: '7|RUNNING|None|0|a\n8|PENDING|Priority|0|b\n' } })
    readSlurmJobs(['b', 'a', 'b'])
    expect(slurm.args('squeue')).toBe(SQUEUE_ARGS)
  })

  it('reads id, state, reason and restarts of each wanted name; None and empty reasons are null', () => {
    const slurm = slurmOnPath({
      squeue: {
        stdout: [
          '70_3         |RUNNING     |None        |0   |a',
          '71|PENDING|JobHeldUser|2|b',
          '72|PENDING||x|b',
          '73|COMPLETED|None|1|other',
          '74|RUNNING|None|0',
          '|RUNNING|None|0|a',
          '',
        ].join('\n'),
      },
      sacct: { stdout: '99|FAILED|a\n' },
    })
    expect(readSlurmJobs(['a', 'b'])).toEqual({
      kind: 'jobs',
      jobs: [
        { id: '70_3', name: 'a', state: 'RUNNING', reason: null, restarts: 0, from: 'squeue' },
        { id: '71', name: 'b', state: 'PENDING', reason: 'JobHeldUser', restarts: 2, from: 'squeue' },
        { id: '72', name: 'b', state: 'PENDING', reason: null, restarts: 0, from: 'squeue' },
      ],
      accounting: false,
    })
    // Every name is listed: sacct is not asked.
    expect(slurm.args('sacct')).toBeUndefined()
  })

  it('a name holding `|` is the rest of the line; a restart count that is not all digits is 0', () => {
    slurmOnPath({ squeue: { stdout: '5|RUNNING|None|1x|a|b \n6|RUNNING|None|12|c\n7|RUNNING|None|x2|d\n' } })
    expect(readSlurmJobs(['a|b', 'c', 'd'])).toEqual({
      kind: 'jobs',
      jobs: [
        { id: '5', name: 'a|b', state: 'RUNNING', reason: null, restarts: 0, from: 'squeue' },
        { id: '6', name: 'c', state: 'RUNNING', reason: null, restarts: 12, from: 'squeue' },
        { id: '7', name: 'd', state: 'RUNNING', reason: null, restarts: 0, from: 'squeue' },
      ],
      accounting: false,
    })
  })
})

describe('readSlurmJobs, what sacct says of the names squeue no longer lists', () => {
  it("asks sacct for this user's latest records of those names only, over 60 days", () => {
    const slurm = slurmOnPath({ squeue: { stdout: '7|RUNNING|None|0|a\n' }, sacct: {} })
    readSlurmJobs(['c', 'a', 'b'])
    expect(slurm.args('sacct')).toBe(
      `-n -P -X --user=${userInfo().username} --starttime=now-60days --name=b,c --format=JobIDRaw,State,JobName\n`,
    )
  })

  it("adds sacct's jobs of those names (ids start with a digit), the state's first word, and says accounting answered", () => {
    slurmOnPath({
      squeue: { stdout: '7|RUNNING|None|0|a\n' },
      sacct: {
        stdout: [
          '40|CANCELLED by 1000|b',
          '41|COMPLETED|a',
          'JobIDRaw|State|JobName',
          'J1|FAILED|b',
          '|FAILED|b',
          '42|TIMEOUT|c|d ',
          '43|FAILED|other',
          '',
        ].join('\n'),
      },
    })
    expect(readSlurmJobs(['a', 'b', 'c|d'])).toEqual({
      kind: 'jobs',
      jobs: [
        { id: '7', name: 'a', state: 'RUNNING', reason: null, restarts: 0, from: 'squeue' },
        { id: '40', name: 'b', state: 'CANCELLED', reason: null, restarts: 0, from: 'sacct' },
        { id: '42', name: 'c|d', state: 'TIMEOUT', reason: null, restarts: 0, from: 'sacct' },
      ],
      accounting: true,
    })
  })

  it("a failing sacct (no accounting) is quiet: squeue's jobs, accounting false", () => {
    slurmOnPath({
      squeue: { stdout: '7|RUNNING|None|0|a\n' },
      sacct: { stdout: '40|FAILED|b\n', stderr: 'Slurm accounting storage is disabled\n', status: 1 },
    })
    expect(readSlurmJobs(['a', 'b'])).toEqual({
      kind: 'jobs',
      jobs: [{ id: '7', name: 'a', state: 'RUNNING', reason: null, restarts: 0, from: 'squeue' }],
      accounting: false,
    })
  })

  it('no sacct on PATH is quiet too', () => {
    slurmOnPath({ squeue: { stdout: '' } })
    expect(readSlurmJobs(['a'])).toEqual({ kind: 'jobs', jobs: [], accounting: false })
  })
})
