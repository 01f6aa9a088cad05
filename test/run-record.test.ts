import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import verl from '../src/generated/verl/v0.9.0.json' with { type: 'json' }
import { tempDir } from './helpers/cli.js'
import { REPO } from './helpers/compile-repo.js'
import { runScript } from './helpers/run-script.js'

// Issue 19, points 1 and 2: every start of a launch script writes a run record into its checkpoint folder,
// and a start that would resume checkpoints made with other training settings stops before launch.

const SCRIPT = join(REPO, 'dist-scripts', 'run_4b.sh')
const LIB = join(REPO, 'dist-scripts', 'lib', 'finqa-launch.sh')
const VERSION = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version as string

interface Setup {
  root: string
  dir: string
  start: (env?: Record<string, string>, args?: string[]) => ReturnType<typeof runScript>
}

/** A checkpoint root of its own; `start` runs run_4b.sh against it with a stub python3. */
function setup(): Setup {
  const root = tempDir('finqa-ckpt-')
  const start = (env: Record<string, string> = {}, args: string[] = []) =>
    runScript(SCRIPT, {
      args,
      env: { CHECKPOINT_ROOT: root, FINQA_SKIP_PREFLIGHT: '1', HOSTNAME: 'node07', USER: 'alice', ...env },
    })
  return { root, dir: join(root, 'qwen3_4b_default'), start }
}

/** What VERL leaves after saving step N: global_step_N/ and latest_checkpointed_iteration.txt. */
function saveCheckpoint(dir: string, step: number): void {
  mkdirSync(join(dir, `global_step_${step}`, 'actor'), { recursive: true })
  writeFileSync(join(dir, `global_step_${step}`, 'actor', 'model.pt'), `weights of step ${step}`)
  writeFileSync(join(dir, 'latest_checkpointed_iteration.txt'), String(step))
}

/** Every file below `dir` with its content and mode: what "nothing was written" compares. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name)
    const rel = path.slice(dir.length + 1)
    out[rel] = entry.isFile() ? `${statSync(path).mode}:${readFileSync(path, 'utf8')}` : 'dir'
  }
  return out
}

function records(dir: string): Record<string, unknown>[] {
  return readFileSync(join(dir, 'finqa-runs.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>)
}

/** Any text bash can hold as an argument: no NUL, and well-formed UTF-16 (argv is UTF-8 bytes). */
const TEXT = fc
  .string({ unit: 'binary' })
  .map((s) => s.replaceAll('\0', ''))
  .filter((s) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s))

const scriptHash = (): string => {
  const m = /^FINQA_SPEC_SHA256=([0-9a-f]{64})$/m.exec(readFileSync(SCRIPT, 'utf8'))
  if (m === null) throw new Error('run_4b.sh names no spec hash')
  return m[1] as string
}

describe('run record: one JSON line per start in the checkpoint folder', () => {
  it('names finqa, the VERL target, the spec hash, the checkout, the command, the overrides, host, user and time', () => {
    const { root, dir, start } = setup()
    const run = start({
      ROLLOUT_N: '16',
      WANDB_API_KEY: 'wandb-secret-value',
      HF_TOKEN: 'hf_secretsecretsecretsecret',
    })
    expect(run.stderr).not.toMatch(/: (error|warning):/)
    expect(run.status).toBe(0)
    const [record, ...more] = records(dir)
    expect(more).toEqual([])
    const git = spawnSync('git', ['-C', REPO, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).stdout.trim()
    expect(record).toMatchObject({
      record: 'start',
      finqa: VERSION,
      experiment: 'qwen3_4b_default',
      script: 'run_4b.sh',
      spec_sha256: scriptHash(),
      verl: { version: '0.9.0', commit: verl.commit },
      host: 'node07',
      user: 'alice',
      slurm_job_id: null,
      restart_count: 0,
      // In the order of the script's variables; CHECKPOINT_ROOT is set by this test.
      environment: ['ROLLOUT_N=16', `CHECKPOINT_ROOT=${root}`],
      resume_changed: false,
    })
    expect(record?.git).toEqual({ commit: git, dirty: expect.any(Boolean) })
    expect(String(record?.started)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    expect(Math.abs(Date.parse(String(record?.started)) - Date.now())).toBeLessThan(120_000)
    // The command is the one python3 received, word for word.
    expect(record?.command).toEqual(['python3', ...(run.calls[0] ?? [])])
    expect(record?.command).toContain('actor_rollout_ref.rollout.n=16')
    // The settings: the command's key=value words but those that may change on a resume.
    const settings = record?.settings as string[]
    expect(settings).toContain('actor_rollout_ref.rollout.n=16')
    expect(settings).toContain('actor_rollout_ref.actor.optim.lr=1e-6')
    expect(settings.some((s) => s.startsWith('trainer.save_freq='))).toBe(false)
    expect(settings.some((s) => s.startsWith('trainer.test_freq='))).toBe(false)
    expect(settings.some((s) => s.startsWith('trainer.logger='))).toBe(false)
    expect([...settings].sort()).toEqual(settings)
    // No secret, from the environment or an argument.
    const text = readFileSync(join(dir, 'finqa-runs.jsonl'), 'utf8')
    expect(text).not.toContain('wandb-secret-value')
    expect(text).not.toContain('hf_secret')
  })

  it('records a credential-like extra argument as key=***', () => {
    const { dir, start } = setup()
    const run = start({}, ['+trainer.wandb_api_key=abcdef123456'])
    expect(run.status, run.stderr).toBe(0)
    const text = readFileSync(join(dir, 'finqa-runs.jsonl'), 'utf8')
    expect(text).not.toContain('abcdef123456')
    expect(records(dir)[0]?.command).toContain('+trainer.wandb_api_key=***')
  })

  it('appends: each start is one more line; a requeue names the Slurm job and its restart count', () => {
    const { dir, start } = setup()
    expect(start({ SLURM_JOB_ID: '4242' }).status).toBe(0)
    saveCheckpoint(dir, 100)
    const requeue = start({ SLURM_JOB_ID: '4242', SLURM_RESTART_COUNT: '1' })
    expect(requeue.status, requeue.stderr).toBe(0)
    expect(requeue.calls).toHaveLength(1)
    const [first, second] = records(dir)
    expect(first).toMatchObject({ slurm_job_id: 4242, restart_count: 0 })
    expect(second).toMatchObject({ slurm_job_id: 4242, restart_count: 1, resume_changed: false })
    // Readable by the group as the umask says, not only by its writer (mktemp makes 0600 files).
    expect(statSync(join(dir, 'finqa-runs.jsonl')).mode & 0o777).toBe(0o644)
  })

  it('a folder the script cannot write: one warning, and the run still starts', () => {
    const { root } = setup()
    chmodSync(root, 0o555)
    const run = runScript(SCRIPT, {
      env: { CHECKPOINT_ROOT: root, FINQA_SKIP_PREFLIGHT: '1' },
      unprivileged: true,
    })
    chmodSync(root, 0o755)
    expect(run.status, run.stderr).toBe(0)
    expect(run.stderr).toMatch(/^run_4b\.sh: warning: cannot write the run record into .*qwen3_4b_default$/m)
    expect(run.calls).toHaveLength(1)
  })

  it('finqa_json_into writes JSON that parses back to the same text, for any text bash can hold', () => {
    fc.assert(
      fc.property(fc.array(TEXT, { maxLength: 8 }), (texts) => {
        const script = `source "${LIB}"; finqa_json_array_into out "$@"; printf '%s' "$out"`
        const r = spawnSync('bash', ['-c', script, 'x', ...texts], {
          encoding: 'utf8',
        })
        expect(r.status).toBe(0)
        expect(JSON.parse(r.stdout)).toEqual(texts)
      }),
      { numRuns: 60, seed: 19 },
    )
    // Written out: the characters JSON must escape.
    const r = spawnSync(
      'bash',
      [
        '-c',
        `source "${LIB}"; finqa_json_into out "$1"; printf '%s' "$out"`,
        'x',
        'a"b\\c\nd\te\u0001f\u007f',
      ],
      {
        encoding: 'utf8',
      },
    )
    expect(r.stdout).toBe('"a\\"b\\\\c\\nd\\te\\u0001f\\u007f"')
  })
})

describe('resume guard: checkpoints made with other training settings are never resumed by accident', () => {
  it("the seed's `ROLLOUT_N=16 bash run_4b.sh` against the default run stops with exit 2 and writes nothing", () => {
    const { dir, start } = setup()
    expect(start().status).toBe(0)
    saveCheckpoint(dir, 300)
    const before = snapshot(dir)
    const run = start({ ROLLOUT_N: '16' })
    expect(run.status).toBe(2)
    expect(run.calls).toEqual([])
    expect(snapshot(dir)).toEqual(before)
    expect(run.stderr).toContain(
      `run_4b.sh: error: ${dir} holds checkpoints (latest step 300) made with other training settings`,
    )
    expect(run.stderr).toContain('  actor_rollout_ref.rollout.n: 8 -> 16\n')
    expect(run.stderr).toContain(
      'set EXP_NAME to a new name (e.g. EXP_NAME=qwen3_4b_default_2 ... bash run_4b.sh)',
    )
    expect(run.stderr).toContain('FINQA_RESUME_CHANGED=1 ... bash run_4b.sh')
    // Only the difference: nothing else is listed.
    expect(run.stderr.split('\n').filter((l) => l.startsWith('  ') && l.includes(' -> '))).toEqual([
      '  actor_rollout_ref.rollout.n: 8 -> 16',
    ])
  })

  it('the way on it names: a new EXP_NAME starts a run of its own', () => {
    const { root, dir, start } = setup()
    expect(start().status).toBe(0)
    saveCheckpoint(dir, 300)
    const run = start({ ROLLOUT_N: '16', EXP_NAME: 'qwen3_4b_default_2' })
    expect(run.status, run.stderr).toBe(0)
    expect(records(join(root, 'qwen3_4b_default_2'))[0]).toMatchObject({ experiment: 'qwen3_4b_default' })
    expect(records(dir)).toHaveLength(1)
  })

  it('a plain rerun with the same settings resumes, and so does one that changes only save, test or log settings', () => {
    const { dir, start } = setup()
    expect(start().status).toBe(0)
    saveCheckpoint(dir, 100)
    expect(start().status).toBe(0)
    const freq = start({ SAVE_FREQ: '50', TEST_FREQ: '25' }, ['trainer.val_before_train=False'])
    expect(freq.status, freq.stderr).toBe(0)
    expect(records(dir)).toHaveLength(3)
  })

  it('an extra argument that changes training counts as a change', () => {
    const { dir, start } = setup()
    expect(start().status).toBe(0)
    saveCheckpoint(dir, 100)
    const run = start({}, ['actor_rollout_ref.actor.clip_ratio=0.3'])
    expect(run.status).toBe(2)
    expect(run.stderr).toContain('  actor_rollout_ref.actor.clip_ratio: (not set) -> 0.3\n')
  })

  it("FINQA_RESUME_CHANGED=1 resumes with the new settings and records it; they are then the run's settings", () => {
    const { root, dir, start } = setup()
    expect(start().status).toBe(0)
    saveCheckpoint(dir, 100)
    const run = start({ ROLLOUT_N: '16', FINQA_RESUME_CHANGED: '1' })
    expect(run.status, run.stderr).toBe(0)
    expect(run.calls).toHaveLength(1)
    expect(records(dir)[1]).toMatchObject({
      resume_changed: ['actor_rollout_ref.rollout.n: 8 -> 16'],
      environment: ['ROLLOUT_N=16', `CHECKPOINT_ROOT=${root}`],
    })
    expect(start({ ROLLOUT_N: '16' }).status).toBe(0)
    const back = start()
    expect(back.status).toBe(2)
    expect(back.stderr).toContain('  actor_rollout_ref.rollout.n: 16 -> 8\n')
  })

  it('checkpoints without a run record stop too: their settings are unknown', () => {
    const { dir, start } = setup()
    saveCheckpoint(dir, 100)
    const run = start()
    expect(run.status).toBe(2)
    expect(run.stderr).toContain('holds checkpoints (latest step 100) but no finqa run record')
    expect(existsSync(join(dir, 'finqa-runs.jsonl'))).toBe(false)
    const on = start({ FINQA_RESUME_CHANGED: '1' })
    expect(on.status, on.stderr).toBe(0)
    expect(records(dir)[0]?.resume_changed).toEqual([
      '(no run record: the settings the checkpoints were made with are unknown)',
    ])
  })

  it('--dry-run makes the same guard (so submit_all.sh --preflight catches it on the login node)', () => {
    const { dir, start } = setup()
    expect(start().status).toBe(0)
    saveCheckpoint(dir, 100)
    const run = start({ ROLLOUT_N: '4' }, ['--dry-run'])
    expect(run.status).toBe(2)
    expect(run.calls).toEqual([])
    expect(records(dir)).toHaveLength(1)
  })
})
