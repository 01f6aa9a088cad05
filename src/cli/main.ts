import type { CliContext } from './cli-context.js'
import { type CommandSpec, formatCommandHelp, formatHelp, parseCommandLine } from './command-line.js'
import { COMMANDS, GENERAL_HELP } from './command-table.js'
import { EXIT } from './exit-codes.js'
import { printJson } from './json-envelope.js'
import { readPackageJson } from './package-files.js'

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
  const line = parseCommandLine(argv, COMMANDS)
  switch (line.kind) {
    case 'version':
      ctx.stdout.write(`${readPackageJson().version}\n`)
      return EXIT.ok
    case 'help':
      ctx.stdout.write(
        line.command === undefined ? formatHelp(COMMANDS, GENERAL_HELP) : formatCommandHelp(line.command),
      )
      return EXIT.ok
    case 'none':
      ctx.stderr.write(formatHelp(COMMANDS, GENERAL_HELP))
      return EXIT.usage
    case 'usage':
      return usage(ctx, line.message, line.command, line.json)
    case 'run': {
      const outcome = await line.command.run(line.args, ctx)
      if (typeof outcome === 'number') return outcome
      return usage(ctx, outcome.usage, line.command, line.args.flags.has('json'))
    }
  }
}

/** A usage error: its message and where help is, on stderr (for --json the JSON envelope on stdout instead); exit 2. */
function usage(ctx: CliContext, message: string, command: CommandSpec | undefined, json: boolean): number {
  const name = command === undefined ? 'finqa' : `finqa ${command.name}`
  // Under --json the envelope says it all, and stderr stays empty (the --json contract).
  if (json && command !== undefined) return printJson(ctx, command.name, EXIT.usage, [], { error: message })
  ctx.stderr.write(`${name}: ${message}\nRun '${name} --help' for usage.\n`)
  return EXIT.usage
}
