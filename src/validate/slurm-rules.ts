import type { Diagnostic, DiagnosticCode, RelatedPosition } from '../diagnostics/diagnostic.js'
import { didYouMean } from '../diagnostics/did-you-mean.js'
import { secondsPerStepOf } from '../estimate/step-cost.js'
import type { Experiment } from '../generated/experiment.js'
import { pointerJoin } from '../load/parse-yaml.js'
import { UPLOAD_OPTIONS, UPLOAD_SCRIPT } from '../render/render-upload.js'
import { RESERVED_SBATCH_OPTIONS, SBATCH_OPTIONS } from './sbatch-options.js'
import type { Locate, Located } from './schema.js'

const KNOWN_SBATCH_OPTIONS: ReadonlySet<string> = new Set(SBATCH_OPTIONS)

/** The default of `slurm.requeue_signal_seconds`. */
export const DEFAULT_REQUEUE_SIGNAL_SECONDS = 300

/**
 * Seconds of a Slurm time limit (`MINUTES`, `MM:SS`, `HH:MM:SS`, `DAYS-HH`, `DAYS-HH:MM`, `DAYS-HH:MM:SS`),
 * `Infinity` for INFINITE/UNLIMITED, undefined when it is not one of those forms.
 */
export function parseSlurmTime(text: string): number | undefined {
  if (text === 'INFINITE' || text === 'UNLIMITED') return Number.POSITIVE_INFINITY
  const withDays = /^(\d+)-(\d{1,2})(?::(\d{1,2}))?(?::(\d{1,2}))?$/.exec(text)
  if (withDays) {
    const [, d, h, m, s] = withDays
    return Number(d) * 86400 + Number(h) * 3600 + Number(m ?? 0) * 60 + Number(s ?? 0)
  }
  const parts = /^\d+(:\d{1,2}){0,2}$/.test(text) ? text.split(':').map(Number) : undefined
  if (parts === undefined) return undefined
  const [a = 0, b, c] = parts
  if (c !== undefined) return a * 3600 + (b ?? 0) * 60 + c
  if (b !== undefined) return a * 60 + b
  return a * 60
}

/** MB of a Slurm memory size (`200G`, `4096`, `512M`); 0 means the whole node. */
export function parseSlurmMemory(text: string): number | undefined {
  const m = /^(\d+)([KMGT]?)$/.exec(text)
  if (!m) return undefined
  const factor = { '': 1, K: 1 / 1024, M: 1, G: 1024, T: 1024 * 1024 }[m[2] as '' | 'K' | 'M' | 'G' | 'T']
  return Number(m[1]) * factor
}

/** `2 d 03:04:05` style, for messages. */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds)
  const d = Math.floor(s / 86400)
  const hms = [Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60), s % 60]
    .map((n) => String(n).padStart(2, '0'))
    .join(':')
  return d > 0 ? `${d}-${hms}` : hms
}

const at = (
  located: Located,
  code: DiagnosticCode,
  severity: Diagnostic['severity'],
  message: string,
  suggestion?: string,
  extra: readonly RelatedPosition[] = [],
): Diagnostic => {
  const related = [...(located.related ?? []), ...extra]
  return {
    ...located.value,
    severity,
    code,
    message,
    suggestion,
    related: related.length > 0 ? related : undefined,
  }
}

const relatedAt = (located: Located, message: string): RelatedPosition => ({ ...located.value, message })

/** The cross-checks of the `slurm` section, made at compile time (sentence names double as test titles). */
export function checkSlurm(e: Experiment, locate: Locate): Diagnostic[] {
  const s = e.slurm ?? {}
  const out: Diagnostic[] = []

  // Slurm nodes and GPUs per node equal the trainer's.
  if (s.nodes !== undefined && s.nodes !== e.trainer.nodes) {
    out.push(
      at(
        locate('/slurm/nodes'),
        'SLURM_MISMATCH',
        'error',
        `slurm.nodes ${s.nodes} differs from trainer.nodes ${e.trainer.nodes} (VERL's trainer.nnodes): the job would hold nodes VERL never uses, or VERL would wait for GPUs the job never gets`,
        'delete slurm.nodes (it follows trainer.nodes), or set both to the same number',
        [relatedAt(locate('/trainer/nodes'), 'trainer.nodes is set here')],
      ),
    )
  }
  if (s.gpus_per_node !== undefined && s.gpus_per_node !== e.trainer.gpus_per_node) {
    out.push(
      at(
        locate('/slurm/gpus_per_node'),
        'SLURM_MISMATCH',
        'error',
        `slurm.gpus_per_node ${s.gpus_per_node} differs from trainer.gpus_per_node ${e.trainer.gpus_per_node} (VERL's trainer.n_gpus_per_node)`,
        'delete slurm.gpus_per_node (it follows trainer.gpus_per_node), or set both to the same number',
        [relatedAt(locate('/trainer/gpus_per_node'), 'trainer.gpus_per_node is set here')],
      ),
    )
  }

  // Pass-through options are real sbatch options that nothing else sets.
  for (const name of Object.keys(s.sbatch_options ?? {})) {
    const located = locate(pointerJoin('/slurm/sbatch_options', name))
    const where: Located = { ...located, value: located.key ?? located.value }
    const bare = name.replace(/^-+/, '')
    // Own keys only: an option named `constructor` is not reserved by Object.prototype.
    const reserved = Object.hasOwn(RESERVED_SBATCH_OPTIONS, bare) ? RESERVED_SBATCH_OPTIONS[bare] : undefined
    if (reserved !== undefined) {
      out.push(
        at(where, 'SBATCH_OPTION', 'error', `sbatch option \`${bare}\` is set by ${reserved}`, undefined),
      )
    } else if (!KNOWN_SBATCH_OPTIONS.has(name)) {
      const near = KNOWN_SBATCH_OPTIONS.has(bare)
        ? bare
        : didYouMean(bare.replaceAll('_', '-'), KNOWN_SBATCH_OPTIONS)
      out.push(
        at(
          where,
          'SBATCH_OPTION',
          'error',
          `\`${name}\` is not an sbatch option (long names without the dashes, as in \`sbatch --help\`)`,
          near ? `did you mean \`${near}\`?` : undefined,
        ),
      )
    }
  }

  // The upload job's arguments are ones upload_to_hf.sh takes.
  for (const p of uploadArgsProblems(s.upload?.args ?? [])) {
    out.push(
      at(
        locate(pointerJoin('/slurm/upload/args', p.index)),
        'UPLOAD_ARGS',
        p.severity,
        p.message,
        p.suggestion,
      ),
    )
  }

  // The time limit leaves room for a checkpoint before the requeue signal.
  const lead = s.requeue_signal_seconds ?? DEFAULT_REQUEUE_SIGNAL_SECONDS
  const pace = secondsPerStepOf(e)
  const limit = s.time_limit === undefined ? undefined : parseSlurmTime(s.time_limit)
  if (limit !== undefined && Number.isFinite(limit)) {
    if (limit <= lead) {
      out.push(
        at(
          locate('/slurm/time_limit'),
          'SLURM_TIME',
          'error',
          `time limit ${s.time_limit} (${formatDuration(limit)}) is not longer than the requeue signal, ${lead} s before it: every run would be requeued at once`,
          'raise slurm.time_limit, or lower slurm.requeue_signal_seconds',
        ),
      )
    } else if (pace !== null) {
      const secondsPerStep = pace.seconds
      const figure =
        pace.from === 'spec'
          ? `estimate.seconds_per_step ${secondsPerStep} s`
          : `${secondsPerStep} s per step (finqa's cost model; set estimate.seconds_per_step if you know better)`
      const needed = e.training.save_freq * secondsPerStep
      const usable = limit - lead
      if (needed > usable) {
        out.push(
          at(
            locate('/slurm/time_limit'),
            'SLURM_TIME',
            'warning',
            `no checkpoint can be reached before the time limit: training.save_freq ${e.training.save_freq} steps × ${figure} = ${formatDuration(needed)}, but a run has ${formatDuration(usable)} (time limit ${s.time_limit} less the requeue signal ${lead} s); every requeued run would restart from the same checkpoint`,
            `raise slurm.time_limit above ${formatDuration(needed + lead)}, or lower training.save_freq`,
            [
              relatedAt(locate('/training/save_freq'), 'training.save_freq is set here'),
              ...(pace.from === 'spec'
                ? [relatedAt(locate('/estimate/seconds_per_step'), 'estimate.seconds_per_step is set here')]
                : []),
            ],
          ),
        )
      }
    }
  }

  out.push(...checkClusterProfile(e, locate))
  return out
}

/** With a cluster profile, a request the cluster cannot satisfy is a warning (sbatch would reject it). */
function checkClusterProfile(e: Experiment, locate: Locate): Diagnostic[] {
  const s = e.slurm ?? {}
  const c = s.cluster
  if (c === undefined) return []
  const out: Diagnostic[] = []
  const profile = relatedAt(locate('/slurm/cluster/name'), `cluster profile ${c.name}`)
  const warn = (pointer: string, message: string, suggestion?: string) =>
    out.push(at(locate(pointer), 'SLURM_LIMIT', 'warning', message, suggestion, [profile]))

  if (c.nodes !== undefined && e.trainer.nodes > c.nodes) {
    warn(
      s.nodes === undefined ? '/trainer/nodes' : '/slurm/nodes',
      `${e.trainer.nodes} nodes exceed the ${c.nodes} node(s) of cluster ${c.name}; sbatch would reject the job`,
    )
  }
  if (c.gpus_per_node !== undefined && e.trainer.gpus_per_node > c.gpus_per_node) {
    warn(
      s.gpus_per_node === undefined ? '/trainer/gpus_per_node' : '/slurm/gpus_per_node',
      `${e.trainer.gpus_per_node} GPUs per node exceed the ${c.gpus_per_node} of a node of cluster ${c.name}; sbatch would reject the job`,
      `use at most ${c.gpus_per_node} GPUs per node, and more nodes`,
    )
  }
  if (c.cpus_per_node !== undefined && s.cpus_per_task !== undefined && s.cpus_per_task > c.cpus_per_node) {
    warn(
      '/slurm/cpus_per_task',
      `${s.cpus_per_task} CPUs per node exceed the ${c.cpus_per_node} of a node of cluster ${c.name}; sbatch would reject the job`,
    )
  }
  const nodeMemory = c.memory_per_node === undefined ? undefined : parseSlurmMemory(c.memory_per_node)
  const memory = s.memory === undefined ? undefined : parseSlurmMemory(s.memory)
  if (nodeMemory !== undefined && memory !== undefined && memory > nodeMemory) {
    warn(
      '/slurm/memory',
      `memory ${s.memory} exceeds the ${c.memory_per_node} of a node of cluster ${c.name}; sbatch would reject the job`,
      'ask for less, or 0 for all of the node',
    )
  }
  const maxTime = c.max_time === undefined ? undefined : parseSlurmTime(c.max_time)
  const limit = s.time_limit === undefined ? undefined : parseSlurmTime(s.time_limit)
  if (maxTime !== undefined && limit !== undefined && limit > maxTime) {
    warn(
      '/slurm/time_limit',
      `time limit ${s.time_limit} exceeds the ${c.max_time} that cluster ${c.name} allows; sbatch would reject the job`,
      `use at most ${c.max_time}: the job is requeued at the limit and resumes from its checkpoint`,
    )
  }
  if (c.partitions !== undefined && s.partition !== undefined) {
    for (const p of s.partition.split(',')) {
      if (c.partitions.includes(p)) continue
      const near = didYouMean(p, c.partitions)
      warn(
        '/slurm/partition',
        `partition ${p} is not one of cluster ${c.name}'s: ${c.partitions.join(', ')}`,
        near ? `did you mean \`${near}\`?` : undefined,
      )
    }
  }
  return out
}

export interface UploadArgsProblem {
  /** The argument at fault, by its index in `slurm.upload.args`. */
  readonly index: number
  readonly severity: Diagnostic['severity']
  readonly message: string
  readonly suggestion?: string
}

const COUNT = /^[0-9]{1,18}$/
const NAMESPACE = /^[A-Za-z0-9]+([._-][A-Za-z0-9]+)*$/

/**
 * `slurm.upload.args` read as upload_to_hf.sh reads what follows the checkpoint folder the batch file gives
 * it (its options: `UPLOAD_OPTIONS`). Each problem the script would stop on at run time, hours after
 * training, is one here; and what would make the job upload nothing. Pure.
 */
export function uploadArgsProblems(args: readonly string[]): UploadArgsProblem[] {
  const out: UploadArgsProblem[] = []
  const given = new Map<string, number>()
  const problem = (
    index: number,
    message: string,
    suggestion?: string,
    severity: 'error' | 'warning' = 'error',
  ) => out.push({ index, severity, message, suggestion })
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string
    if (arg === '--') {
      problem(
        i,
        `\`--\` would make every later argument, and any given to sbatch, a checkpoint folder of ${UPLOAD_SCRIPT}`,
        'remove it',
      )
      continue
    }
    if (!arg.startsWith('-')) {
      problem(
        i,
        `\`${arg}\` would be a second checkpoint folder: the upload job gives ${UPLOAD_SCRIPT} the experiment's own`,
        'remove it, or give it as the value of an option (e.g. --step 200)',
      )
      continue
    }
    const eq = arg.indexOf('=')
    const name = eq === -1 ? arg : arg.slice(0, eq)
    const kind = UPLOAD_OPTIONS.get(name)
    if (kind === undefined || (kind === 'flag' && eq !== -1)) {
      const near = didYouMean(name, UPLOAD_OPTIONS.keys())
      problem(
        i,
        `\`${arg}\` is not an option of ${UPLOAD_SCRIPT}`,
        near ? `did you mean \`${near}\`?` : `its options: ${[...UPLOAD_OPTIONS.keys()].join(', ')}`,
      )
      continue
    }
    if (name === '-h' || name === '--help') {
      problem(
        i,
        `\`${arg}\` would make the upload job print the help of ${UPLOAD_SCRIPT} and upload nothing`,
        'remove it',
      )
      continue
    }
    if (name === '--dry-run') {
      problem(
        i,
        'with `--dry-run` the upload job only prints the commands; it converts and uploads nothing',
        'remove it once the commands look right',
        'warning',
      )
      continue
    }
    if (name === '--private' || name === '--public') {
      const other = name === '--private' ? '--public' : '--private'
      if (given.has(other)) problem(i, `\`${name}\` and \`${other}\` exclude each other`, 'keep one of them')
      given.set(name, i)
      continue
    }
    if (kind === 'flag') continue
    // An option with a value: `--num=3`, or `--num 3` (the next argument, whatever it is, as the script takes it).
    const at = i
    let value: string
    if (eq !== -1) value = arg.slice(eq + 1)
    else if (i + 1 < args.length) value = args[++i] as string
    else {
      problem(i, `\`${name}\` needs a value`, kind === 'count' ? `e.g. \`${name}\`, "3"` : undefined)
      continue
    }
    if (given.has(name))
      problem(at, `\`${name}\` is given twice; ${UPLOAD_SCRIPT} takes it once`, 'remove one of them')
    given.set(name, at)
    if (kind === 'count' && (!COUNT.test(value) || Number(value) < 1))
      problem(i, `\`${name}\` must be a positive whole number, got \`${value}\``, `e.g. \`${name}\`, "3"`)
    else if (kind === 'namespace' && !NAMESPACE.test(value))
      problem(
        i,
        `\`${name}\` must be letters and digits with single \`.\`, \`_\` or \`-\` between them, got \`${value}\``,
        'e.g. my-org',
      )
    else if (kind === 'folder' && (value === '' || value.startsWith('-')))
      problem(
        i,
        `\`${name}\` needs a folder, got ${value === '' ? 'nothing' : `the option-like \`${value}\``}`,
        value === '' ? undefined : `write ./${value} for a folder of that name`,
      )
  }
  if (given.has('--num') && given.has('--step'))
    problem(
      Math.max(given.get('--num') ?? 0, given.get('--step') ?? 0),
      '`--num` and `--step` exclude each other',
      'keep one of them',
    )
  return out
}
