import { spawnSync } from 'node:child_process'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { compileDir, REPO } from './helpers/compile-repo.js'
import {
  cancelJobs,
  ensureCluster,
  jobInfo,
  needTestCluster,
  STUBS,
  waitFor,
  waitJob,
} from './helpers/slurm.js'
import { hasTool } from './helpers/tools.js'

/**
 * The generated batch files on a real Slurm (test/slurm/slurm-local.sh: two fake nodes of 8 GPUs), with
 * stubs first on PATH in every job instead of VERL and Ray (test/slurm/stubs/). Skipped without Slurm on a
 * laptop; under CI=true a missing sbatch fails (.ci/run starts the cluster). The tests of 2-node jobs need
 * that two-node test cluster: on another Slurm (a laptop's one node) they skip, saying so (`needTestCluster`).
 */
const slurm = hasTool('sbatch')

interface Workspace {
  /** Where sbatch runs: the jobs' working directory and their relative log files. */
  readonly dir: string
  readonly state: string
  readonly checkpoints: string
  /** Compiled fixtures (test/slurm/fixtures), when asked for. */
  readonly out: string
  readonly env: NodeJS.ProcessEnv
}

/** A call of the stub trainer: its node, restart count, RAY_ADDRESS and argv. */
interface TrainerCall {
  readonly file: string
  readonly node: string
  readonly restart: string
  readonly rayAddress: string
  readonly args: string[]
  readonly resumed?: string
  /** `TERM` when the stub trainer was sent SIGTERM. */
  readonly signal?: string
}

/** Processes started for this workspace (their environment names its stub state folder), as "PID ARGV". */
function processesOf(ws: { readonly state: string }): string[] {
  const mark = `STUB_STATE=${ws.state}`
  const found: string[] = []
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(mark)) continue
      found.push(
        `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ').slice(0, 120)}`,
      )
    } catch {
      // the process ended meanwhile
    }
  }
  return found
}

describe.runIf(slurm)('Slurm batch files on a real local cluster', () => {
  const submitted = new Set<string>()
  beforeAll(() => ensureCluster())
  afterAll(() => cancelJobs(submitted))

  const fixtures = compileDir('test/slurm/fixtures')
  const track = new WeakMap<Workspace, Set<string>>()

  /**
   * A temp folder whose scripts folder (FINQA_SCRIPTS_DIR) holds the launch scripts of `source` and the
   * stub upload_to_hf.sh; jobs write checkpoints and stub records below it.
   */
  function workspace(source: 'dist-scripts' | 'fixtures', extraEnv: Record<string, string> = {}): Workspace {
    const dir = mkdtempSync(join(tmpdir(), 'finqa-slurm-'))
    const ids = new Set<string>()
    onTestFinished(() => {
      cancelJobs([...submitted].filter((id) => ids.has(id)))
      rmSync(dir, { recursive: true, force: true })
    })
    const out = join(dir, 'out')
    for (const file of fixtures.files) {
      mkdirSync(dirname(join(out, file.path)), { recursive: true })
      writeFileSync(join(out, file.path), file.content, { mode: file.mode })
    }
    const scripts = join(dir, 'scripts')
    mkdirSync(scripts)
    const from = source === 'fixtures' ? out : join(REPO, 'dist-scripts')
    // Never link upload_to_hf.sh: copying the stub over a link would overwrite the real file it points to.
    for (const f of readdirSync(from).filter((n) => n.endsWith('.sh') && n !== 'upload_to_hf.sh'))
      symlinkSync(join(from, f), join(scripts, f))
    copyFileSync(join(STUBS, 'upload_to_hf.sh'), join(scripts, 'upload_to_hf.sh'))
    const ws: Workspace = {
      dir,
      state: join(dir, 'state'),
      checkpoints: join(dir, 'ck'),
      out,
      env: {
        ...process.env,
        PATH: `${STUBS}:${process.env.PATH ?? '/usr/bin:/bin'}`,
        STUB_STATE: join(dir, 'state'),
        FINQA_SCRIPTS_DIR: scripts,
        FINQA_SKIP_PREFLIGHT: '1',
        CHECKPOINT_ROOT: join(dir, 'ck'),
        // The fake nodes' name resolves to 127.0.0.1 only, which a multi-node job refuses.
        STUB_HOST_IPS: '192.0.2.10',
        ...extraEnv,
      },
    }
    track.set(ws, ids)
    return ws
  }
  const remember = (ws: Workspace, id: string) => {
    submitted.add(id)
    track.get(ws)?.add(id)
  }

  /** sbatch FILE from the workspace (creating logs/ first, as submit_all.sh would). */
  function sbatch(
    ws: Workspace,
    file: string,
    args: string[] = [],
    { cwd = ws.dir, env = ws.env, jobArgs = [] as string[] } = {},
  ): string {
    mkdirSync(join(cwd, 'logs'), { recursive: true })
    const r = spawnSync('sbatch', ['--parsable', ...args, file, ...jobArgs], { cwd, env, encoding: 'utf8' })
    expect(r.stderr, `sbatch ${file}`).toBe('')
    expect(r.status).toBe(0)
    const id = r.stdout.trim().split(';')[0] as string
    expect(id).toMatch(/^\d+$/)
    remember(ws, id)
    return id
  }

  /** Runs submit_all.sh; returns its job lines as { experiment: { train, upload } }. */
  function submitAll(ws: Workspace, args: string[]): Record<string, Record<string, string>> {
    const r = spawnSync('bash', [join(ws.out, 'slurm', 'submit_all.sh'), ...args], {
      cwd: ws.dir,
      env: ws.env,
      encoding: 'utf8',
    })
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    const jobs: Record<string, Record<string, string>> = {}
    for (const line of r.stdout.trim().split('\n')) {
      const [name, kind, id] = line.split(' ') as [string, string, string]
      expect(id).toMatch(/^\d+$/)
      remember(ws, id)
      jobs[name] = { ...jobs[name], [kind]: id }
    }
    return jobs
  }

  function trainerCalls(ws: Workspace): TrainerCall[] {
    const dir = join(ws.state, 'calls')
    if (!existsSync(dir)) return []
    return readdirSync(dir)
      .filter((f) => !f.endsWith('.tmp'))
      .sort()
      .map((file) => {
        const lines = readFileSync(join(dir, file), 'utf8').trim().split('\n')
        const field = (k: string) => lines.find((l) => l.startsWith(`${k}=`))?.slice(k.length + 1)
        return {
          file,
          node: field('node') ?? '',
          restart: field('restart') ?? '',
          rayAddress: field('ray_address') ?? '',
          args: lines.filter((l) => l.startsWith('arg=')).map((l) => l.slice(4)),
          resumed: field('resumed'),
          signal: field('signal'),
        }
      })
  }

  /** The job log matching `pattern`, in the workspace or its logs/ (the fixtures' `output`). */
  const logOf = (ws: Workspace, pattern: RegExp): string => {
    for (const dir of [ws.dir, join(ws.dir, 'logs')]) {
      const name = existsSync(dir) ? readdirSync(dir).find((f) => pattern.test(f)) : undefined
      if (name !== undefined) return readFileSync(join(dir, name), 'utf8')
    }
    throw new Error(`no log matching ${pattern}`)
  }
  /** The value of `key=` in the trainer's argv, a Hydra-quoted string unquoted (the scripts' strings hold no quotes). */
  const argOf = (call: TrainerCall | undefined, key: string) =>
    call?.args
      .find((a) => a.startsWith(`${key}=`))
      ?.slice(key.length + 1)
      .replace(/^(['"])(.*)\1$/s, '$2')

  it('every generated batch file is accepted by sbatch and runs to COMPLETED', async () => {
    const ws = workspace('dist-scripts')
    const dir = join(REPO, 'dist-scripts', 'slurm')
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.sbatch'))
      .sort()
    expect(files).toHaveLength(16)
    const ids = new Map(files.map((f) => [f, sbatch(ws, join(dir, f))]))
    for (const [file, id] of ids) {
      const info = await waitJob(id)
      expect(`${file} ${info.JobState} ${info.ExitCode}`).toBe(`${file} COMPLETED 0:0`)
    }
    const calls = trainerCalls(ws)
    expect(calls).toHaveLength(8)
    for (const call of calls) {
      expect(call.args.slice(0, 2)).toEqual(['-m', 'verl.trainer.main_ppo'])
      expect(argOf(call, 'trainer.resume_mode')).toBe('auto')
      expect(argOf(call, 'ray_kwargs.ray_init.num_cpus')).toBe('32')
      expect(argOf(call, 'trainer.default_local_dir')).toBe(
        join(ws.checkpoints, argOf(call, 'trainer.experiment_name') ?? '?'),
      )
    }
    const uploads = readdirSync(join(ws.state, 'uploads')).map((f) =>
      readFileSync(join(ws.state, 'uploads', f), 'utf8').trim(),
    )
    expect(uploads.sort()).toEqual(calls.map((c) => argOf(c, 'trainer.default_local_dir')).sort() as string[])
    expect(logOf(ws, /^slurm-qwen3_4b_default-\d+\.out$/)).toContain('restart count 0')
  })

  it('submit_all.sh submits the training job and an upload job that waits for it', async () => {
    const ws = workspace('fixtures', { STUB_SLEEP: '3' })
    const jobs = submitAll(ws, ['one_node'])
    const { train, upload } = jobs.one_node ?? {}
    expect(Object.keys(jobs)).toEqual(['one_node'])
    await waitFor('the training job to run', () => jobInfo(train as string).JobState === 'RUNNING')
    expect(jobInfo(upload as string)).toMatchObject({ JobState: 'PENDING', Reason: 'Dependency' })
    const trained = await waitJob(train as string)
    const uploaded = await waitJob(upload as string)
    expect([trained.JobState, uploaded.JobState]).toEqual(['COMPLETED', 'COMPLETED'])
    expect((uploaded.StartTime ?? '') >= (trained.EndTime ?? '~')).toBe(true)
    expect(
      readFileSync(join(ws.state, 'uploads', upload as string), 'utf8')
        .trim()
        .split('\n'),
    ).toEqual([join(ws.checkpoints, 'one_node'), '--num', '2'])
    expect(logOf(ws, /^one_node-upload-\d+\.out$/)).toContain(`uploading ${join(ws.checkpoints, 'one_node')}`)
  })

  it('the upload job is cancelled when training fails', async () => {
    const ws = workspace('fixtures', { STUB_EXIT: '5' })
    const { train, upload } = submitAll(ws, ['run_one_node']).one_node ?? {}
    const trained = await waitJob(train as string)
    expect([trained.JobState, trained.ExitCode]).toEqual(['FAILED', '5:0'])
    const uploaded = await waitJob(upload as string, 30)
    expect(uploaded.JobState).toBe('CANCELLED')
    expect(existsSync(join(ws.state, 'uploads'))).toBe(false)
  })

  it('a 2-node experiment starts the Ray head and a worker on both nodes, then the trainer on the head', async ({
    skip,
  }) => {
    needTestCluster(skip)
    const ws = workspace('fixtures')
    const id = sbatch(ws, join(ws.out, 'slurm', 'run_two_nodes.sbatch'))
    const info = await waitJob(id)
    expect([info.JobState, info.ExitCode, info.NodeList]).toEqual(['COMPLETED', '0:0', 'node[1-2]'])
    const ray = readFileSync(join(ws.state, 'ray', 'calls'), 'utf8')
      .trim()
      .split('\n')
    expect(ray).toHaveLength(2)
    expect(ray[0]).toMatch(
      /^node1 start --head --node-ip-address=(\S+) --port=6379 --num-cpus=4 --num-gpus=8 --block$/,
    )
    const ip = /--node-ip-address=(\S+)/.exec(ray[0] ?? '')?.[1]
    expect(ray[1]).toBe(`node2 start --address=${ip}:6379 --num-cpus=4 --num-gpus=8 --block`)
    const calls = trainerCalls(ws)
    expect(calls).toHaveLength(1)
    expect(calls[0]).toMatchObject({ node: 'node1', rayAddress: `${ip}:6379` })
    expect(argOf(calls[0], 'trainer.nnodes')).toBe('2')
    expect(argOf(calls[0], 'ray_kwargs.ray_init.num_cpus')).toBeUndefined()
    expect(logOf(ws, /^two_nodes-\d+\.out$/)).toContain(`Ray cluster at ${ip}:6379: 2 node(s), 16 GPU(s)`)
  })

  it('a 2-node job ends Ray with its own shutdown (SIGTERM to ray start --block) on each node, with a clean log', async ({
    skip,
  }) => {
    needTestCluster(skip)
    const ws = workspace('fixtures')
    const id = sbatch(ws, join(ws.out, 'slurm', 'run_two_nodes.sbatch'))
    const info = await waitJob(id)
    expect([info.JobState, info.ExitCode]).toEqual(['COMPLETED', '0:0'])
    expect(
      readdirSync(join(ws.state, 'ray'))
        .filter((f) => f.startsWith('stopped-'))
        .sort(),
    ).toEqual(['stopped-head-node1', 'stopped-worker-node2'])
    const log = logOf(ws, /^two_nodes-\d+\.out$/)
    expect(log).toContain('stopping Ray on node1 node2')
    expect(log).toContain('stopped the Ray head (exit status 1)')
    expect(log).toContain('stopped the Ray worker (exit status 1)')
    expect(log).not.toMatch(/CANCELLED|Killed|Terminated|srun: error|slurmstepd|error:/)
    await waitFor('no process of the job left', () => processesOf(ws).length === 0, 10)
  })

  it('the Ray head address is the IPv4 one when hostname lists IPv6 first, and a bracketed IPv6 one when it is alone', async ({
    skip,
  }) => {
    needTestCluster(skip)
    for (const [ips, nodeIp, address] of [
      ['fe80::1 fd00::2 192.0.2.7', '192.0.2.7', '192.0.2.7:6379'],
      ['fe80::1 fd00::2', 'fd00::2', '[fd00::2]:6379'],
    ] as const) {
      const ws = workspace('fixtures', { STUB_HOST_IPS: ips })
      const info = await waitJob(sbatch(ws, join(ws.out, 'slurm', 'run_two_nodes.sbatch')))
      expect([ips, info.JobState]).toEqual([ips, 'COMPLETED'])
      expect(
        readFileSync(join(ws.state, 'ray', 'calls'), 'utf8')
          .trim()
          .split('\n'),
      ).toEqual([
        `node1 start --head --node-ip-address=${nodeIp} --port=6379 --num-cpus=4 --num-gpus=8 --block`,
        `node2 start --address=${address} --num-cpus=4 --num-gpus=8 --block`,
      ])
      expect(trainerCalls(ws).map((c) => c.rayAddress)).toEqual([address])
    }
  })

  it('a multi-node job whose head has only loopback addresses fails before starting Ray, naming the addresses', async ({
    skip,
  }) => {
    needTestCluster(skip)
    const ws = workspace('fixtures', { STUB_HOST_IPS: '127.0.1.1 ::1' })
    const info = await waitJob(sbatch(ws, join(ws.out, 'slurm', 'run_two_nodes.sbatch')))
    expect([info.JobState, info.ExitCode]).toEqual(['FAILED', '1:0'])
    expect(logOf(ws, /^two_nodes-\d+\.out$/)).toContain(
      'error: no address of node1 that the other nodes can reach: 127.0.1.1 ::1; list the node',
    )
    expect(existsSync(join(ws.state, 'ray'))).toBe(false)
    expect(trainerCalls(ws)).toEqual([])
  })

  it('a node whose python3 cannot import ray fails the job at once with the import error, not after the join timeout', async ({
    skip,
  }) => {
    needTestCluster(skip)
    const ws = workspace('fixtures', { STUB_NO_RAY: '1', RAY_JOIN_TIMEOUT: '600' })
    const info = await waitJob(sbatch(ws, join(ws.out, 'slurm', 'run_two_nodes.sbatch')), 40)
    expect([info.JobState, info.ExitCode]).toEqual(['FAILED', '1:0'])
    const log = logOf(ws, /^two_nodes-\d+\.out$/)
    expect(log).toContain(
      `error: the readiness check cannot run: python3 on ${hostname()} cannot import ray (ModuleNotFoundError: No module named 'ray')`,
    )
    expect(log).not.toContain('timed out')
    expect(trainerCalls(ws)).toEqual([])
  })

  it('a readiness check that keeps failing times out naming its last error', async ({ skip }) => {
    needTestCluster(skip)
    const ws = workspace('fixtures', {
      STUB_PROBE_ERROR: 'ConnectionError: GCS at 192.0.2.10:6379 did not answer',
      RAY_JOIN_TIMEOUT: '3',
    })
    const info = await waitJob(sbatch(ws, join(ws.out, 'slurm', 'run_two_nodes.sbatch')))
    expect([info.JobState, info.ExitCode]).toEqual(['FAILED', '1:0'])
    expect(logOf(ws, /^two_nodes-\d+\.out$/)).toContain(
      'error: timed out after 3s waiting for the Ray cluster at 192.0.2.10:6379: 0 of 1 node(s) and 0 of 8 GPU(s) joined; the last check said: ConnectionError: GCS at 192.0.2.10:6379 did not answer',
    )
  })

  it('a Ray cluster that never fills up fails the job with a clear error, without training', async ({
    skip,
  }) => {
    needTestCluster(skip)
    const ws = workspace('fixtures', { STUB_RAY_WORKER_FAIL: '1', RAY_JOIN_TIMEOUT: '3' })
    const id = sbatch(ws, join(ws.out, 'slurm', 'run_two_nodes.sbatch'))
    const info = await waitJob(id)
    expect([info.JobState, info.ExitCode]).toEqual(['FAILED', '1:0'])
    expect(logOf(ws, /^two_nodes-\d+\.out$/)).toMatch(
      /error: timed out after 3s waiting for the Ray cluster at \S+:6379: 1 of 2 node\(s\) and 8 of 16 GPU\(s\) joined/,
    )
    expect(trainerCalls(ws)).toEqual([])
  })

  it('a job requeued mid-run stops its trainer first (no process of the first run is left), then restarts with resume_mode=auto and the same checkpoint folder', async () => {
    const ws = workspace('fixtures', { STUB_MODE: 'checkpoint' })
    const id = sbatch(ws, join(ws.out, 'slurm', 'run_one_node.sbatch'))
    await waitFor('the first checkpoint', () => existsSync(join(ws.state, 'checkpointed')))
    // What Slurm does requeue_signal_seconds before the time limit (--signal=B:USR1@N).
    const signal = spawnSync('scancel', ['--batch', '--signal=USR1', id], { encoding: 'utf8' })
    expect(signal.status).toBe(0)
    const info = await waitJob(id, 90)
    expect([info.JobState, info.ExitCode, info.Restarts]).toEqual(['COMPLETED', '0:0', '1'])
    const calls = trainerCalls(ws)
    expect(calls.map((c) => [c.restart, argOf(c, 'trainer.resume_mode'), c.signal, c.resumed])).toEqual([
      ['0', 'auto', 'TERM', undefined],
      ['1', 'auto', undefined, '1'],
    ])
    const dirs = calls.map((c) => argOf(c, 'trainer.default_local_dir'))
    expect(dirs).toEqual([join(ws.checkpoints, 'one_node'), join(ws.checkpoints, 'one_node')])
    const log = logOf(ws, /^one_node-\d+\.out$/)
    expect(log).toContain('USR1: the time limit is near; stopping this run and requeueing job')
    expect(log).toContain('restart count 0')
    expect(log).toContain('restart count 1')
    expect(log).toContain('stub trainer: resumed from step 1')
    const stopped = log.indexOf('stopped the trainer (exit status 143)')
    expect(stopped).toBeGreaterThan(log.indexOf('USR1'))
    expect(stopped).toBeLessThan(log.indexOf('restart count 1'))
    // The stub trainer leaves its child (a sleep) behind when it exits on SIGTERM: that is killed too.
    await waitFor('no process of the job left', () => processesOf(ws).length === 0, 10).catch(() => {
      expect(processesOf(ws)).toEqual([])
    })
  })

  it('a trainer that ignores SIGTERM is killed STOP_TIMEOUT seconds later, before the job requeues', async () => {
    const ws = workspace('fixtures', { STUB_MODE: 'checkpoint', STUB_IGNORE_TERM: '1', STOP_TIMEOUT: '2' })
    const id = sbatch(ws, join(ws.out, 'slurm', 'run_one_node.sbatch'))
    await waitFor('the first checkpoint', () => existsSync(join(ws.state, 'checkpointed')))
    expect(spawnSync('scancel', ['--batch', '--signal=USR1', id]).status).toBe(0)
    const info = await waitJob(id, 90)
    expect([info.JobState, info.Restarts]).toEqual(['COMPLETED', '1'])
    const log = logOf(ws, /^one_node-\d+\.out$/)
    expect(log).toContain('the trainer (pid')
    expect(log).toContain('did not stop within 2s of SIGTERM: SIGKILL')
    expect(log).toContain('stopped the trainer (exit status 137)')
    await waitFor('no process of the job left', () => processesOf(ws).length === 0, 10).catch(() => {
      expect(processesOf(ws)).toEqual([])
    })
  })

  it('a requeued 2-node job stops its trainer, then Ray on both nodes, and resumes on a new Ray cluster', async ({
    skip,
  }) => {
    needTestCluster(skip)
    const ws = workspace('fixtures', { STUB_MODE: 'checkpoint' })
    const id = sbatch(ws, join(ws.out, 'slurm', 'run_two_nodes.sbatch'))
    await waitFor('the first checkpoint', () => existsSync(join(ws.state, 'checkpointed')))
    expect(spawnSync('scancel', ['--batch', '--signal=USR1', id]).status).toBe(0)
    const info = await waitJob(id, 90)
    expect([info.JobState, info.ExitCode, info.Restarts]).toEqual(['COMPLETED', '0:0', '1'])
    expect(trainerCalls(ws).map((c) => [c.node, c.restart, c.signal, c.resumed])).toEqual([
      ['node1', '0', 'TERM', undefined],
      ['node1', '1', undefined, '1'],
    ])
    const log = logOf(ws, /^two_nodes-\d+\.out$/)
    const order = [
      'USR1',
      'stopped the trainer',
      'stopping Ray on node1 node2',
      'stopped the Ray head',
      'restart count 1',
    ]
    const at = order.map((s) => log.indexOf(s))
    expect(at.every((i) => i >= 0)).toBe(true)
    expect([...at].sort((a, b) => a - b)).toEqual(at)
    expect(log).not.toMatch(/Killed|srun: error/)
    await waitFor('no process of the job left', () => processesOf(ws).length === 0, 10).catch(() => {
      expect(processesOf(ws)).toEqual([])
    })
  })

  it('batch files find their scripts beside their slurm/ folder: sbatch OUT/slurm/FILE works from another folder', async () => {
    const ws = workspace('fixtures')
    const { FINQA_SCRIPTS_DIR: _unused, ...env } = ws.env
    copyFileSync(join(STUBS, 'upload_to_hf.sh'), join(ws.out, 'upload_to_hf.sh'))
    const elsewhere = join(ws.dir, 'elsewhere')
    mkdirSync(elsewhere)
    const train = sbatch(ws, join(ws.out, 'slurm', 'run_one_node.sbatch'), [], {
      cwd: elsewhere,
      env,
      jobArgs: ['+trainer.extra=a b'],
    })
    // A relative path with --chdir: Slurm's Command= is then relative to the submit folder.
    mkdirSync(join(ws.dir, 'logs'))
    const upload = sbatch(ws, join('..', 'out', 'slurm', 'run_one_node.upload.sbatch'), ['--chdir', ws.dir], {
      cwd: elsewhere,
      env,
    })
    for (const id of [train, upload]) expect((await waitJob(id)).JobState).toBe('COMPLETED')
    const calls = trainerCalls(ws)
    expect(calls).toHaveLength(1)
    expect(calls[0]?.args.at(-1)).toBe('+trainer.extra=a b')
    expect(readFileSync(join(ws.state, 'uploads', upload), 'utf8')).toBe(
      `${join(ws.checkpoints, 'one_node')}\n--num\n2\n`,
    )
  })

  it('a request the cluster cannot satisfy is rejected by sbatch, and the compiler warned about it', () => {
    const warnings = fixtures.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.severity} ${d.code}`)
    expect(warnings).toEqual(['test/slurm/fixtures/too-many-gpus.yaml:7:18 warning SLURM_LIMIT'])
    const ws = workspace('fixtures')
    const r = spawnSync('sbatch', ['--parsable', join(ws.out, 'slurm', 'run_too_many_gpus.sbatch')], {
      cwd: ws.dir,
      env: ws.env,
      encoding: 'utf8',
    })
    if (r.status === 0) remember(ws, r.stdout.trim())
    expect(r.status).not.toBe(0)
    expect(r.stderr).toContain('Requested node configuration is not available')
  })
})
