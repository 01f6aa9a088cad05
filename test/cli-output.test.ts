import { spawnSync } from 'node:child_process'
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stripVTControlCharacters } from 'node:util'
import { describe, expect, it } from 'vitest'
import { useColor } from '../src/cli/color.js'
import type { CompileJson } from '../src/cli/commands/compile.js'
import { main } from '../src/cli/main.js'
import { BIN, finqa, project } from './helpers/cli.js'
import { hasTool } from './helpers/tools.js'

const ESC = '\u001b['

function json(stdout: string): CompileJson {
  expect(stdout.trim().split('\n')).toHaveLength(1)
  return JSON.parse(stdout) as CompileJson
}

function breakBase(dir: string): void {
  const spec = join(dir, 'experiments', 'base.yaml')
  writeFileSync(spec, readFileSync(spec, 'utf8').replace('  n: 8', '  n: eight'))
}

describe('finqa compile --json', () => {
  it('reports the experiments and the files written, then unchanged', () => {
    const dir = project()
    const first = finqa(['compile', '--json'], dir)
    expect(first.code).toBe(0)
    expect(first.stderr).toBe('')
    const report = json(first.stdout)
    expect(report).toMatchObject({
      command: 'compile',
      mode: 'write',
      ok: true,
      exitCode: 0,
      specDir: 'experiments',
      outDir: 'dist-scripts',
      summary: { experiments: 8, errors: 0, warnings: 0 },
      diagnostics: [],
    })
    expect(report.files.written.filter((f: string) => /\/run_[^/]*\.sh$/.test(f))).toHaveLength(8)
    expect(report.files.written).toContain('dist-scripts/run_4b.sh')
    expect(report.experiments[0]).toEqual({
      name: 'qwen3_4b_default',
      script: 'run_4b.sh',
      chain: [
        'experiments/cluster.yaml',
        'experiments/base.yaml',
        'experiments/qwen3-4b.yaml',
        'experiments/4b/default.yaml',
      ],
    })

    unlinkSync(join(dir, 'experiments', '8b', 'rollout12.yaml'))
    writeFileSync(join(dir, 'dist-scripts', 'notes.txt'), '')
    const second = json(finqa(['compile', '--json'], dir).stdout)
    expect(second.files).toEqual({
      // The generated README, submit_all.sh and upload_to_hf.sh name the experiments, so they change too.
      written: ['dist-scripts/README.md', 'dist-scripts/slurm/submit_all.sh', 'dist-scripts/upload_to_hf.sh'],
      unchanged: expect.arrayContaining(['dist-scripts/run_4b.sh']),
      removed: [
        'dist-scripts/run_8b_rollout12.sh',
        'dist-scripts/slurm/run_8b_rollout12.sbatch',
        'dist-scripts/slurm/run_8b_rollout12.upload.sbatch',
      ],
      stale: [],
      missing: [],
      orphaned: [],
      extra: ['dist-scripts/notes.txt'],
    })
    expect(second.files.unchanged.filter((f: string) => /\/run_[^/]*\.sh$/.test(f))).toHaveLength(7)
  })

  it('reports spec errors with code, severity, position, message and related positions; exit 1', () => {
    const dir = project()
    breakBase(dir)
    const r = finqa(['compile', '--json'], dir)
    expect(r.code).toBe(1)
    expect(r.stderr).toBe('')
    const report = json(r.stdout)
    expect(report.ok).toBe(false)
    expect(report.exitCode).toBe(1)
    expect(report.summary.errors).toBe(1)
    const [d] = report.diagnostics
    expect(d).toEqual({
      severity: 'error',
      code: 'SCHEMA',
      file: 'experiments/base.yaml',
      line: expect.any(Number),
      col: 6,
      endLine: expect.any(Number),
      endCol: expect.any(Number),
      message: '`rollout.n` must be an integer',
      suggestion: 'for example: 4',
      related: expect.arrayContaining([
        {
          file: 'experiments/4b/default.yaml',
          line: 3,
          col: 1,
          message: expect.stringContaining('inherited by experiments/4b/default.yaml'),
        },
      ]),
      folded: [],
    })
    expect(report.files.written).toEqual([])
  })

  it('related positions name the inheriting experiments', () => {
    const dir = project()
    const spec = join(dir, 'experiments', 'qwen3-4b.yaml')
    writeFileSync(
      spec,
      readFileSync(spec, 'utf8').replace('tensor_parallel_size: 1', 'tensor_parallel_size: 3'),
    )
    const report = json(finqa(['compile', '--json'], dir).stdout)
    const d = report.diagnostics.find((x) => x.code === 'VERL_CHECK')
    expect(d?.file).toBe('experiments/qwen3-4b.yaml')
    expect(d?.related.map((r) => r.message).join('\n')).toContain('inherited by experiments/4b/default.yaml')
  })

  it('--check --json lists stale, missing and extra files with exit 1', () => {
    const dir = project()
    finqa(['compile'], dir)
    expect(
      json(finqa(['compile', '--check', '--json'], dir).stdout).files.unchanged.filter((f: string) =>
        /\/run_[^/]*\.sh$/.test(f),
      ),
    ).toHaveLength(8)
    writeFileSync(join(dir, 'dist-scripts', 'run_4b.sh'), 'edited\n')
    unlinkSync(join(dir, 'dist-scripts', 'run_8b.sh'))
    writeFileSync(join(dir, 'dist-scripts', 'stray.sh'), '')
    const r = finqa(['compile', '--check', '--json'], dir)
    expect(r.code).toBe(1)
    const report = json(r.stdout)
    expect(report).toMatchObject({ mode: 'check', ok: false, exitCode: 1 })
    expect(report.files).toMatchObject({
      written: [],
      removed: [],
      stale: ['dist-scripts/run_4b.sh'],
      missing: ['dist-scripts/run_8b.sh'],
      orphaned: [],
      extra: ['dist-scripts/stray.sh'],
    })
    expect(readFileSync(join(dir, 'dist-scripts', 'run_4b.sh'), 'utf8')).toBe('edited\n')
  })

  it('a missing spec folder is a NO_SPECS diagnostic', () => {
    const r = finqa(['compile', 'nope', '--json'], project())
    expect(r.code).toBe(1)
    expect(json(r.stdout).diagnostics[0]).toMatchObject({ code: 'NO_SPECS', file: 'nope' })
  })
})

describe('colour', () => {
  it('is on for a TTY only, and off with NO_COLOR or TERM=dumb; FORCE_COLOR wins', () => {
    expect(useColor({ isTTY: true }, {})).toBe(true)
    expect(useColor({ isTTY: false }, {})).toBe(false)
    expect(useColor({}, {})).toBe(false)
    expect(useColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false)
    expect(useColor({ isTTY: true }, { NO_COLOR: '' })).toBe(true)
    expect(useColor({ isTTY: true }, { TERM: 'dumb' })).toBe(false)
    expect(useColor({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true)
    expect(useColor({ isTTY: true }, { FORCE_COLOR: '0' })).toBe(false)
  })

  async function runInProcess(dir: string, env: Record<string, string>) {
    let out = ''
    let err = ''
    const tty = (append: (t: string) => void) => ({ isTTY: true, write: (t: string) => append(t) })
    const code = await main(['compile'], {
      cwd: dir,
      env,
      stdout: tty((t) => {
        out += t
      }),
      stderr: tty((t) => {
        err += t
      }),
    })
    return { code, out, err }
  }

  it('diagnostics on a terminal are coloured, with the caret under the value', async () => {
    const dir = project()
    breakBase(dir)
    const { code, err } = await runInProcess(dir, {})
    expect(code).toBe(1)
    expect(err).toContain(`${ESC}31m`)
    // Without the escapes it is the plain text, code frame and caret included.
    const plain = stripVTControlCharacters(err)
    expect(plain).toMatch(/^experiments\/base\.yaml:\d+:6 error SCHEMA `rollout\.n` must be an integer$/m)
    expect(plain).toMatch(/^ {2}\d+ \| {3}n: eight\n {2} {2} \| {6}\^{5}$/m)
  })

  it('NO_COLOR turns it off on a terminal; pipes never get it', async () => {
    const dir = project()
    breakBase(dir)
    const { err } = await runInProcess(dir, { NO_COLOR: '1' })
    expect(err).not.toContain(ESC)
    expect(err).toContain('^^^^^')
    const piped = finqa(['compile'], dir)
    expect(piped.stderr).not.toContain(ESC)
    expect(finqa(['compile'], dir, { FORCE_COLOR: '1' }).stderr).toContain(`${ESC}31m`)
  })

  // The command line writes to its file descriptors itself (bin/finqa.js): a real terminal must still be told
  // apart from /dev/null, which is a character device too. `script` runs the CLI on a pseudo-terminal.
  it.runIf(hasTool('script'))('the command line colours a real terminal, not /dev/null or a file', () => {
    const dir = project()
    breakBase(dir)
    const env = { ...process.env, NO_COLOR: '', FORCE_COLOR: undefined, TERM: 'xterm' }
    const run = (redirect: string) =>
      spawnSync('script', ['-qec', `'${process.execPath}' '${BIN}' compile ${redirect}`, '/dev/null'], {
        cwd: dir,
        encoding: 'utf8',
        env,
      })
    const onTerminal = run('')
    expect(onTerminal.status).toBe(1)
    expect(onTerminal.stdout).toContain(`${ESC}31m`)
    expect(stripVTControlCharacters(onTerminal.stdout)).toContain(
      'error SCHEMA `rollout.n` must be an integer',
    )
    const toNull = run('2>/dev/null')
    expect(toNull.status).toBe(1)
    expect(toNull.stdout).not.toContain('SCHEMA')
    const toFile = run('2>err.txt')
    expect(toFile.status).toBe(1)
    const file = readFileSync(join(dir, 'err.txt'), 'utf8')
    expect(file).toContain('error SCHEMA `rollout.n` must be an integer')
    expect(file).not.toContain(ESC)
  })
})
