import { isAbsolute, relative, resolve, sep } from 'node:path'
import { parseArgs } from 'node:util'
import { realOutputPath } from '../emit/output-paths.js'
import { compileCommand } from './commands/compile.js'
import { readPackageJson } from './package-files.js'

// Commands other than a plain compile load on demand: a compile never initialises the parquet reader
// (plan), the file watcher or the scaffold (in the bundle, their modules initialise on first use).

export interface OutputStream {
  write(text: string): unknown
  /** Colour is used only on a TTY. */
  readonly isTTY?: boolean
}

export interface CliContext {
  readonly cwd: string
  readonly stdout: OutputStream
  readonly stderr: OutputStream
  /** NO_COLOR, FORCE_COLOR and TERM decide colour. Default: none set. */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Ends `compile --watch`. Default: SIGINT or SIGTERM. */
  readonly signal?: AbortSignal
  /**
   * Called once when a compile (or check) has produced LARGE_COMPILE_FILES files, so that the process can
   * tune itself for a large compile (bin/finqa.js limits V8's heap growth). Default: nothing.
   */
  readonly onLargeCompile?: () => void
}

/** Exit codes: 0 ok, 1 spec errors or stale output, 2 bad usage, 70 internal error (a bug). */
export const EXIT = { ok: 0, specErrors: 1, usage: 2, internal: 70 } as const

const HELP = `finqa: compile typed GRPO experiment specs into VERL launch scripts

Usage:
  finqa compile [SPEC_DIR] [--out DIR] [--check] [--watch] [--json]
  finqa init [DIR]
  finqa explain EXPERIMENT [KEY] [--specs DIR] [--json]
  finqa plan [SPEC_DIR] [--data-dir DIR] [--checkpoint-root DIR] [--json]
  finqa diff A B [--specs DIR] [--all] [--json]
  finqa status [SPEC_DIR] [--checkpoint-root DIR] [--out DIR] [--json]

Commands:
  compile     Resolve, validate and render every experiment in SPEC_DIR (default: experiments)
              into OUT (default: dist-scripts): launch scripts, Slurm batch files, the upload
              script and a README generated from the specs. Writes only files whose content
              changed and removes outputs no spec produces any more.
  init        Start a spec tree in DIR (default: .): experiments/ with a base, a model layer, a
              reference run and an ablation, its README, and a CI workflow running --check.
              Writes nothing if any of those files exists.
  explain     The resolved value of every field of EXPERIMENT (its name or script name), or of KEY
              (dotted, e.g. rollout.n, or a map such as rollout), with every layer that set,
              overrode or deleted it, at file:line:col.
  plan        Per experiment: train rows, steps per epoch, total steps, checkpoints, validations,
              GPUs, estimated wall time and GPU-hours, and a total. Reads the row count of each
              reachable training parquet file and warns when the spec's data.train_rows differs.
              Seconds per step: finqa's cost model (model size, rollout n, batch, lengths, GPUs),
              estimate.seconds_per_step, or the pace measured in a run's checkpoint folder.
  diff        The resolved fields in which experiments A and B differ, each side with the layer
              that set it. Exits 0 whether or not they differ.
  status      Per experiment: not started, queued, running, requeued, failed or finished; the
              latest checkpoint of the total steps, steps per hour and ETA, the last start (who,
              when, which overrides) and the steps uploaded, from the checkpoint folders and, when
              squeue is on PATH, Slurm. Ends with the command that submits the experiments
              neither finished nor queued or running.

Options:
  --out DIR       compile: output folder (default: dist-scripts); status: where it is, for the
                  submit command
  --check         compile: write nothing; exit 1 listing stale, missing and extra files
  --watch         compile: compile, then recompile whenever a spec changes, until Ctrl-C
  --specs DIR     explain, diff: the spec folder (default: experiments)
  --data-dir DIR  plan: look for the parquet files in DIR instead of each spec's data.dir
  --checkpoint-root DIR
                  plan, status: look for the runs' checkpoint folders in DIR instead of
                  trainer.checkpoint_root
  --all           diff: also show documentation fields (description, model.label)
  --json          compile, explain, plan, diff, status: print JSON on stdout
  -h, --help      show this help
  -v, --version   show the version

Colour only on a terminal; NO_COLOR=1 turns it off.
Exit codes: 0 ok, 1 spec errors, stale output or unknown experiment, 2 usage error, 70 internal error.

Examples:
  npx finqa init
  npx finqa compile experiments/
  npx finqa compile experiments --check
  npx finqa compile experiments --check --json
  npx finqa explain qwen3_4b_rollout12 rollout.n
  npx finqa plan --json
  npx finqa diff qwen3_4b_default run_4b_rollout12.sh
  npx finqa status --checkpoint-root /mnt/checkpoints
`

/** The options each command accepts; any other is a usage error. */
const COMMAND_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  compile: ['out', 'check', 'watch', 'json'],
  init: [],
  explain: ['specs', 'json'],
  plan: ['data-dir', 'checkpoint-root', 'json'],
  diff: ['specs', 'all', 'json'],
  status: ['checkpoint-root', 'out', 'json'],
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
    return usage(ctx, (error as Error).message)
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
      if (rest.length > 1)
        return usage(ctx, `compile: expected one spec folder, got ${rest.length}: ${rest.join(' ')}`)
      if (values.watch && values.check) return usage(ctx, 'compile: --watch and --check do not go together')
      const outProblem = badOutFolder(ctx.cwd, rest[0] ?? 'experiments', values.out)
      if (outProblem !== undefined) return usage(ctx, `compile: ${outProblem}`)
      const options = {
        specDir: rest[0] ?? 'experiments',
        outDir: values.out ?? 'dist-scripts',
        check: values.check ?? false,
        json: values.json ?? false,
      }
      if (!values.watch) return compileCommand(options, ctx)
      const { watchCommand } = await import('./commands/watch.js')
      return watchCommand(options, ctx)
    }
    case 'init': {
      if (rest.length > 1)
        return usage(ctx, `init: expected one folder, got ${rest.length}: ${rest.join(' ')}`)
      const misplaced = (['out', 'check', 'watch', 'json'] as const).filter((o) => values[o] !== undefined)
      if (misplaced.length > 0)
        return usage(ctx, `init does not take ${misplaced.map((o) => `--${o}`).join(', ')}`)
      const { initCommand } = await import('./commands/init.js')
      return initCommand({ dir: rest[0] ?? '.' }, ctx)
    }
    case 'explain': {
      if (rest.length < 1 || rest.length > 2) {
        ctx.stderr.write(
          'finqa explain: expected an experiment and at most one KEY: finqa explain EXPERIMENT [KEY]\n',
        )
        return EXIT.usage
      }
      const { explainCommand } = await import('./commands/explain.js')
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
      const { planCommand } = await import('./commands/plan.js')
      return planCommand(
        {
          specDir: rest[0] ?? 'experiments',
          dataDir: values['data-dir'],
          checkpointRoot: values['checkpoint-root'],
          json,
        },
        ctx,
      )
    }
    case 'diff': {
      if (rest.length !== 2) {
        ctx.stderr.write('finqa diff: expected two experiments: finqa diff A B\n')
        return EXIT.usage
      }
      const { diffCommand } = await import('./commands/diff.js')
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
    case 'status': {
      if (rest.length > 1)
        return usage(ctx, `status: expected one spec folder, got ${rest.length}: ${rest.join(' ')}`)
      const { statusCommand } = await import('./commands/status.js')
      return statusCommand(
        {
          specDir: rest[0] ?? 'experiments',
          checkpointRoot: values['checkpoint-root'],
          outDir: values.out ?? 'dist-scripts',
          json,
        },
        ctx,
      )
    }
    default:
      return usage(ctx, `unknown command '${command}'. Commands: compile, init, explain, plan, diff, status`)
  }
}

/**
 * Why `--out` cannot be the output folder: empty, or the spec folder itself or a folder inside it (compared
 * by real paths), where the generated files would be read back as specs or mixed with them.
 */
function badOutFolder(cwd: string, specDir: string, out: string | undefined): string | undefined {
  if (out === undefined) return undefined
  if (out === '') return "--out '' names no folder; give one, e.g. --out dist-scripts"
  const specs = realOutputPath(resolve(cwd, specDir))
  const rel = relative(specs, realOutputPath(resolve(cwd, out)))
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return undefined
  return `--out ${out} is ${rel === '' ? 'the spec folder' : 'inside the spec folder'} ${specDir}; the generated files must go outside it (e.g. --out dist-scripts)`
}

function usage(ctx: CliContext, message: string): number {
  ctx.stderr.write(`finqa: ${message}\nRun 'finqa --help' for usage.\n`)
  return EXIT.usage
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
      'checkpoint-root': { type: 'string' },
      all: { type: 'boolean' },
      watch: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  })
}
