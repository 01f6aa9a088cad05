import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { finqa, project, tempDir } from './helpers/cli.js'
import { runCli } from './helpers/run-cli.js'

/** The commands finqa has, as its help lists them. */
const COMMANDS = ['compile', 'init', 'explain', 'plan', 'diff']

/** The `npx finqa ...` lines of a help text, as argument lists. */
function examplesOf(help: string): string[][] {
  return help
    .split('\n')
    .filter((l) => l.startsWith('  npx finqa '))
    .map((l) => l.slice('  npx finqa '.length).trim().split(/\s+/))
}

/** Every word of node's own parseArgs messages that must never reach a user. */
const NODE_WORDING =
  /Unknown option|To specify a positional argument|place it after '--'|ambiguous|ERR_PARSE_ARGS/

describe('per-command help', () => {
  it('finqa plan --help prints the usage, options and an example of plan, exit 0', async () => {
    const r = await runCli(['plan', '--help'])
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('')
    expect(r.stdout).toBe(
      [
        'finqa plan: steps, checkpoints, GPU-hours and wall time per experiment',
        '',
        'Usage:',
        '  finqa plan [SPEC_DIR | --specs DIR] [--data-dir DIR] [--checkpoint-root DIR] [--json]',
        '',
        '  Per experiment: train rows, steps per epoch, total steps, checkpoints, validations, GPUs,',
        '  estimated wall time and GPU-hours, and a total. Reads the row count of each reachable training',
        "  parquet file and warns when the spec's data.train_rows differs. Seconds per step: finqa's cost",
        '  model (model size, rollout n, batch, lengths, GPUs), estimate.seconds_per_step, or the pace',
        "  measured in a run's checkpoint folder. SPEC_DIR is the same as --specs SPEC_DIR.",
        '',
        'Options:',
        '  --specs DIR            the spec folder (default: experiments)',
        "  --data-dir DIR         look for the parquet files in DIR instead of each spec's data.dir",
        "  --checkpoint-root DIR  look for the runs' checkpoint folders in DIR instead of trainer.checkpoint_root",
        '  --json                 print one line of JSON on stdout (its envelope: finqa --help)',
        '  -h, --help             show this help',
        '',
        'Examples:',
        '  npx finqa plan',
        '  npx finqa plan --specs experiments --json',
        '',
      ].join('\n'),
    )
    // The same from `finqa help plan` and `finqa plan -h`, wherever the flag stands.
    expect((await runCli(['help', 'plan'])).stdout).toBe(r.stdout)
    expect((await runCli(['-h', 'plan'])).stdout).toBe(r.stdout)
  })

  it.each(COMMANDS)(
    'finqa %s --help names the command, its usage, every option and an example',
    async (name) => {
      const r = await runCli([name, '--help'])
      expect(r.code).toBe(0)
      expect(r.stdout).toMatch(new RegExp(`^finqa ${name}: `))
      expect(r.stdout).toContain(`\nUsage:\n  finqa ${name}`)
      expect(r.stdout).toContain('\nOptions:\n')
      expect(r.stdout).toContain('  -h, --help')
      expect(examplesOf(r.stdout).length).toBeGreaterThan(0)
      for (const example of examplesOf(r.stdout)) expect(example[0]).toBe(name)
    },
  )

  it('finqa --help lists every command and points at per-command help', async () => {
    const r = await runCli(['--help'])
    expect(r.code).toBe(0)
    for (const name of COMMANDS) expect(r.stdout).toContain(`\n  finqa ${name}`)
    expect(r.stdout).toContain("Run 'finqa COMMAND --help' for a command's options and examples.")
  })
})

describe('usage errors in finqa words', () => {
  it('an unknown option gets a did-you-mean and none of node’s wording; exit 2', async () => {
    const r = await runCli(['compile', '--chekc'])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe(
      "finqa compile: --chekc is not an option of compile; did you mean --check?\nRun 'finqa compile --help' for usage.\n",
    )
  })

  it.each([
    [['compile', '--chekc', 'experiments'], '--chekc is not an option of compile; did you mean --check?'],
    [['plan', '--out', 'x'], '--out is not an option of plan (it is an option of compile, status)'],
    [['plan', '--chekc'], '--chekc is not an option of plan (--check is an option of compile)'],
    [['compile', '-x'], '-x is not an option of compile'],
    [['compile', '--out'], '--out needs a value: --out DIR'],
    [['compile', '--out', '--check'], '--out needs a value: --out DIR (got --check; write --out=--check'],
    [['compile', '--check=yes'], '--check takes no value (got --check=yes)'],
    [['comple'], "unknown command 'comple'; did you mean 'compile'?"],
    [['explain'], 'expected EXPERIMENT [KEY], got nothing'],
    [['diff', 'a'], 'expected A B, got a'],
    [['compile', 'a', '--specs', 'b'], 'the spec folder is named twice, a and --specs b; give it once'],
  ])('finqa %j: %s', async (argv, message) => {
    const r = await runCli(argv)
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(message)
    expect(r.stderr).toMatch(/\nRun 'finqa( \w+)? --help' for usage\.\n$/)
    expect(r.stderr).not.toMatch(NODE_WORDING)
  })

  it('with --json, a usage error is the JSON envelope on stdout, and nothing on stderr', async () => {
    const r = await runCli(['plan', '--chekc', '--json'])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout)).toEqual({
      finqa: expect.any(String),
      command: 'plan',
      ok: false,
      exitCode: 2,
      diagnostics: [],
      error: '--chekc is not an option of plan (--check is an option of compile)',
    })
  })
})

describe('the spec folder is --specs DIR for every command that reads specs', () => {
  it('compile, plan, explain and diff read a folder not named experiments through --specs', () => {
    const dir = project()
    renameSync(join(dir, 'experiments'), join(dir, 'specs'))
    const runs = [
      ['compile', '--specs', 'specs', '--out', 'out'],
      ['compile', '--specs', 'specs', '--out', 'out', '--check'],
      ['plan', '--specs', 'specs'],
      ['explain', 'qwen3_4b_default', 'rollout.n', '--specs', 'specs'],
      ['diff', 'qwen3_4b_default', 'run_4b_rollout4.sh', '--specs', 'specs'],
      // compile and plan keep their one word
      ['compile', 'specs', '--out', 'out', '--check'],
      ['plan', 'specs'],
    ]
    for (const argv of runs) {
      const r = finqa(argv, dir)
      expect({ argv, code: r.code, stderr: r.stderr }).toEqual({ argv, code: 0, stderr: '' })
    }
  })
})

describe('one --json envelope for every command', () => {
  /** A project whose compile has one warning (both reward files are one file). */
  function warnedProject(): string {
    const dir = project()
    const base = join(dir, 'experiments', 'base.yaml')
    writeFileSync(
      base,
      readFileSync(base, 'utf8').replace(
        'plain_file: reward_versatile.py',
        'plain_file: reward_uncertain_versatile.py',
      ),
    )
    return dir
  }

  const runs: [string, string[], Record<string, unknown>][] = [
    ['compile', ['compile', '--json'], { mode: 'write' }],
    ['compile', ['compile', '--check', '--json'], { mode: 'check' }],
    ['plan', ['plan', '--json'], { rows: expect.any(Array), totals: expect.any(Object) }],
    ['explain', ['explain', 'qwen3_4b_default', 'rollout.n', '--json'], { name: 'qwen3_4b_default' }],
    [
      'diff',
      ['diff', 'qwen3_4b_default', 'run_4b_rollout4.sh', '--json'],
      { differences: expect.any(Array) },
    ],
  ]

  it('finqa, command, ok, exitCode, diagnostics (warnings included) first, then the result; nothing on stderr', async () => {
    const dir = warnedProject()
    for (const [command, argv, result] of runs) {
      const r = await runCli(argv, dir)
      expect(r.stderr).toBe('')
      expect(r.stdout.trim().split('\n')).toHaveLength(1)
      const data = JSON.parse(r.stdout) as Record<string, unknown>
      expect(Object.keys(data).slice(0, 5)).toEqual(['finqa', 'command', 'ok', 'exitCode', 'diagnostics'])
      expect(data).toMatchObject({ command, ok: true, exitCode: 0, ...result })
      expect(data.finqa).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version)
      const warnings = (data.diagnostics as { severity: string; message: string }[]).filter(
        (d) => d.severity === 'warning' && d.message.includes('name the same file'),
      )
      expect({ command, warnings: warnings.length }).toEqual({ command, warnings: 1 })
    }
  })

  it('a failure is the same envelope: ok false, its exit code, and the error or the diagnostics', async () => {
    const dir = project()
    const unknown = await runCli(['explain', 'qwen3_4b_defualt', '--json'], dir)
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toBe('')
    expect(JSON.parse(unknown.stdout)).toMatchObject({
      command: 'explain',
      ok: false,
      exitCode: 1,
      diagnostics: [],
      error: expect.stringContaining('did you mean qwen3_4b_default?'),
    })
    const missing = await runCli(['diff', 'a', 'b', '--specs', 'nowhere', '--json'], dir)
    expect(missing.code).toBe(1)
    expect(missing.stderr).toBe('')
    expect(JSON.parse(missing.stdout)).toMatchObject({
      command: 'diff',
      ok: false,
      exitCode: 1,
      diagnostics: [{ code: 'NO_SPECS', file: 'nowhere' }],
    })
  })
})

describe('help examples', () => {
  it('every example of every help works in the tree finqa init writes', async () => {
    const helps = [(await runCli(['--help'])).stdout]
    for (const name of COMMANDS) helps.push((await runCli([name, '--help'])).stdout)
    const examples = helps.flatMap(examplesOf)
    expect(examples.length).toBeGreaterThan(10)
    const tree = tempDir()
    expect((await runCli(['init'], tree)).code).toBe(0)
    // compile first: --check and the reports read what it writes; init elsewhere, in empty folders.
    const ordered = [
      ...examples.filter((e) => e[0] === 'compile' && !e.includes('--check')),
      ...examples.filter((e) => e[0] !== 'init' && !(e[0] === 'compile' && !e.includes('--check'))),
    ]
    // Works: exit 0 and no error (a warning, such as plan's about data files not on this machine, is fine).
    const errors = (stderr: string) => stderr.split('\n').filter((l) => / error /.test(l))
    for (const argv of ordered) {
      const r = await runCli(argv, tree)
      expect({ argv, code: r.code, errors: errors(r.stderr) }).toEqual({ argv, code: 0, errors: [] })
    }
    for (const argv of examples.filter((e) => e[0] === 'init')) {
      const empty = tempDir()
      mkdirSync(join(empty, 'sub'))
      const r = await runCli(argv, join(empty, 'sub'))
      expect({ argv, code: r.code, stderr: r.stderr }).toEqual({ argv, code: 0, stderr: '' })
    }
  })
})
