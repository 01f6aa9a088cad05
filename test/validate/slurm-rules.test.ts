import { describe, expect, it } from 'vitest'
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js'
import {
  formatDuration,
  parseSlurmMemory,
  parseSlurmTime,
  uploadArgsProblems,
} from '../../src/validate/slurm-rules.js'
import { brief, compileOnSlurmBase } from '../helpers/compile-repo.js'

// The cross-checks of the `slurm` section (src/validate/slurm-rules.ts), each proved on both sides of its
// boundary: a compile of the Slurm fixtures' base plus one experiment layer (compileOnSlurmBase: its line 4
// is the first of `layer`).

const said = (d: Diagnostic | undefined) => [d?.message, d?.suggestion]

/** A layer asking for `request` (lines under `slurm:`) on a cluster profile `small` with every limit. */
const onSmallCluster = (request: string, trainer = '') =>
  `${trainer}slurm:\n${request}  cluster:\n    name: small\n    nodes: 2\n    gpus_per_node: 8\n    cpus_per_node: 64\n    memory_per_node: 250G\n    max_time: 2-00:00:00\n    partitions: [gpu, cpu]\n`

describe('a cluster profile warns about a request the cluster cannot satisfy', () => {
  it('a request at every limit of the profile gets no warning', () => {
    const r = compileOnSlurmBase(
      onSmallCluster(
        '  partition: gpu,cpu\n  cpus_per_task: 64\n  memory: "256000"\n  time_limit: 2-00:00:00\n',
        'trainer:\n  nodes: 2\n',
      ),
    )
    expect(r.diagnostics).toEqual([])
  })

  it('a request below every limit gets no warning', () => {
    const r = compileOnSlurmBase(
      onSmallCluster('  partition: cpu\n  cpus_per_task: 8\n  memory: 1G\n  time_limit: "60"\n'),
    )
    expect(r.diagnostics).toEqual([])
  })

  it('more trainer nodes than the cluster has is a warning at trainer.nodes, related to the profile', () => {
    const r = compileOnSlurmBase(onSmallCluster('', 'trainer:\n  nodes: 4\n'))
    expect(r.diagnostics.map(brief)).toEqual(['experiments/x.yaml:5:10 warning SLURM_LIMIT'])
    expect(said(r.diagnostics[0])).toEqual([
      '4 nodes exceed the 2 node(s) of cluster small; sbatch would reject the job',
      undefined,
    ])
    expect(r.diagnostics[0]?.related).toEqual([
      {
        file: 'experiments/base.yaml',
        line: 35,
        col: 10,
        endLine: 35,
        endCol: 11,
        message: 'overridden here',
      },
      {
        file: 'experiments/x.yaml',
        line: 8,
        col: 11,
        endLine: 8,
        endCol: 16,
        message: 'cluster profile small',
      },
    ])
  })

  it('more nodes than the cluster has, also set as slurm.nodes, is a warning at slurm.nodes', () => {
    const r = compileOnSlurmBase(onSmallCluster('  nodes: 4\n', 'trainer:\n  nodes: 4\n'))
    expect(r.diagnostics.map(brief)).toEqual(['experiments/x.yaml:7:10 warning SLURM_LIMIT'])
  })

  it('more GPUs per node than a node has is a warning at trainer.gpus_per_node, or at slurm.gpus_per_node', () => {
    const r = compileOnSlurmBase(onSmallCluster('', 'trainer:\n  gpus_per_node: 16\n'))
    expect(r.diagnostics.map(brief)).toEqual(['experiments/x.yaml:5:18 warning SLURM_LIMIT'])
    expect(said(r.diagnostics[0])).toEqual([
      '16 GPUs per node exceed the 8 of a node of cluster small; sbatch would reject the job',
      'use at most 8 GPUs per node, and more nodes',
    ])
    const s = compileOnSlurmBase(onSmallCluster('  gpus_per_node: 16\n', 'trainer:\n  gpus_per_node: 16\n'))
    expect(s.diagnostics.map(brief)).toEqual(['experiments/x.yaml:7:18 warning SLURM_LIMIT'])
  })

  it('more CPUs than a node has is a warning at slurm.cpus_per_task', () => {
    const r = compileOnSlurmBase(onSmallCluster('  cpus_per_task: 65\n'))
    expect(r.diagnostics.map(brief)).toEqual(['experiments/x.yaml:5:18 warning SLURM_LIMIT'])
    expect(said(r.diagnostics[0])).toEqual([
      '65 CPUs per node exceed the 64 of a node of cluster small; sbatch would reject the job',
      undefined,
    ])
  })

  it('more memory than a node has (one MB more) is a warning at slurm.memory', () => {
    const r = compileOnSlurmBase(onSmallCluster('  memory: "256001"\n'))
    expect(r.diagnostics.map(brief)).toEqual(['experiments/x.yaml:5:11 warning SLURM_LIMIT'])
    expect(said(r.diagnostics[0])).toEqual([
      'memory 256001 exceeds the 250G of a node of cluster small; sbatch would reject the job',
      'ask for less, or 0 for all of the node',
    ])
  })

  it('a time limit one second over the longest is a warning at slurm.time_limit', () => {
    const r = compileOnSlurmBase(onSmallCluster('  time_limit: 2-00:00:01\n'))
    expect(r.diagnostics.map(brief)).toEqual(['experiments/x.yaml:5:15 warning SLURM_LIMIT'])
    expect(said(r.diagnostics[0])).toEqual([
      'time limit 2-00:00:01 exceeds the 2-00:00:00 that cluster small allows; sbatch would reject the job',
      'use at most 2-00:00:00: the job is requeued at the limit and resumes from its checkpoint',
    ])
  })

  it('each partition the cluster does not have is a warning, with a suggestion when one is near', () => {
    const r = compileOnSlurmBase(onSmallCluster('  partition: gpu,gpuu,zzzzzz\n'))
    expect(r.diagnostics.map(brief)).toEqual([
      'experiments/x.yaml:5:14 warning SLURM_LIMIT',
      'experiments/x.yaml:5:14 warning SLURM_LIMIT',
    ])
    expect(r.diagnostics.map(said)).toEqual([
      ["partition gpuu is not one of cluster small's: gpu, cpu", 'did you mean `gpu`?'],
      ["partition zzzzzz is not one of cluster small's: gpu, cpu", undefined],
    ])
  })

  it('a profile without limits warns about nothing', () => {
    const r = compileOnSlurmBase(
      'trainer:\n  nodes: 2\nslurm:\n  cpus_per_task: 4096\n  memory: 9000G\n  time_limit: 30-00:00:00\n  partition: any\n  cluster:\n    name: open\n',
    )
    expect(r.diagnostics).toEqual([])
  })
})

describe("VERL's GPU count is the GPUs of all nodes", () => {
  it('a batch × rollout.n of 512 on 3 nodes of 8 GPUs is refused: 512 is not divisible by 24', () => {
    const r = compileOnSlurmBase('trainer:\n  nodes: 3\n')
    expect(r.diagnostics.map(brief)).toEqual(['experiments/base.yaml:23:15 error VERL_CHECK'])
    expect(r.diagnostics[0]?.message).toBe(
      'data.train_batch_size × rollout.n = 64 × 8 is not divisible by the 8 × 3 GPUs (n_gpus_per_node × nnodes); VERL 0.9.0 refuses it at start-up (verl/utils/config.py:110)',
    )
  })

  it('the same batch on 4 nodes of 8 GPUs (32) is fine', () => {
    expect(compileOnSlurmBase('trainer:\n  nodes: 4\n').diagnostics).toEqual([])
  })
})

describe('slurm.nodes and slurm.gpus_per_node equal the trainer’s', () => {
  it('slurm.nodes other than trainer.nodes is an error at slurm.nodes, related to trainer.nodes', () => {
    const r = compileOnSlurmBase('slurm:\n  nodes: 2\n')
    expect(r.diagnostics.map(brief)).toEqual(['experiments/x.yaml:5:10 error SLURM_MISMATCH'])
    expect(said(r.diagnostics[0])).toEqual([
      "slurm.nodes 2 differs from trainer.nodes 1 (VERL's trainer.nnodes): the job would hold nodes VERL never uses, or VERL would wait for GPUs the job never gets",
      'delete slurm.nodes (it follows trainer.nodes), or set both to the same number',
    ])
    expect(r.diagnostics[0]?.related?.map((x) => `${x.file}:${x.line}:${x.col} ${x.message}`)).toEqual([
      'experiments/base.yaml:35:10 trainer.nodes is set here',
    ])
  })

  it('slurm.gpus_per_node other than trainer.gpus_per_node is an error at slurm.gpus_per_node', () => {
    const r = compileOnSlurmBase('slurm:\n  gpus_per_node: 4\n')
    expect(r.diagnostics.map(brief)).toEqual(['experiments/x.yaml:5:18 error SLURM_MISMATCH'])
    expect(said(r.diagnostics[0])).toEqual([
      "slurm.gpus_per_node 4 differs from trainer.gpus_per_node 8 (VERL's trainer.n_gpus_per_node)",
      'delete slurm.gpus_per_node (it follows trainer.gpus_per_node), or set both to the same number',
    ])
    expect(r.diagnostics[0]?.related?.map((x) => `${x.file}:${x.line}:${x.col} ${x.message}`)).toEqual([
      'experiments/base.yaml:34:18 trainer.gpus_per_node is set here',
    ])
  })

  it('slurm.nodes and slurm.gpus_per_node equal to the trainer’s are fine', () => {
    expect(compileOnSlurmBase('slurm:\n  nodes: 1\n  gpus_per_node: 8\n').diagnostics).toEqual([])
  })
})

describe('the time limit leaves room for a checkpoint before the requeue signal', () => {
  it('a time limit equal to the requeue signal (300 s) is an error', () => {
    const r = compileOnSlurmBase('slurm:\n  time_limit: "5"\n')
    expect(r.diagnostics.map(brief)).toEqual(['experiments/x.yaml:5:15 error SLURM_TIME'])
    expect(said(r.diagnostics[0])).toEqual([
      'time limit 5 (00:05:00) is not longer than the requeue signal, 300 s before it: every run would be requeued at once',
      'raise slurm.time_limit, or lower slurm.requeue_signal_seconds',
    ])
  })

  it('a time limit one minute over a lowered requeue signal is fine', () => {
    const r = compileOnSlurmBase(
      'slurm:\n  time_limit: "2"\n  requeue_signal_seconds: 60\nestimate:\n  seconds_per_step: 60\n',
    )
    expect(r.diagnostics).toEqual([])
  })

  it('a checkpoint reached exactly when the usable time ends gets no warning', () => {
    // 10 minutes less the 300 s signal leave 300 s: one step of 300 s, saved every step.
    const r = compileOnSlurmBase('slurm:\n  time_limit: "10"\nestimate:\n  seconds_per_step: 300\n')
    expect(r.diagnostics).toEqual([])
  })

  it('a checkpoint one second too late is a warning naming the spec’s pace, related to both values', () => {
    const r = compileOnSlurmBase('slurm:\n  time_limit: "10"\nestimate:\n  seconds_per_step: 301\n')
    expect(r.diagnostics.map(brief)).toEqual(['experiments/x.yaml:5:15 warning SLURM_TIME'])
    expect(said(r.diagnostics[0])).toEqual([
      'no checkpoint can be reached before the time limit: training.save_freq 1 steps × estimate.seconds_per_step 301 s = 00:05:01, but a run has 00:05:00 (time limit 10 less the requeue signal 300 s); every requeued run would restart from the same checkpoint',
      'raise slurm.time_limit above 00:10:01, or lower training.save_freq',
    ])
    expect(r.diagnostics[0]?.related?.map((x) => `${x.file}:${x.line}:${x.col} ${x.message}`)).toEqual([
      'experiments/base.yaml:25:14 training.save_freq is set here',
      'experiments/x.yaml:7:21 estimate.seconds_per_step is set here',
    ])
  })

  it('without estimate.seconds_per_step the warning names the cost model and relates only save_freq', () => {
    const r = compileOnSlurmBase('slurm:\n  time_limit: "6"\ntraining:\n  save_freq: 100000\n')
    expect(r.diagnostics.map(brief)).toEqual(['experiments/x.yaml:5:15 warning SLURM_TIME'])
    expect(r.diagnostics[0]?.message).toContain(
      "s per step (finqa's cost model; set estimate.seconds_per_step if you know better)",
    )
    expect(r.diagnostics[0]?.related?.map((x) => x.message)).toEqual(['training.save_freq is set here'])
  })

  it('an INFINITE time limit is never too short', () => {
    const r = compileOnSlurmBase('slurm:\n  time_limit: INFINITE\ntraining:\n  save_freq: 100000\n')
    expect(r.diagnostics).toEqual([])
  })
})

describe('pass-through sbatch options', () => {
  it('an option written with its dashes suggests the name without them', () => {
    const r = compileOnSlurmBase('slurm:\n  sbatch_options:\n    --mail-type: END\n')
    expect(r.diagnostics.map(brief)).toEqual(['experiments/x.yaml:6:5 error SBATCH_OPTION'])
    expect(said(r.diagnostics[0])).toEqual([
      '`--mail-type` is not an sbatch option (long names without the dashes, as in `sbatch --help`)',
      'did you mean `mail-type`?',
    ])
    expect(r.diagnostics[0]?.related).toBeUndefined()
  })

  it('a reserved option with a dash inside its name is reserved', () => {
    const r = compileOnSlurmBase('slurm:\n  sbatch_options:\n    job-name: other\n')
    expect(r.diagnostics.map(brief)).toEqual(['experiments/x.yaml:6:5 error SBATCH_OPTION'])
    expect(r.diagnostics[0]?.message).toMatch(/^sbatch option `job-name` is set by /)
  })

  it('an option with underscores suggests the dashed name; one near nothing suggests nothing', () => {
    const r = compileOnSlurmBase('slurm:\n  sbatch_options:\n    mail_type: END\n    zzzzzzzzzz: 1\n')
    expect(r.diagnostics.map((d) => d.suggestion)).toEqual(['did you mean `mail-type`?', undefined])
  })

  it('a reserved option written with dashes is still reserved, naming who sets it', () => {
    const r = compileOnSlurmBase('slurm:\n  sbatch_options:\n    --partition: gpu\n')
    expect(r.diagnostics.map(brief)).toEqual(['experiments/x.yaml:6:5 error SBATCH_OPTION'])
    expect(r.diagnostics[0]?.message).toMatch(/^sbatch option `partition` is set by .*slurm\.partition/)
  })

  it('an option named like an Object.prototype property is not reserved but unknown', () => {
    const r = compileOnSlurmBase('slurm:\n  sbatch_options:\n    constructor: x\n')
    expect(r.diagnostics[0]?.message).toBe(
      '`constructor` is not an sbatch option (long names without the dashes, as in `sbatch --help`)',
    )
  })
})

describe('Slurm time and memory formats', () => {
  it('reads every time form sbatch takes', () => {
    expect(parseSlurmTime('UNLIMITED')).toBe(Number.POSITIVE_INFINITY)
    expect(parseSlurmTime('0')).toBe(0)
    expect(parseSlurmTime('1:02:03')).toBe(3723)
    expect(parseSlurmTime('1-2:3:4')).toBe(93784)
    expect(parseSlurmTime('3-4')).toBe(273600)
    expect(parseSlurmTime('10-0')).toBe(864000)
    expect(parseSlurmTime('1:2:3:4')).toBeUndefined()
    expect(parseSlurmTime('1:234')).toBeUndefined()
    expect(parseSlurmTime('x1')).toBeUndefined()
    expect(parseSlurmTime('1x')).toBeUndefined()
    expect(parseSlurmTime('1-2x')).toBeUndefined()
    expect(parseSlurmTime('x1-2')).toBeUndefined()
    expect(parseSlurmTime('')).toBeUndefined()
  })

  it('reads memory sizes in MB', () => {
    expect(parseSlurmMemory('512M')).toBe(512)
    expect(parseSlurmMemory('2048K')).toBe(2)
    expect(parseSlurmMemory('0')).toBe(0)
    expect(parseSlurmMemory('2G ')).toBeUndefined()
    expect(parseSlurmMemory(' 2G')).toBeUndefined()
    expect(parseSlurmMemory('2P')).toBeUndefined()
  })

  it('formats durations as [D-]HH:MM:SS, rounding to the second', () => {
    expect(formatDuration(0)).toBe('00:00:00')
    expect(formatDuration(59.6)).toBe('00:01:00')
    expect(formatDuration(3723)).toBe('01:02:03')
    expect(formatDuration(86399)).toBe('23:59:59')
    expect(formatDuration(86400)).toBe('1-00:00:00')
    expect(formatDuration(2 * 86400 + 3 * 3600 + 4 * 60 + 5)).toBe('2-03:04:05')
  })
})

describe('slurm.upload.args read as upload_to_hf.sh reads them (uploadArgsProblems)', () => {
  const E = 'error'
  it.each<[string[], [number, string, string, string | undefined][]]>([
    [['--num', '3', '--private', '--tmp-dir=/s', '--namespace', 'my-org.x_y', '--keep'], []],
    [['--num=1', '--target-dir', './-x', '--public', '--public', '--no-upload'], []],
    [['--step', '123456789012345678'], []],
    [
      ['--'],
      [
        [
          0,
          E,
          '`--` would make every later argument, and any given to sbatch, a checkpoint folder of upload_to_hf.sh',
          'remove it',
        ],
      ],
    ],
    [
      ['--keep', 'x'],
      [
        [
          1,
          E,
          "`x` would be a second checkpoint folder: the upload job gives upload_to_hf.sh the experiment's own",
          'remove it, or give it as the value of an option (e.g. --step 200)',
        ],
      ],
    ],
    [['--privat'], [[0, E, '`--privat` is not an option of upload_to_hf.sh', 'did you mean `--private`?']]],
    [['--keep=yes'], [[0, E, '`--keep=yes` is not an option of upload_to_hf.sh', 'did you mean `--keep`?']]],
    [
      ['--zzzzzzzzzzzz'],
      [
        [
          0,
          E,
          '`--zzzzzzzzzzzz` is not an option of upload_to_hf.sh',
          'its options: --num, --step, --namespace, --target-dir, --tmp-dir, --private, --public, --no-upload, --keep, --dry-run, -h, --help',
        ],
      ],
    ],
    [
      ['-h'],
      [
        [
          0,
          E,
          '`-h` would make the upload job print the help of upload_to_hf.sh and upload nothing',
          'remove it',
        ],
      ],
    ],
    [
      ['--dry-run'],
      [
        [
          0,
          'warning',
          'with `--dry-run` the upload job only prints the commands; it converts and uploads nothing',
          'remove it once the commands look right',
        ],
      ],
    ],
    [
      ['--public', '--private'],
      [[1, E, '`--private` and `--public` exclude each other', 'keep one of them']],
    ],
    [
      ['--private', '--public'],
      [[1, E, '`--public` and `--private` exclude each other', 'keep one of them']],
    ],
    [['--keep', '--num'], [[1, E, '`--num` needs a value', 'e.g. `--num`, "3"']]],
    [['--namespace'], [[0, E, '`--namespace` needs a value', undefined]]],
    [
      ['--num', '3', '--keep', '--num=4'],
      [[3, E, '`--num` is given twice; upload_to_hf.sh takes it once', 'remove one of them']],
    ],
    [['--num', '0'], [[1, E, '`--num` must be a positive whole number, got `0`', 'e.g. `--num`, "3"']]],
    [['--num', '1x'], [[1, E, '`--num` must be a positive whole number, got `1x`', 'e.g. `--num`, "3"']]],
    [['--num', 'x1'], [[1, E, '`--num` must be a positive whole number, got `x1`', 'e.g. `--num`, "3"']]],
    [
      ['--step', '1234567890123456789'],
      [[1, E, '`--step` must be a positive whole number, got `1234567890123456789`', 'e.g. `--step`, "3"']],
    ],
    ...['a--b', 'a-', '-a', 'a b'].map((ns): [string[], [number, string, string, string | undefined][]] => [
      ['--namespace', ns],
      [
        [
          1,
          E,
          `\`--namespace\` must be letters and digits with single \`.\`, \`_\` or \`-\` between them, got \`${ns}\``,
          'e.g. my-org',
        ],
      ],
    ]),
    [['--target-dir='], [[0, E, '`--target-dir` needs a folder, got nothing', undefined]]],
    [
      ['--tmp-dir', '-x'],
      [
        [
          1,
          E,
          '`--tmp-dir` needs a folder, got the option-like `-x`',
          'write ./-x for a folder of that name',
        ],
      ],
    ],
    [
      ['--num', '3', '--step', '100'],
      [[2, E, '`--num` and `--step` exclude each other', 'keep one of them']],
    ],
    [
      ['--step=100', '--keep', '--num=3'],
      [[2, E, '`--num` and `--step` exclude each other', 'keep one of them']],
    ],
  ])('%j', (args, expected) => {
    expect(uploadArgsProblems(args).map((p) => [p.index, p.severity, p.message, p.suggestion])).toEqual(
      expected,
    )
  })
})
