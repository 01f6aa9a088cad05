import { parseArgs } from 'node:util'
import { didYouMean } from '../diagnostics/did-you-mean.js'
import type { CliContext } from './cli-context.js'

/** One `--name` a command takes. */
export interface OptionSpec {
  /** The long name, without `--`. */
  readonly name: string
  readonly type: 'string' | 'boolean'
  /** What its value is, for help: `DIR`. Only for a string option. */
  readonly value?: string
  readonly help: string
}

/** A command line as parsed for one command: its positional words and its options' values. */
export interface CommandArgs {
  readonly positionals: readonly string[]
  readonly strings: ReadonlyMap<string, string>
  readonly flags: ReadonlySet<string>
}

/** A command line the command refuses: printed with a pointer to its help, exit 2. */
export interface UsageProblem {
  readonly usage: string
}

/** What a command's run gives back: its exit code, or a usage problem found only once it looked at its words. */
export type CommandOutcome = number | UsageProblem

/**
 * One entry per command: everything its help shows and how to run it. Adding a command is one entry in
 * `COMMANDS` (src/cli/command-table.ts); the parser, the help and the usage errors follow from it.
 */
export interface CommandSpec {
  readonly name: string
  /** One line for `finqa --help`. */
  readonly summary: string
  /** The usage line, `finqa NAME ...`. */
  readonly usage: string
  /** What it does, for `finqa NAME --help`: lines of at most 100 characters. */
  readonly description: string
  /** How many positional words it takes, and what they are, as in the usage: `EXPERIMENT [KEY]`. */
  readonly positionals: { readonly min: number; readonly max: number; readonly words: string }
  readonly options: readonly OptionSpec[]
  /** Command lines (after `npx finqa `) that work in the tree `finqa init` writes; a test runs them. */
  readonly examples: readonly string[]
  readonly run: (args: CommandArgs, ctx: CliContext) => CommandOutcome | Promise<CommandOutcome>
}

/** What the command line asks for. */
export type CommandLine =
  | { readonly kind: 'version' }
  | { readonly kind: 'help'; readonly command?: CommandSpec }
  /** No command at all: the general help on stderr, exit 2. */
  | { readonly kind: 'none' }
  | { readonly kind: 'run'; readonly command: CommandSpec; readonly args: CommandArgs }
  | {
      readonly kind: 'usage'
      readonly message: string
      /** The command it was for, when known: the pointer names its help. */
      readonly command?: CommandSpec
      /** `--json` was asked for: the usage error is also printed as the JSON envelope. */
      readonly json: boolean
    }

const HELP: OptionSpec = { name: 'help', type: 'boolean', help: 'show this help' }
const VERSION: OptionSpec = { name: 'version', type: 'boolean', help: 'show the version' }
const SHORT: Readonly<Record<string, string>> = { h: 'help', v: 'version' }

/**
 * Reads argv against the command table: the command is the first positional word; options may come before
 * or after it; `--` ends options. Every mistake is a usage problem in finqa's words, with a did-you-mean for
 * an unknown option or command (node's own messages never reach the user).
 */
export function parseCommandLine(argv: readonly string[], commands: readonly CommandSpec[]): CommandLine {
  // Every option of every command is declared so that a string option takes its value wherever it stands;
  // which options the command takes is checked below.
  const declared = new Map<string, OptionSpec>()
  for (const o of [HELP, VERSION, ...commands.flatMap((c) => c.options)]) declared.set(o.name, o)
  const { tokens } = parseArgs({
    args: [...argv],
    strict: false,
    allowPositionals: true,
    tokens: true,
    options: Object.fromEntries(
      [...declared.values()].map((o) => [
        o.name,
        {
          type: o.type,
          ...(o.name === 'help' ? { short: 'h' } : o.name === 'version' ? { short: 'v' } : {}),
        },
      ]),
    ),
  })
  const words: string[] = []
  const options: { name: string; raw: string; value?: string; inline: boolean }[] = []
  for (const t of tokens) {
    if (t.kind === 'positional') words.push(t.value)
    else if (t.kind === 'option')
      options.push({
        name: SHORT[t.name] ?? t.name,
        raw: t.rawName,
        value: t.value,
        inline: t.inlineValue === true,
      })
  }
  const json = options.some((o) => o.name === 'json')
  const [name, ...positionals] = words
  const has = (option: string) => options.some((o) => o.name === option)
  if (has('version')) return { kind: 'version' }
  if (name === undefined || name === 'help') {
    if (name === 'help' && positionals[0] !== undefined) {
      const command = commands.find((c) => c.name === positionals[0])
      if (command === undefined) return unknownCommand(positionals[0], commands, json)
      return { kind: 'help', command }
    }
    return has('help') || name === 'help' ? { kind: 'help' } : { kind: 'none' }
  }
  const command = commands.find((c) => c.name === name)
  if (command === undefined) return unknownCommand(name, commands, json)
  if (has('help')) return { kind: 'help', command }
  const problem = (message: string): CommandLine => ({ kind: 'usage', message, command, json })

  const own = new Map(command.options.map((o) => [o.name, o]))
  const strings = new Map<string, string>()
  const flags = new Set<string>()
  for (const o of options) {
    const spec = own.get(o.name)
    if (spec === undefined) {
      const near = didYouMean(o.name, own.keys())
      const other = near === undefined ? didYouMean(o.name, declared.keys()) : undefined
      const elsewhere = commands.filter((c) => c.options.some((x) => x.name === (other ?? o.name)))
      const of = elsewhere.map((c) => c.name).join(', ')
      const hint =
        near !== undefined
          ? `; did you mean --${near}?`
          : other !== undefined && other !== o.name && elsewhere.length > 0
            ? ` (--${other} is an option of ${of})`
            : elsewhere.length > 0
              ? ` (it is an option of ${of})`
              : ''
      return problem(`${o.raw} is not an option of ${command.name}${hint}`)
    }
    if (spec.type === 'boolean') {
      if (o.value !== undefined) return problem(`${o.raw} takes no value (got ${o.raw}=${o.value})`)
      flags.add(spec.name)
      continue
    }
    const shape = `${o.raw} ${spec.value ?? 'VALUE'}`
    if (o.value === undefined) return problem(`${o.raw} needs a value: ${shape}`)
    if (!o.inline && o.value.startsWith('-'))
      return problem(
        `${o.raw} needs a value: ${shape} (got ${o.value}; write ${o.raw}=${o.value} if that is the value)`,
      )
    strings.set(spec.name, o.value)
  }
  const { min, max, words: wanted } = command.positionals
  if (positionals.length < min || positionals.length > max) {
    const got = positionals.length === 0 ? 'nothing' : positionals.join(' ')
    return problem(max === 0 ? `takes no words after its name, got ${got}` : `expected ${wanted}, got ${got}`)
  }
  return { kind: 'run', command, args: { positionals, strings, flags } }
}

function unknownCommand(name: string, commands: readonly CommandSpec[], json: boolean): CommandLine {
  const near = didYouMean(
    name,
    commands.map((c) => c.name),
  )
  const list = commands.map((c) => c.name).join(', ')
  return {
    kind: 'usage',
    message: `unknown command '${name}'${near === undefined ? '' : `; did you mean '${near}'?`} Commands: ${list}`,
    json,
  }
}

/** `finqa --help`: every command's usage and summary, then what holds for all of them. */
export function formatHelp(commands: readonly CommandSpec[], general: string): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 4
  return [
    'finqa: compile typed GRPO experiment specs into VERL launch scripts',
    '',
    'Usage:',
    ...commands.map((c) => `  ${c.usage}`),
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    general,
  ].join('\n')
}

/** `finqa NAME --help`: its usage, what it does, its options and examples. */
export function formatCommandHelp(command: CommandSpec): string {
  const options = [...command.options, { ...HELP, name: 'help' }]
  const label = (o: OptionSpec) =>
    `${o.name === 'help' ? '-h, ' : ''}--${o.name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`
  const width = Math.max(...options.map((o) => label(o).length)) + 2
  return [
    `finqa ${command.name}: ${command.summary}`,
    '',
    'Usage:',
    `  ${command.usage}`,
    '',
    ...command.description.split('\n').map((l) => (l === '' ? '' : `  ${l}`)),
    '',
    'Options:',
    ...options.map((o) => `  ${label(o).padEnd(width)}${o.help}`),
    '',
    command.examples.length === 1 ? 'Example:' : 'Examples:',
    ...command.examples.map((e) => `  npx finqa ${e}`),
    '',
  ].join('\n')
}
