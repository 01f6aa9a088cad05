import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { BIN, filesBelow, finqa, project, tempDir } from './helpers/cli.js'

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

/** An editor's atomic save: the new text goes to a hidden file beside it, renamed over the file. */
const renameSave = (file: string, from: string, to: string) => {
  const temp = join(dirname(file), `.${basename(file)}.swp`)
  writeFileSync(temp, readFileSync(file, 'utf8').replace(from, to))
  renameSync(temp, file)
}

/** `sed -i`: GNU sed writes a new file and renames it over the old one. */
const sedSave = (file: string, from: string, to: string) => {
  const r = spawnSync('sed', ['-i', `s/${from}/${to}/`, file], { encoding: 'utf8' })
  expect(r.status, r.stderr).toBe(0)
}

/** The default `rollout.n` a generated launch script holds, or undefined when there is no such script. */
function rolloutN(dir: string, script: string): string | undefined {
  const path = join(dir, 'dist-scripts', script)
  if (!existsSync(path)) return undefined
  return /^ROLLOUT_N=\$\{ROLLOUT_N:-(\d+)\} #/m.exec(readFileSync(path, 'utf8'))?.[1]
}

/** Resolves once `check` holds; rejects after 20 s, with what the watching process printed. */
function until(check: () => boolean, what: string, out: { stdout: string; stderr: string }) {
  const deadline = Date.now() + 20_000
  return new Promise<void>((resolve, reject) => {
    const poll = setInterval(() => {
      if (check()) {
        clearInterval(poll)
        resolve()
      } else if (Date.now() > deadline) {
        clearInterval(poll)
        reject(new Error(`no ${what} after 20 s; finqa printed:\n${out.stdout}${out.stderr}`))
      }
    }, 20)
  })
}

/** Every output file's mtime and inode, by path. */
function outputStats(dir: string): Map<string, string> {
  const root = join(dir, 'dist-scripts')
  return new Map(
    filesBelow(root).map((f) => {
      const s = lstatSync(join(root, f), { bigint: true })
      return [f, `${s.mtimeNs}:${s.ino}`]
    }),
  )
}

/** Every output file's content and mode, by path. */
function outputTree(out: string): [string, string, number][] {
  return filesBelow(out).map((f) => [
    f,
    readFileSync(join(out, f), 'utf8'),
    statSync(join(out, f)).mode & 0o777,
  ])
}

/** The output folder is what a full compile of the same specs, in a fresh project without a cache, writes. */
function expectFullCompileOutput(dir: string): void {
  const fresh = tempDir()
  cpSync(join(dir, 'experiments'), join(fresh, 'experiments'), { recursive: true })
  expect(finqa(['compile', 'experiments'], fresh, { FINQA_NO_CACHE: '1' }).code).toBe(0)
  expect(outputTree(join(dir, 'dist-scripts'))).toEqual(outputTree(join(fresh, 'dist-scripts')))
  expect(finqa(['compile', 'experiments', '--check'], dir).code).toBe(0)
}

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

  it('sees later edits of a file saved by rename (an atomic save, sed -i), and its deletion', async () => {
    const dir = project()
    const spec = join(dir, 'experiments', '4b', 'rollout4.yaml')
    const { out, waitFor } = startWatch(dir)
    await waitFor((o) => o.stdout.includes('watching experiments for changes'), 'watching')
    const n = (value: string) => () => rolloutN(dir, 'run_4b_rollout4.sh') === value

    renameSave(spec, '  n: 4', '  n: 5')
    await until(n('5'), 'compile after the save by rename', out)
    edit(spec, '  n: 5', '  n: 6')
    await until(n('6'), 'compile after an edit of the renamed file', out)
    sedSave(spec, '  n: 6', '  n: 7')
    await until(n('7'), 'compile after sed -i', out)
    edit(spec, '  n: 7', '  n: 9')
    await until(n('9'), 'compile after an edit following sed -i', out)
    renameSave(spec, '  n: 9', '  n: 3')
    await until(n('3'), 'compile after a second save by rename', out)

    unlinkSync(spec)
    await until(() => rolloutN(dir, 'run_4b_rollout4.sh') === undefined, 'removal of its script', out)
    expect(existsSync(join(dir, 'dist-scripts', 'slurm', 'run_4b_rollout4.sbatch'))).toBe(false)
    await until(() => out.stdout.includes('removed dist-scripts/run_4b_rollout4.sh'), 'the report', out)
    expectFullCompileOutput(dir)
  })

  it('sees new spec files, new folders and the files in them, and a folder renamed', async () => {
    const dir = project()
    const rollout4 = readFileSync(join(dir, 'experiments', '4b', 'rollout4.yaml'), 'utf8')
    const variant = (n: number, folderDepth: number) =>
      rollout4
        .replace('../qwen3-4b.yaml', `${'../'.repeat(folderDepth)}qwen3-4b.yaml`)
        .replaceAll('rollout4', `rollout${n}`)
        .replace('  n: 4', `  n: ${n}`)
    const { out, waitFor } = startWatch(dir)
    await waitFor((o) => o.stdout.includes('watching experiments for changes'), 'watching')

    writeFileSync(join(dir, 'experiments', '4b', 'rollout6.yaml'), variant(6, 1))
    await until(() => rolloutN(dir, 'run_4b_rollout6.sh') === '6', 'a new spec file compiled', out)

    // A new folder, and a new one inside it, each with a spec written as soon as the folder exists.
    mkdirSync(join(dir, 'experiments', 'more'))
    writeFileSync(join(dir, 'experiments', 'more', 'rollout3.yaml'), variant(3, 1))
    mkdirSync(join(dir, 'experiments', 'more', 'deep'))
    const deep = join(dir, 'experiments', 'more', 'deep', 'rollout2.yaml')
    writeFileSync(deep, variant(2, 2))
    await until(() => rolloutN(dir, 'run_4b_rollout3.sh') === '3', 'a spec in a new folder compiled', out)
    await until(() => rolloutN(dir, 'run_4b_rollout2.sh') === '2', 'a spec two new folders down', out)
    // Later edits in the new folders are seen: each has its own watch.
    edit(deep, '  n: 2', '  n: 1')
    await until(() => rolloutN(dir, 'run_4b_rollout2.sh') === '1', 'an edit in a new folder', out)
    renameSave(deep, '  n: 1', '  n: 11')
    await until(() => rolloutN(dir, 'run_4b_rollout2.sh') === '11', 'a save by rename in a new folder', out)
    edit(deep, '  n: 11', '  n: 10')
    await until(() => rolloutN(dir, 'run_4b_rollout2.sh') === '10', 'an edit after it', out)

    // The folder renamed: its specs are the same experiments, and edits in it are still seen.
    renameSync(join(dir, 'experiments', 'more'), join(dir, 'experiments', 'moved'))
    const moved = join(dir, 'experiments', 'moved', 'deep', 'rollout2.yaml')
    await until(
      () => out.stdout.includes('experiments/moved/deep/rollout2.yaml'),
      'the renamed folder seen',
      out,
    )
    edit(moved, '  n: 10', '  n: 12')
    await until(() => rolloutN(dir, 'run_4b_rollout2.sh') === '12', 'an edit in the renamed folder', out)
    expectFullCompileOutput(dir)
  })

  it('an edit compiles again only the experiments below the changed layer; the output equals a full compile', async () => {
    const dir = project()
    // The first compile under --watch is then answered by the no-op cache: the memo is made in memory.
    expect(finqa(['compile', 'experiments'], dir).code).toBe(0)
    const { out, waitFor } = startWatch(dir, ['--json'])
    const results = () =>
      out.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    const next = async (count: number, what: string) => {
      await waitFor(() => results().length === count, what)
      return results()[count - 1]
    }
    const first = await next(1, 'the first compile')
    expect(first.files.written).toEqual([])
    expect(first.summary.kept).toBe(undefined)

    // A leaf: its experiment only, and the files made from all experiments.
    const before = outputStats(dir)
    edit(join(dir, 'experiments', '4b', 'rollout4.yaml'), '  n: 4', '  n: 5')
    const leaf = await next(2, 'the compile after a leaf edit')
    expect(leaf.summary).toEqual({ experiments: 8, errors: 0, warnings: 0, kept: 7 })
    expect(leaf.files.written).toEqual(['dist-scripts/README.md', 'dist-scripts/run_4b_rollout4.sh'])
    const after = outputStats(dir)
    const touched = [...after.keys()].filter((f) => after.get(f) !== before.get(f))
    expect(touched).toEqual(['README.md', 'run_4b_rollout4.sh'])

    // The 8B model layer: its four experiments.
    edit(join(dir, 'experiments', 'qwen3-8b.yaml'), 'label: Qwen3-8B', 'label: Qwen3 8B')
    const model = await next(3, 'the compile after a model layer edit')
    expect(model.summary.kept).toBe(4)
    expect(model.files.written.filter((f: string) => /\/run_[^/]*\.sh$/.test(f))).toEqual([
      'dist-scripts/run_8b.sh',
      'dist-scripts/run_8b_no_uncertain.sh',
      'dist-scripts/run_8b_rollout12.sh',
      'dist-scripts/run_8b_rollout4.sh',
    ])

    // The base: every experiment.
    edit(join(dir, 'experiments', 'base.yaml'), '  n: 8', '  n: 16')
    const base = await next(4, 'the compile after a base edit')
    expect(base.summary.kept).toBe(0)

    // A spec error writes nothing; fixing it compiles against what the last good compile wrote.
    edit(join(dir, 'experiments', '4b', 'rollout4.yaml'), '  n: 5', '  n: five')
    expect((await next(5, 'the failed compile')).ok).toBe(false)
    edit(join(dir, 'experiments', '4b', 'rollout4.yaml'), '  n: five', '  n: 6')
    const fixed = await next(6, 'the fixed compile')
    expect(fixed.summary.kept).toBe(7)
    expect(rolloutN(dir, 'run_4b_rollout4.sh')).toBe('6')
    expect(out.stderr).toBe('')
    expectFullCompileOutput(dir)
  })
})
