import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { BIN, finqa, project } from './helpers/cli.js'

/** A running `finqa compile --watch` whose output the test can wait on. */
function startWatch(dir: string, args: string[] = []) {
  const { NO_COLOR: _n, FORCE_COLOR: _f, ...env } = process.env
  const child = spawn(process.execPath, [BIN, 'compile', 'experiments', '--watch', ...args], {
    cwd: dir,
    env,
  })
  onTestFinished(() => {
    if (child.exitCode === null) child.kill('SIGKILL')
  })
  const out = { stdout: '', stderr: '' }
  child.stdout.setEncoding('utf8').on('data', (t: string) => {
    out.stdout += t
  })
  child.stderr.setEncoding('utf8').on('data', (t: string) => {
    out.stderr += t
  })
  /** Resolves once `check` holds for the output since `from`; rejects when the process ends first. */
  const waitFor = (check: (o: typeof out) => boolean, what: string) =>
    new Promise<void>((resolve, reject) => {
      const poll = setInterval(() => {
        if (check(out)) {
          clearInterval(poll)
          resolve()
        } else if (child.exitCode !== null) {
          clearInterval(poll)
          reject(new Error(`finqa exited (${child.exitCode}) before ${what}:\n${out.stdout}${out.stderr}`))
        }
      }, 20)
    })
  return { child, out, waitFor }
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode)
    else child.on('exit', (code) => resolve(code))
  })
}

const edit = (file: string, from: string, to: string) =>
  writeFileSync(file, readFileSync(file, 'utf8').replace(from, to))

describe('finqa compile --watch', () => {
  it('recompiles on change, reports errors without exiting, writes once fixed, stops on SIGTERM', async () => {
    const dir = project()
    const base = join(dir, 'experiments', 'base.yaml')
    const { child, out, waitFor } = startWatch(dir)
    await waitFor((o) => o.stdout.includes('watching experiments for changes'), 'watching')
    expect(out.stdout).toMatch(/finqa: 8 experiments, \d+ written/)

    edit(base, '  n: 8', '  n: eight')
    await waitFor((o) => o.stderr.includes('nothing written'), 'the diagnostic')
    expect(out.stderr).toMatch(
      /^experiments\/base\.yaml:\d+:6 error SCHEMA `rollout\.n` must be an integer$/m,
    )
    expect(out.stdout).toContain('experiments/base.yaml changed; recompiling')
    expect(child.exitCode).toBe(null)

    const mark = out.stdout.length
    edit(base, '  n: eight', '  n: 16')
    await waitFor((o) => /finqa: 8 experiments, \d+ written/.test(o.stdout.slice(mark)), 'the fixed compile')
    expect(out.stdout.slice(mark)).toContain('wrote dist-scripts/run_4b.sh')
    expect(readFileSync(join(dir, 'dist-scripts', 'run_4b.sh'), 'utf8')).toMatch(
      /^ROLLOUT_N=\$\{ROLLOUT_N:-16\} #/m,
    )

    child.kill('SIGTERM')
    expect(await exited(child)).toBe(0)
  })

  it('with --json prints one JSON object per compile', async () => {
    const dir = project()
    const { child, out, waitFor } = startWatch(dir, ['--json'])
    const lines = () => out.stdout.split('\n').filter(Boolean)
    await waitFor(() => lines().length === 1, 'the first compile')
    const spec = join(dir, 'experiments', '4b', 'rollout4.yaml')
    edit(spec, '  n: 4', '  n: 5')
    await waitFor(() => lines().length === 2, 'the recompile')
    const [first, second] = lines().map((l) => JSON.parse(l))
    expect(first.files.written.filter((f: string) => /\/run_[^/]*\.sh$/.test(f))).toHaveLength(8)
    expect(second.files.written.filter((f: string) => /\/run_[^/]*\.sh$/.test(f))).toEqual([
      'dist-scripts/run_4b_rollout4.sh',
    ])
    expect(out.stderr).toBe('')
    child.kill('SIGINT')
    expect(await exited(child)).toBe(0)
  })

  it('--watch with --check is a usage error; a missing spec folder ends it with exit 1', () => {
    const dir = project()
    const both = finqa(['compile', '--watch', '--check'], dir)
    expect(both.code).toBe(2)
    expect(both.stderr).toContain('--watch and --check do not go together')
    const missing = finqa(['compile', 'nope', '--watch'], dir)
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('spec folder nope does not exist')
  })
})
