import { parseArgs } from 'node:util'
import { compileCommand } from './commands/compile.js'
import { initCommand } from './commands/init.js'
import { watchCommand } from './commands/watch.js'
import { readPackageJson } from './package-files.js'

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
}

/** Exit codes: 0 ok, 1 spec errors or stale output, 2 bad usage, 70 internal error (a bug). */
export const EXIT = { ok: 0, specErrors: 1, usage: 2, internal: 70 } as const

const HELP = `finqa: compile typed GRPO experiment specs into VERL launch scripts

Usage:
  finqa compile [SPEC_DIR] [--out DIR] [--check] [--watch] [--json]
  finqa init [DIR]

Commands:
  compile     Resolve, validate and render every experiment in SPEC_DIR (default: experiments)
              into OUT (default: dist-scripts). Writes only files whose content changed and removes
              outputs no spec produces any more.
  init        Start a spec tree in DIR (default: .): experiments/ with a base, a model layer, a
              reference run and an ablation, its README, and a CI workflow running --check.
              Writes nothing if any of those files exists.

Options:
  --out DIR   output folder (default: dist-scripts)
  --check     write nothing; exit 1 listing stale, missing and extra files
  --watch     compile, then recompile whenever a spec changes, until Ctrl-C
  --json      print the result as JSON on stdout (one object per compile)
  -h, --help  show this help
  -v, --version  show the version

Colour only on a terminal; NO_COLOR=1 turns it off.
Exit codes: 0 ok, 1 spec errors or stale output, 2 usage error, 70 internal error.

Examples:
  npx finqa init
  npx finqa compile experiments/
  npx finqa compile experiments --check --json
`

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
  switch (command) {
    case 'compile': {
      if (rest.length > 1)
        return usage(ctx, `compile: expected one spec folder, got ${rest.length}: ${rest.join(' ')}`)
      if (values.watch && values.check) return usage(ctx, 'compile: --watch and --check do not go together')
      const options = {
        specDir: rest[0] ?? 'experiments',
        outDir: values.out ?? 'dist-scripts',
        check: values.check ?? false,
        json: values.json ?? false,
      }
      return values.watch ? watchCommand(options, ctx) : compileCommand(options, ctx)
    }
    case 'init': {
      if (rest.length > 1)
        return usage(ctx, `init: expected one folder, got ${rest.length}: ${rest.join(' ')}`)
      const misplaced = (['out', 'check', 'watch', 'json'] as const).filter((o) => values[o] !== undefined)
      if (misplaced.length > 0)
        return usage(ctx, `init does not take ${misplaced.map((o) => `--${o}`).join(', ')}`)
      return initCommand({ dir: rest[0] ?? '.' }, ctx)
    }
    default:
      return usage(ctx, `unknown command '${command}'. Commands: compile, init`)
  }
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
      watch: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  })
}
