import { mkdirSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { folderProblem, readCheckpointFolder } from '../../src/load/read-checkpoints.js'
import { tempDir } from '../helpers/cli.js'

/** A checkpoint folder with these files (path -> text) and `global_step_N` folders (step -> mtime, s). */
function folder(files: Record<string, string>, steps: Record<number, number> = {}): string {
  const dir = tempDir('finqa-ckpt-')
  for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text)
  for (const [step, mtime] of Object.entries(steps)) {
    mkdirSync(join(dir, `global_step_${step}`))
    utimesSync(join(dir, `global_step_${step}`), mtime, mtime)
  }
  return dir
}

const start = (fields: Record<string, unknown>) => JSON.stringify({ record: 'start', ...fields })

describe('reading a checkpoint folder (finqa status, finqa plan)', () => {
  it('a folder that does not exist is missing; one that cannot be listed is unreadable, with the code', () => {
    const root = tempDir('finqa-ckpt-')
    expect(readCheckpointFolder(join(root, 'none'))).toEqual({ kind: 'missing', dir: join(root, 'none') })
    writeFileSync(join(root, 'file'), '')
    expect(readCheckpointFolder(join(root, 'file'))).toEqual({
      kind: 'unreadable',
      dir: join(root, 'file'),
      reason: 'ENOTDIR',
    })
    expect(folderProblem(join(root, 'none'))).toBe('ENOENT')
    expect(folderProblem(join(root, 'file'))).toBe('ENOTDIR')
    expect(folderProblem(root)).toBe(null)
  })

  it('saved steps: global_step_N folders only, by step (numerically), each with its modification time', () => {
    const dir = folder(
      { global_step_7: 'a file, not a folder' },
      { 100: 1_700_000_100, 20: 1_700_000_020, 3: 3 },
    )
    mkdirSync(join(dir, 'global_step_x'))
    mkdirSync(join(dir, 'global_step_5_old'))
    mkdirSync(join(dir, 'old_global_step_6'))
    const read = readCheckpointFolder(dir)
    expect(read).toMatchObject({
      kind: 'folder',
      steps: [
        { step: 3, savedMs: 3000 },
        { step: 20, savedMs: 1_700_000_020_000 },
        { step: 100, savedMs: 1_700_000_100_000 },
      ],
      latest: null,
      starts: [],
      uploads: [],
      badLines: 0,
    })
  })

  it('latest_checkpointed_iteration.txt: a whole number (space around it allowed), else null', () => {
    expect(readCheckpointFolder(folder({ 'latest_checkpointed_iteration.txt': ' 300\n' }))).toMatchObject({
      latest: 300,
    })
    for (const text of ['', '3.5', '-1', 'step 3', '30 0'])
      expect(readCheckpointFolder(folder({ 'latest_checkpointed_iteration.txt': text }))).toMatchObject({
        latest: null,
      })
  })

  it('run records: each start with its fields, by start time; defaults for fields of the wrong type', () => {
    const runs = [
      start({
        started: '2026-03-02T10:00:00Z',
        experiment: 'qwen3_4b',
        host: 'node1',
        user: 'ana',
        slurm_job_id: 812,
        restart_count: 2,
        environment: ['BATCH_SIZE=64', 7, 'LR=1e-6'],
        resume_changed: ['rollout.n: 8 -> 4', null],
      }),
      start({
        started: '2026-03-01T09:30:00+01:00',
        experiment: 5,
        host: null,
        slurm_job_id: '812',
        restart_count: '1',
        environment: 'BATCH_SIZE=64',
        resume_changed: 'yes',
      }),
    ]
    const read = readCheckpointFolder(folder({ 'finqa-runs.jsonl': `${runs.join('\n')}\n` }))
    expect(read).toMatchObject({
      badLines: 0,
      starts: [
        {
          started: '2026-03-01T09:30:00+01:00',
          startedMs: Date.UTC(2026, 2, 1, 8, 30),
          experiment: null,
          host: null,
          user: null,
          slurmJobId: null,
          restartCount: 0,
          environment: [],
          resumeChanged: null,
        },
        {
          started: '2026-03-02T10:00:00Z',
          startedMs: Date.UTC(2026, 2, 2, 10, 0),
          experiment: 'qwen3_4b',
          host: 'node1',
          user: 'ana',
          slurmJobId: 812,
          restartCount: 2,
          environment: ['BATCH_SIZE=64', 'LR=1e-6'],
          resumeChanged: ['rollout.n: 8 -> 4'],
        },
      ],
    })
  })

  it('lines that are not records count as bad: torn JSON, not an object, not a start, a bad date', () => {
    const runs = [
      '{"record":"start","started":"2026-03-0',
      '[1,2]',
      'null',
      '"text"',
      JSON.stringify({ record: 'end', started: '2026-03-01T00:00:00Z' }),
      JSON.stringify({ record: 'start', started: 5 }),
      JSON.stringify({ record: 'start', started: 'yesterday' }),
      '',
      '   ',
      start({ started: '2026-03-01T00:00:00Z' }),
    ]
    const uploads = [
      JSON.stringify({ step: 100, repo: 'org/m', uploaded: '2026-03-01T01:00:00Z' }),
      JSON.stringify({ step: '100', repo: 'org/m', uploaded: 'x' }),
      JSON.stringify({ step: 100, repo: 1, uploaded: 'x' }),
      JSON.stringify({ step: 100, repo: 'org/m' }),
      'torn',
    ]
    const read = readCheckpointFolder(
      folder({ 'finqa-runs.jsonl': runs.join('\n'), 'finqa-uploads.jsonl': uploads.join('\n') }),
    )
    expect(read).toMatchObject({
      badLines: 7 + 4,
      starts: [{ started: '2026-03-01T00:00:00Z', restartCount: 0, environment: [], resumeChanged: null }],
      uploads: [{ step: 100, repo: 'org/m', uploaded: '2026-03-01T01:00:00Z' }],
    })
  })
})
