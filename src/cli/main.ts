import { parseArgs } from 'node:util'
import { compileCommand } from './commands/compile.js'
import { diffCommand } from './commands/diff.js'
import { explainCommand } from './commands/explain.js'
import { planCommand } from './commands/plan.js'
import { readPackageJson } from './package-files.js'

export interface CliContext {
  readonly cwd: string
  readonly stdout: { write(text: string): unknown }
  readonly stderr: { write(text: string): unknown }
}

/** Exit codes: 0 ok, 1 spec errors or stale output, 2 bad usage, 70 internal error (a bug). */
export const EXIT = { ok: 0, specErrors: 1, usage: 2, internal: 70 } as const

const HELP = `finqa: compile typed GRPO experiment specs into VERL launch scripts

Usage:
  finqa compile [SPEC_DIR] [--out DIR] [--check]
  finqa explain EXPERIMENT [KEY] [--specs DIR] [--json]
  finqa plan [SPEC_DIR] [--data-dir DIR] [--json]
  finqa diff A B [--specs DIR] [--all] [--json]

Commands:
  compile     Resolve, validate and render every experiment in SPEC_DIR (default: experiments)
              into OUT (default: dist-scripts): the launch scripts and a README generated from the
              specs. Writes only files whose content changed and removes outputs no spec produces.
  explain     The resolved value of every field of EXPERIMENT (its name or script name), or of KEY
              (dotted, e.g. rollout.n, or a map such as rollout), with every layer that set,
              overrode or deleted it, at file:line:col.
  plan        Per experiment: train rows, steps per epoch, total steps, checkpoints, validations,
              GPUs, estimated wall time and GPU-hours, and a total. Reads the row count of each
              reachable training parquet file and warns when the spec's data.train_rows differs.
  diff        The resolved fields in which experiments A and B differ, each side with the layer
              that set it. Exits 0 whether or not they differ.

Options:
  --out DIR       compile: output folder (default: dist-scripts)
  --check         compile: write nothing; exit 1 listing stale, missing and extra files
  --specs DIR     explain, diff: the spec folder (default: experiments)
  --data-dir DIR  plan: look for the parquet files in DIR instead of each spec's data.dir
  --all           diff: also show documentation fields (description, model.label)
  --json          explain, plan, diff: print JSON
  -h, --help      show this help
  -v, --version   show the version

Exit codes: 0 ok, 1 spec errors, stale output or unknown experiment, 2 usage error, 70 internal error.

Examples:
  npx finqa compile experiments/
  npx finqa compile experiments --check
  npx finqa explain qwen3_4b_rollout12 rollout.n
  npx finqa plan --json
  npx finqa diff qwen3_4b_default run_4b_rollout12.sh
`

/** The options each command accepts; any other is a usage error. */
const COMMAND_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  compile: ['out', 'check'],
  explain: ['specs', 'json'],
  plan: ['data-dir', 'json'],
  diff: ['specs', 'all', 'json'],
}

export async function main(argv: readonly string[], ctx: CliContext): Promise<number> {
  try {
    return await run(argv, ctx)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    ctx.stderr.write(
      `finqa: internal error: ${message}\nThis is a bug in finqa; please report it with the command you ran and your specs.\n`,
    )
    return EXIT.internal
  }
}

async function run(argv: readonly string[], ctx: CliContext): Promise<number> {
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse(argv)
  } catch (error) {
    ctx.stderr.write(`finqa: ${(error as Error).message}\nRun 'finqa --help' for usage.\n`)
    return EXIT.usage
  }
  const { values, positionals } = parsed
  if (values.version) {
    ctx.stdout.write(`${readPackageJson().version}\n`)
    return EXIT.ok
  }
  const [command, ...rest] = positionals
  if (values.help || command === undefined || command === 'help') {
    ;(command === undefined && !values.help ? ctx.stderr : ctx.stdout).write(HELP)
    return command === undefined && !values.help ? EXIT.usage : EXIT.ok
  }
  const allowed = COMMAND_OPTIONS[command]
  const misplaced = Object.keys(values).filter((k) => allowed !== undefined && !allowed.includes(k))
  if (misplaced.length > 0) {
    ctx.stderr.write(
      `finqa ${command}: --${misplaced[0]} is not an option of ${command}. Run 'finqa --help'.\n`,
    )
    return EXIT.usage
  }
  const json = values.json ?? false
  switch (command) {
    case 'compile': {
      if (rest.length > 1) {
        ctx.stderr.write(`finqa compile: expected one spec folder, got ${rest.length}: ${rest.join(' ')}\n`)
        return EXIT.usage
      }
      return compileCommand(
        {
          specDir: rest[0] ?? 'experiments',
          outDir: values.out ?? 'dist-scripts',
          check: values.check ?? false,
        },
        ctx,
      )
    }
    case 'explain': {
      if (rest.length < 1 || rest.length > 2) {
        ctx.stderr.write(
          'finqa explain: expected an experiment and at most one KEY: finqa explain EXPERIMENT [KEY]\n',
        )
        return EXIT.usage
      }
      return explainCommand(
        { specDir: values.specs ?? 'experiments', experiment: rest[0] as string, key: rest[1], json },
        ctx,
      )
    }
    case 'plan': {
      if (rest.length > 1) {
        ctx.stderr.write(`finqa plan: expected one spec folder, got ${rest.length}: ${rest.join(' ')}\n`)
        return EXIT.usage
      }
      return planCommand({ specDir: rest[0] ?? 'experiments', dataDir: values['data-dir'], json }, ctx)
    }
    case 'diff': {
      if (rest.length !== 2) {
        ctx.stderr.write('finqa diff: expected two experiments: finqa diff A B\n')
        return EXIT.usage
      }
      return diffCommand(
        {
          specDir: values.specs ?? 'experiments',
          a: rest[0] as string,
          b: rest[1] as string,
          all: values.all ?? false,
          json,
        },
        ctx,
      )
    }
    default:
      ctx.stderr.write(
        `finqa: unknown command '${command}'. Commands: compile, explain, plan, diff. Run 'finqa --help'.\n`,
      )
      return EXIT.usage
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      out: { type: 'string' },
      check: { type: 'boolean' },
      specs: { type: 'string' },
      'data-dir': { type: 'string' },
      all: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  })
}
