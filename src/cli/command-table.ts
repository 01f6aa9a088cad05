import { isAbsolute, relative, resolve, sep } from 'node:path'
import { realOutputPath } from '../emit/output-paths.js'
import type { CommandArgs, CommandSpec, OptionSpec, UsageProblem } from './command-line.js'
import { compileCommand } from './commands/compile.js'

// Commands other than a plain compile load on demand: a compile never initialises the parquet reader
// (plan), the file watcher or the scaffold (in the bundle, their modules initialise on first use).

const SPECS: OptionSpec = {
  name: 'specs',
  type: 'string',
  value: 'DIR',
  help: 'the spec folder (default: experiments)',
}
const CHECKPOINT_ROOT: OptionSpec = {
  name: 'checkpoint-root',
  type: 'string',
  value: 'DIR',
  help: "look for the runs' checkpoint folders in DIR instead of trainer.checkpoint_root",
}
const JSON_OPTION: OptionSpec = {
  name: 'json',
  type: 'boolean',
  help: 'print one line of JSON on stdout (its envelope: finqa --help)',
}

/**
 * The spec folder: `--specs DIR`, which every command that reads specs takes; compile and plan also take it
 * as their one word (`finqa compile experiments`), as they always have.
 */
function specDirOf(args: CommandArgs, word?: string): string | UsageProblem {
  const option = args.strings.get('specs')
  if (word !== undefined && option !== undefined && word !== option)
    return { usage: `the spec folder is named twice, ${word} and --specs ${option}; give it once` }
  return option ?? word ?? 'experiments'
}

/** Every command, in the order help lists them. Adding a command is one entry here. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'compile',
    summary: 'resolve, validate and render every experiment into launch scripts',
    usage: 'finqa compile [SPEC_DIR | --specs DIR] [--out DIR] [--check | --watch] [--json]',
    description: [
      'Resolves, validates and renders every experiment in the spec folder (default: experiments) into',
      'the output folder (default: dist-scripts): launch scripts, Slurm batch files, the upload script and',
      'a README generated from the specs. Writes only files whose content changed and removes outputs no',
      'spec produces any more. SPEC_DIR is the same as --specs SPEC_DIR.',
    ].join('\n'),
    positionals: { min: 0, max: 1, words: '[SPEC_DIR]' },
    options: [
      SPECS,
      { name: 'out', type: 'string', value: 'DIR', help: 'the output folder (default: dist-scripts)' },
      {
        name: 'check',
        type: 'boolean',
        help: 'write nothing; exit 1 listing stale, missing and extra files',
      },
      {
        name: 'watch',
        type: 'boolean',
        help: 'compile, then recompile whenever a spec changes, until Ctrl-C',
      },
      JSON_OPTION,
    ],
    examples: ['compile experiments', 'compile --specs experiments --check', 'compile --check --json'],
    run: async (args, ctx) => {
      const specDir = specDirOf(args, args.positionals[0])
      if (typeof specDir !== 'string') return specDir
      const watch = args.flags.has('watch')
      const check = args.flags.has('check')
      if (watch && check) return { usage: 'compile: --watch and --check do not go together' }
      const out = args.strings.get('out')
      const outProblem = badOutFolder(ctx.cwd, specDir, out)
      if (outProblem !== undefined) return { usage: `compile: ${outProblem}` }
      const options = { specDir, outDir: out ?? 'dist-scripts', check, json: args.flags.has('json') }
      if (!watch) return compileCommand(options, ctx)
      const { watchCommand } = await import('./commands/watch.js')
      return watchCommand(options, ctx)
    },
  },
  {
    name: 'init',
    summary: 'start a spec tree, its README and a CI workflow in a folder',
    usage: 'finqa init [DIR]',
    description: [
      'Starts a spec tree in DIR (default: .): experiments/ with a base, a model layer, a reference run',
      'and an ablation, its README, and a CI workflow running finqa compile --check. Writes nothing if',
      'any of those files exists.',
    ].join('\n'),
    positionals: { min: 0, max: 1, words: '[DIR]' },
    options: [],
    examples: ['init', 'init my-study'],
    run: async (args, ctx) => {
      const { initCommand } = await import('./commands/init.js')
      return initCommand({ dir: args.positionals[0] ?? '.' }, ctx)
    },
  },
  {
    name: 'explain',
    summary: 'each value of an experiment and the layers that set, overrode or deleted it',
    usage: 'finqa explain EXPERIMENT [KEY] [--specs DIR] [--json]',
    description: [
      'The resolved value of every field of EXPERIMENT (its name or script name), or of KEY (dotted, e.g.',
      'rollout.n, a map such as rollout, or a VERL key such as actor_rollout_ref.rollout.n), with every',
      'layer that set, overrode or deleted it, at file:line:col.',
    ].join('\n'),
    positionals: { min: 1, max: 2, words: 'EXPERIMENT [KEY]' },
    options: [SPECS, JSON_OPTION],
    examples: ['explain qwen3_4b_default rollout.n', 'explain run_4b.sh --json'],
    run: async (args, ctx) => {
      const specDir = specDirOf(args)
      if (typeof specDir !== 'string') return specDir
      const { explainCommand } = await import('./commands/explain.js')
      const [experiment, key] = args.positionals as [string, string | undefined]
      return explainCommand({ specDir, experiment, key, json: args.flags.has('json') }, ctx)
    },
  },
  {
    name: 'plan',
    summary: 'steps, checkpoints, GPU-hours and wall time per experiment',
    usage: 'finqa plan [SPEC_DIR | --specs DIR] [--data-dir DIR] [--checkpoint-root DIR] [--json]',
    description: [
      'Per experiment: train rows, steps per epoch, total steps, checkpoints, validations, GPUs,',
      'estimated wall time and GPU-hours, and a total. Reads the row count of each reachable training',
      "parquet file and warns when the spec's data.train_rows differs. Seconds per step: finqa's cost",
      'model (model size, rollout n, batch, lengths, GPUs), estimate.seconds_per_step, or the pace',
      "measured in a run's checkpoint folder. SPEC_DIR is the same as --specs SPEC_DIR.",
    ].join('\n'),
    positionals: { min: 0, max: 1, words: '[SPEC_DIR]' },
    options: [
      SPECS,
      {
        name: 'data-dir',
        type: 'string',
        value: 'DIR',
        help: "look for the parquet files in DIR instead of each spec's data.dir",
      },
      CHECKPOINT_ROOT,
      JSON_OPTION,
    ],
    examples: ['plan', 'plan --specs experiments --json'],
    run: async (args, ctx) => {
      const specDir = specDirOf(args, args.positionals[0])
      if (typeof specDir !== 'string') return specDir
      const { planCommand } = await import('./commands/plan.js')
      return planCommand(
        {
          specDir,
          dataDir: args.strings.get('data-dir'),
          checkpointRoot: args.strings.get('checkpoint-root'),
          json: args.flags.has('json'),
        },
        ctx,
      )
    },
  },
  {
    name: 'diff',
    summary: 'the resolved fields in which two experiments differ',
    usage: 'finqa diff A B [--specs DIR] [--all] [--json]',
    description: [
      'The resolved fields in which experiments A and B (names or script names) differ, each side with',
      'the layer that set it. Exits 0 whether or not they differ.',
    ].join('\n'),
    positionals: { min: 2, max: 2, words: 'A B' },
    options: [
      SPECS,
      { name: 'all', type: 'boolean', help: 'also show documentation fields (description, model.label)' },
      JSON_OPTION,
    ],
    examples: ['diff qwen3_4b_default run_4b_no_uncertain.sh'],
    run: async (args, ctx) => {
      const specDir = specDirOf(args)
      if (typeof specDir !== 'string') return specDir
      const { diffCommand } = await import('./commands/diff.js')
      const [a, b] = args.positionals as [string, string]
      return diffCommand({ specDir, a, b, all: args.flags.has('all'), json: args.flags.has('json') }, ctx)
    },
  },
  {
    name: 'status',
    summary: "where each experiment's run stands, and the command that submits the rest",
    usage: 'finqa status [SPEC_DIR | --specs DIR] [--checkpoint-root DIR] [--out DIR] [--json]',
    description: [
      'Per experiment: not started, queued, running, requeued, failed or finished; the latest checkpoint',
      'of the total steps, steps per hour and ETA, the last start (who, when, which overrides) and the',
      'steps uploaded, from the checkpoint folders, their run records and, when squeue is on PATH, Slurm.',
      'Ends with the command that submits the experiments neither finished nor queued or running.',
      'SPEC_DIR is the same as --specs SPEC_DIR.',
    ].join('\n'),
    positionals: { min: 0, max: 1, words: '[SPEC_DIR]' },
    options: [
      SPECS,
      CHECKPOINT_ROOT,
      {
        name: 'out',
        type: 'string',
        value: 'DIR',
        help: 'the folder of the compiled scripts, for the submit command (default: dist-scripts)',
      },
      JSON_OPTION,
    ],
    examples: ['status', 'status --checkpoint-root /tmp/checkpoints --json'],
    run: async (args, ctx) => {
      const specDir = specDirOf(args, args.positionals[0])
      if (typeof specDir !== 'string') return specDir
      const { statusCommand } = await import('./commands/status.js')
      return statusCommand(
        {
          specDir,
          checkpointRoot: args.strings.get('checkpoint-root'),
          outDir: args.strings.get('out') ?? 'dist-scripts',
          json: args.flags.has('json'),
        },
        ctx,
      )
    },
  },
]

/** What `finqa --help` says after the commands: what holds for all of them. */
export const GENERAL_HELP = `Every command that reads specs takes the spec folder as --specs DIR (default: experiments);
compile, plan and status also take it as their one word: finqa compile experiments.

Options of every command:
  -h, --help      show the command's help: finqa plan --help (or finqa help plan)
  -v, --version   show the version

--json prints one line of JSON on stdout and nothing on stderr, the same envelope for every command:
{ "finqa": VERSION, "command": NAME, "ok": BOOL, "exitCode": N, "diagnostics": [...], ...the result }.

Colour only on a terminal; NO_COLOR=1 turns it off.
Exit codes: 0 ok, 1 spec errors, stale output or unknown experiment, 2 usage error, 70 internal error.

Examples:
  npx finqa init
  npx finqa compile experiments
  npx finqa compile experiments --check
  npx finqa explain qwen3_4b_default rollout.n
  npx finqa plan --json
  npx finqa diff qwen3_4b_default run_4b_no_uncertain.sh
  npx finqa status

Run 'finqa COMMAND --help' for a command's options and examples.
`

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
