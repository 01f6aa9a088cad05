import { describe, expect, it } from 'vitest'
import type { Experiment } from '../../src/generated/experiment.js'
import { slurmViewOf, submitViewOf, uploadJobViewOf } from '../../src/render/render-slurm.js'
import { compileOnSlurmBase } from '../helpers/compile-repo.js'

/** The experiment `x` of the Slurm fixtures' base plus this layer, compiled without errors. */
function experimentOf(layer: string, name = 'x', script = 'run_x.sh'): Experiment {
  const result = compileOnSlurmBase(layer, name, script)
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
  const [compiled] = result.experiments
  if (compiled === undefined) throw new Error('no experiment')
  return compiled.experiment
}

describe('slurmViewOf: the view of a training batch file', () => {
  it('writes every #SBATCH option set, sorted by name: a true option as a flag, a false one left out, values quoted', () => {
    const e = experimentOf(
      [
        'slurm:',
        '  partition: gpu',
        '  account: lab',
        '  qos: high',
        '  gpu_type: a100',
        '  job_name: my-job',
        '  error: logs/%x-%j.err',
        '  constraint: ib',
        '  cpus_per_task: 32',
        '  memory: 200G',
        '  time_limit: 5-00:00:00',
        '  requeue_signal_seconds: 100',
        '  sbatch_options:',
        '    comment: my run',
        '    exclusive: true',
        '    hold: false',
        '    mail-type: END',
        '',
      ].join('\n'),
    )
    const view = slurmViewOf(e, ['experiments/base.yaml', 'experiments/x.yaml'], 'experiments')
    expect(view.directives).toEqual([
      '--account=lab',
      '--comment="my run"',
      '--constraint=ib',
      '--cpus-per-task=32',
      '--error=logs/%x-%j.err',
      '--exclusive',
      '--export=ALL',
      '--gpus-per-node=a100:8',
      '--job-name=my-job',
      '--mail-type=END',
      '--mem=200G',
      '--nodes=1',
      '--ntasks-per-node=1',
      '--open-mode=append',
      '--output=slurm-%x-%j.out',
      '--partition=gpu',
      '--qos=high',
      '--requeue',
      '--signal=B:USR1@100',
      '--time=5-00:00:00',
    ])
    expect(view).toMatchObject({
      file: 'run_x.sbatch',
      stem: 'run_x',
      script: 'run_x.sh',
      name: 'x',
      description: '',
      sources: ['experiments/base.yaml', 'experiments/x.yaml'],
      specDir: 'experiments',
      nodes: 1,
      gpusPerNode: 8,
      multiNode: false,
      signalLead: 100,
      // A third of the lead, rounded down.
      stopTimeout: 33,
      rayPort: 6379,
      joinTimeout: 600,
    })
  })

  it('stops the trainer within a third of the signal lead, but never waits more than 60 seconds', () => {
    expect(slurmViewOf(experimentOf(''), [], 'experiments').stopTimeout).toBe(60)
    expect(
      slurmViewOf(experimentOf('slurm:\n  requeue_signal_seconds: 180\n'), [], 'experiments').stopTimeout,
    ).toBe(60)
    expect(
      slurmViewOf(experimentOf('slurm:\n  requeue_signal_seconds: 182\n'), [], 'experiments').stopTimeout,
    ).toBe(60)
    expect(
      slurmViewOf(experimentOf('slurm:\n  requeue_signal_seconds: 179\n'), [], 'experiments').stopTimeout,
    ).toBe(59)
  })

  it('a multi-node job names its nodes, its Ray port and join timeout, quoted defaults for the run-time settings', () => {
    const e = experimentOf(
      'description: two nodes\ntrainer:\n  nodes: 2\n  checkpoint_root: /ckpt/~runs\nslurm:\n  ray:\n    port: 7000\n    join_timeout_seconds: 120\n',
      'x2',
    )
    expect(slurmViewOf(e, [], 'specs')).toMatchObject({
      description: 'two nodes',
      specDir: 'specs',
      nodes: 2,
      multiNode: true,
      rayPort: 7000,
      joinTimeout: 120,
      checkpointRoot: "'/ckpt/~runs'",
      experimentName: 'x2',
    })
    expect(slurmViewOf(e, [], 'specs').directives).toContain('--nodes=2')
  })
})

describe('uploadJobViewOf: the view of an upload batch file', () => {
  it('names the job after the training job, with its own resources and time, and the arguments as shell words', () => {
    const e = experimentOf(
      "slurm:\n  job_name: train\n  partition: cpu\n  upload:\n    enabled: true\n    cpus_per_task: 8\n    memory: 64G\n    time_limit: '2:00:00'\n    args: ['--num', '2', '--target-dir', '~/merged']\n",
    )
    expect(uploadJobViewOf(e, ['experiments/x.yaml'], 'experiments')).toEqual({
      file: 'run_x.upload.sbatch',
      trainFile: 'run_x.sbatch',
      name: 'x',
      sources: ['experiments/x.yaml'],
      specDir: 'experiments',
      directives: [
        '--cpus-per-task=8',
        '--export=ALL',
        '--job-name=train-upload',
        '--kill-on-invalid-dep=yes',
        '--mem=64G',
        '--nodes=1',
        '--ntasks=1',
        '--open-mode=append',
        '--output=slurm-%x-%j.out',
        '--partition=cpu',
        '--time=2:00:00',
      ],
      checkpointRoot: '/checkpoints',
      experimentName: 'x',
      args: ['--num', '2', '--target-dir', "'~/merged'"],
      uploadScript: 'upload_to_hf.sh',
    })
  })

  it('without a time limit of its own the upload job gets 4 hours, and no arguments', () => {
    const e = experimentOf('slurm:\n  upload:\n    enabled: true\n')
    const view = uploadJobViewOf(e, [], 'experiments')
    expect(view.directives).toContain('--time=04:00:00')
    expect(view.args).toEqual([])
  })
})

describe('submitViewOf: the view of submit_all.sh', () => {
  it('lists each experiment with its batch files, its upload file only when enabled, and the folders of its logs', () => {
    const a = experimentOf(
      'slurm:\n  output: logs/%x-%j.out\n  error: logs/err/%j.err\n  upload:\n    enabled: true\n',
      'a',
      'run_a.sh',
    )
    const b = experimentOf(
      'slurm:\n  output: logs/%u/x.out\n  error: b.err\n  upload:\n    enabled: false\n',
      'b',
      'run_b.sh',
    )
    const c = experimentOf(
      'slurm:\n  output: /abs.out\n  error: logs/c.err\n  upload:\n    enabled: true\n',
      'c',
      'run_c.sh',
    )
    const d = experimentOf('slurm:\n  output: z/o.out\n  error: a/e.err\n', 'd', 'run.sh_d.sh')
    expect(submitViewOf([d], 'experiments').experiments).toEqual([
      { name: 'd', stem: 'run.sh_d', trainFile: 'run.sh_d.sbatch', uploadFile: '', logDirs: ['a', 'z'] },
    ])
    expect(submitViewOf([a, b, c], 'experiments')).toEqual({
      specDir: 'experiments',
      experiments: [
        {
          name: 'a',
          stem: 'run_a',
          trainFile: 'run_a.sbatch',
          uploadFile: 'run_a.upload.sbatch',
          logDirs: ['logs', 'logs/err'],
        },
        { name: 'b', stem: 'run_b', trainFile: 'run_b.sbatch', uploadFile: '', logDirs: [] },
        {
          name: 'c',
          stem: 'run_c',
          trainFile: 'run_c.sbatch',
          uploadFile: 'run_c.upload.sbatch',
          logDirs: ['logs'],
        },
      ],
      names: 'run_a (a), run_b (b), run_c (c)',
    })
  })
})
