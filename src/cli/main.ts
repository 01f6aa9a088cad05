import { parseArgs } from 'node:util'
import { compileCommand } from './commands/compile.js'
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

Commands:
  compile     Resolve, validate and render every experiment in SPEC_DIR (default: experiments)
              into OUT (default: dist-scripts). Writes only files whose content changed and removes
              outputs no spec produces any more.

Options:
  --out DIR   output folder (default: dist-scripts)
  --check     write nothing; exit 1 listing stale, missing and extra files
  -h, --help  show this help
  -v, --version  show the version

Exit codes: 0 ok, 1 spec errors or stale output, 2 usage error, 70 internal error.

Examples:
  npx finqa compile experiments/
  npx finqa compile experiments --check
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
    default:
      ctx.stderr.write(`finqa: unknown command '${command}'. Commands: compile. Run 'finqa --help'.\n`)
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
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  })
}
