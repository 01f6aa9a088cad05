import { spawnSync } from 'node:child_process'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { tempDir } from './helpers/cli.js'
import { compileTexts, REPO, readRepoFile } from './helpers/compile-repo.js'
import { makeStubDir, runScript } from './helpers/run-script.js'
import { hasTool } from './helpers/tools.js'

const SCRIPT = join(REPO, 'dist-scripts', 'upload_to_hf.sh')
const NAME = 'qwen3_4b_default'
const TOKEN = 'hf_SECRETtoken123'

interface Tree {
  /** The folder holding the checkpoint folder and a temp folder for merges. */
  readonly root: string
  /** The checkpoint folder, CHECKPOINT_ROOT/EXP_NAME. */
  readonly dir: string
  /** TMPDIR for the script. */
  readonly tmp: string
}

/** A fake VERL checkpoint folder in the layout of NOTES.md "Checkpoints". */
function checkpoints(
  steps: readonly number[],
  options: {
    tracker?: string | null
    name?: string
    backend?: 'fsdp' | 'megatron'
    omit?: Record<number, 'actor' | 'fsdp_config.json' | 'huggingface' | 'dist_ckpt'>
  } = {},
): Tree {
  const root = tempDir('finqa-ckpt-')
  const dir = join(root, 'checkpoints', options.name ?? NAME)
  const tmp = join(root, 'tmp')
  mkdirSync(dir, { recursive: true })
  mkdirSync(tmp)
  for (const step of steps) {
    const stepDir = join(dir, `global_step_${step}`)
    mkdirSync(stepDir)
    writeFileSync(join(stepDir, 'data.pt'), '')
    const omit = options.omit?.[step]
    if (omit === 'actor') continue
    const actor = join(stepDir, 'actor')
    mkdirSync(actor)
    if (omit !== 'huggingface') {
      mkdirSync(join(actor, 'huggingface'))
      writeFileSync(join(actor, 'huggingface', 'config.json'), '{}')
    }
    if ((options.backend ?? 'fsdp') === 'fsdp') {
      if (omit !== 'fsdp_config.json') writeFileSync(join(actor, 'fsdp_config.json'), '{}')
      writeFileSync(join(actor, 'model_world_size_8_rank_0.pt'), '')
    } else if (omit !== 'dist_ckpt') {
      mkdirSync(join(actor, 'dist_ckpt'))
    }
  }
  const tracker = options.tracker === undefined ? String(Math.max(...steps)) : options.tracker
  if (tracker !== null) writeFileSync(join(dir, 'latest_checkpointed_iteration.txt'), tracker)
  return { root, dir, tmp }
}

function upload(tree: Tree, args: string[], env: Record<string, string> = {}, script = SCRIPT) {
  return runScript(script, { args, env: { TMPDIR: tree.tmp, HF_TOKEN: TOKEN, ...env } })
}

/** The merger call for one step, up to --target_dir (whose value the caller checks). */
const mergeHead = (dir: string, step: number, backend = 'fsdp') => [
  '-m',
  'verl.model_merger',
  'merge',
  '--backend',
  backend,
  '--local_dir',
  `${dir}/global_step_${step}/actor`,
  '--target_dir',
]

/** Checks a recorded upload call and returns its --target_dir. */
function expectUploadCall(
  call: string[] | undefined,
  tree: Tree,
  step: number,
  options: { namespace?: string; name?: string; private?: boolean; backend?: string } = {},
): string {
  expect(call).toBeDefined()
  const argv = call ?? []
  const name = options.name ?? NAME
  expect(argv.slice(0, 8)).toEqual(mergeHead(tree.dir, step, options.backend))
  const target = argv[8] ?? ''
  expect(target).toMatch(new RegExp(`^${tree.tmp}/finqa-merge-${name}_step-${step}\\.[A-Za-z0-9]{6}$`))
  expect(argv.slice(9)).toEqual([
    '--hf_upload_path',
    `${options.namespace ?? 'afeng'}/${name}_step-${step}`,
    ...(options.private ? ['--private'] : []),
  ])
  return target
}

describe('upload_to_hf.sh uploads checkpoints through the VERL model merger', () => {
  it('uploads the latest checkpoint, the step in latest_checkpointed_iteration.txt', () => {
    const tree = checkpoints([100, 200, 300], { tracker: '200\n' })
    const run = upload(tree, [tree.dir])
    expect(run.stderr).not.toContain('error')
    expect(run.status).toBe(0)
    expect(run.calls).toHaveLength(1)
    expectUploadCall(run.calls[0], tree, 200)
    expect(run.stderr).toContain('https://huggingface.co/afeng/qwen3_4b_default_step-200')
    // The merged model is removed after the upload.
    expect(readdirSync(tree.tmp)).toEqual([])
  })

  it('--num 2 uploads the last two checkpoints, oldest first', () => {
    const tree = checkpoints([100, 200, 300])
    const run = upload(tree, [tree.dir, '--num', '2'])
    expect(run.status).toBe(0)
    expect(run.calls).toHaveLength(2)
    expectUploadCall(run.calls[0], tree, 200)
    expectUploadCall(run.calls[1], tree, 300)
    expect(run.stderr).toMatch(/uploaded 2 of 2 checkpoint\(s\)/)
  })

  it('--num and --step need no tracker file', () => {
    const tree = checkpoints([100, 200], { tracker: null })
    expect(upload(tree, [tree.dir, '--num', '1']).calls.map((c) => c[6])).toEqual([
      `${tree.dir}/global_step_200/actor`,
    ])
    expect(upload(tree, [tree.dir, '--step=100']).calls.map((c) => c[6])).toEqual([
      `${tree.dir}/global_step_100/actor`,
    ])
  })

  it('--step 200 uploads that step', () => {
    const tree = checkpoints([100, 200, 300])
    const run = upload(tree, [tree.dir, '--step', '200'])
    expect(run.status).toBe(0)
    expect(run.calls).toHaveLength(1)
    expectUploadCall(run.calls[0], tree, 200)
  })

  it('--private makes the Hub repo private', () => {
    const tree = checkpoints([100])
    const run = upload(tree, ['--private', tree.dir])
    expect(run.status).toBe(0)
    expectUploadCall(run.calls[0], tree, 100, { private: true })
  })

  it('--namespace uploads under another namespace', () => {
    const tree = checkpoints([100])
    const run = upload(tree, [tree.dir, '--namespace', 'my-org'])
    expect(run.status).toBe(0)
    expectUploadCall(run.calls[0], tree, 100, { namespace: 'my-org' })
  })

  it('names the repo after the folder, whatever trailing slashes CKPT_DIR has', () => {
    const tree = checkpoints([100])
    for (const arg of [`${tree.dir}/`, `${tree.dir}//`]) {
      const run = upload(tree, [arg])
      expect(run.status).toBe(0)
      expectUploadCall(run.calls[0], tree, 100)
    }
  })

  it('takes a relative CKPT_DIR and names the repo after the folder', () => {
    const tree = checkpoints([100])
    const run = runScript(SCRIPT, {
      args: [`checkpoints/${NAME}/`],
      cwd: tree.root,
      env: { TMPDIR: tree.tmp, HF_TOKEN: TOKEN },
    })
    expect(run.status).toBe(0)
    expectUploadCall(run.calls[0], tree, 100)
  })

  it('orders steps 90, 100 and 1000 as numbers', () => {
    const tree = checkpoints([1000, 90, 100], { tracker: '1000' })
    const two = upload(tree, [tree.dir, '--num', '2'])
    expect(two.calls.map((c) => c[6])).toEqual([
      `${tree.dir}/global_step_100/actor`,
      `${tree.dir}/global_step_1000/actor`,
    ])
    const all = upload(tree, [tree.dir, '--num', '3'])
    expect(all.calls.map((c) => c[6])).toEqual([
      `${tree.dir}/global_step_90/actor`,
      `${tree.dir}/global_step_100/actor`,
      `${tree.dir}/global_step_1000/actor`,
    ])
    const latest = upload(tree, [tree.dir])
    expect(latest.calls.map((c) => c[6])).toEqual([`${tree.dir}/global_step_1000/actor`])
  })

  it('--num larger than the number of checkpoints takes them all, and says so', () => {
    const tree = checkpoints([100, 200])
    const run = upload(tree, [tree.dir, '--num', '5'])
    expect(run.status).toBe(0)
    expect(run.calls).toHaveLength(2)
    expect(run.stderr).toContain('asked for 5 checkpoints')
  })

  it('ignores folders that are not global_step_<N>', () => {
    const tree = checkpoints([100])
    mkdirSync(join(tree.dir, 'global_step_latest'))
    mkdirSync(join(tree.dir, 'global_step_0200'))
    writeFileSync(join(tree.dir, 'global_step_300'), '')
    const run = upload(tree, [tree.dir, '--num', '5'])
    expect(run.calls.map((c) => c[6])).toEqual([`${tree.dir}/global_step_100/actor`])
  })

  it('--no-upload --target-dir converts into DIR/<name>_step-<N>, needs no token, keeps the output', () => {
    const tree = checkpoints([100, 200])
    const out = join(tree.root, 'merged')
    const run = upload(tree, [tree.dir, '--num', '2', '--no-upload', '--target-dir', out], { HF_TOKEN: '' })
    expect(run.stderr).not.toContain('error')
    expect(run.status).toBe(0)
    expect(run.calls).toEqual([
      [...mergeHead(tree.dir, 100), `${out}/${NAME}_step-100`],
      [...mergeHead(tree.dir, 200), `${out}/${NAME}_step-200`],
    ])
    expect(existsSync(out)).toBe(true)
    expect(run.stderr).toMatch(/converted 2 of 2 checkpoint\(s\)/)
  })

  it('--no-upload without --target-dir converts into the current folder', () => {
    const tree = checkpoints([100])
    const run = runScript(SCRIPT, { args: [tree.dir, '--no-upload'], cwd: tree.root })
    expect(run.status).toBe(0)
    expect(run.calls).toEqual([[...mergeHead(tree.dir, 100), `${tree.root}/${NAME}_step-100`]])
  })

  it('--target-dir with an upload keeps the merged model there', () => {
    const tree = checkpoints([100])
    const out = join(tree.root, 'merged')
    const run = upload(tree, [tree.dir, '--target-dir', out])
    expect(run.status).toBe(0)
    expect(run.calls).toEqual([
      [...mergeHead(tree.dir, 100), `${out}/${NAME}_step-100`, '--hf_upload_path', `afeng/${NAME}_step-100`],
    ])
  })

  it('--dry-run prints the exact commands and runs nothing', () => {
    const tree = checkpoints([100, 200])
    const run = upload(tree, [tree.dir, '--num', '2', '--private', '--dry-run'])
    expect(run.status).toBe(0)
    expect(run.calls).toEqual([])
    expect(readdirSync(tree.tmp)).toEqual([])
    const lines = (step: number) => [
      `tmp=$(mktemp -d ${tree.tmp}/finqa-merge-${NAME}_step-${step}.XXXXXX)`,
      `python3 -m verl.model_merger merge --backend fsdp --local_dir ${tree.dir}/global_step_${step}/actor --target_dir "$tmp" --hf_upload_path afeng/${NAME}_step-${step} --private`,
      'rm -rf -- "$tmp"',
    ]
    expect(run.stdout).toBe(`${[...lines(100), ...lines(200)].join('\n')}\n`)
  })

  it('--dry-run --no-upload --target-dir prints the conversion commands', () => {
    const tree = checkpoints([100])
    const out = join(tree.root, 'merged')
    const run = upload(tree, [tree.dir, '--dry-run', '--no-upload', '--target-dir', out])
    expect(run.status).toBe(0)
    expect(run.calls).toEqual([])
    expect(existsSync(out)).toBe(false)
    expect(run.stdout).toBe(
      [
        `mkdir -p -- ${out}`,
        `python3 -m verl.model_merger merge --backend fsdp --local_dir ${tree.dir}/global_step_100/actor --target_dir ${out}/${NAME}_step-100`,
        '',
      ].join('\n'),
    )
  })

  it('the commands --dry-run prints run as they are', () => {
    const tree = checkpoints([100])
    const dry = upload(tree, [tree.dir, '--dry-run'])
    const stub = makeStubDir()
    const run = spawnSync('bash', ['-euc', dry.stdout], {
      encoding: 'utf8',
      env: { PATH: `${stub.bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: stub.dir, TMPDIR: tree.tmp },
    })
    expect(run.status).toBe(0)
    expect(stub.calls()).toHaveLength(1)
    expectUploadCall(stub.calls()[0], tree, 100)
    expect(readdirSync(tree.tmp)).toEqual([])
  })

  it('--keep keeps the temporary merged model and says where', () => {
    const tree = checkpoints([100])
    const run = upload(tree, [tree.dir, '--keep'])
    expect(run.status).toBe(0)
    const target = expectUploadCall(run.calls[0], tree, 100)
    expect(existsSync(target)).toBe(true)
    expect(run.stderr).toContain(`kept the merged model in ${target}`)
  })

  it('--tmp-dir and FINQA_MERGE_TMP choose where the temporary merge goes', () => {
    const tree = checkpoints([100])
    const big = join(tree.root, 'scratch')
    mkdirSync(big)
    for (const run of [
      upload(tree, [tree.dir, '--tmp-dir', big]),
      upload(tree, [tree.dir], { FINQA_MERGE_TMP: big }),
    ]) {
      expect(run.status).toBe(0)
      expect(run.calls[0]?.[8]).toMatch(new RegExp(`^${big}/finqa-merge-${NAME}_step-100\\.`))
    }
  })

  it('a failed step leaves its merged output, says where, and fails the run', () => {
    const tree = checkpoints([100])
    const run = upload(tree, [tree.dir], { STUB_EXIT: '3' })
    expect(run.status).toBe(1)
    const target = expectUploadCall(run.calls[0], tree, 100)
    expect(existsSync(target)).toBe(true)
    expect(run.stderr).toContain(`its output is left in ${target}`)
  })

  it('when one of several steps fails the others still run, with a summary and a non-zero exit', () => {
    const tree = checkpoints([100, 200, 300])
    const run = upload(tree, [tree.dir, '--num', '3'], { STUB_FAIL_ON: 'global_step_200/' })
    expect(run.status).toBe(1)
    expect(run.calls).toHaveLength(3)
    expectUploadCall(run.calls[0], tree, 100)
    const failed = expectUploadCall(run.calls[1], tree, 200)
    expectUploadCall(run.calls[2], tree, 300)
    expect(run.stderr).toContain(
      [
        'upload_to_hf.sh: uploaded 2 of 3 checkpoint(s)',
        `upload_to_hf.sh:   step 100: https://huggingface.co/afeng/${NAME}_step-100`,
        `upload_to_hf.sh:   step 300: https://huggingface.co/afeng/${NAME}_step-300`,
        'upload_to_hf.sh: FAILED 1 of 3 checkpoint(s)',
        `upload_to_hf.sh:   step 200: the merger exited with 1; its output is left in ${failed}`,
      ].join('\n'),
    )
    expect(readdirSync(tree.tmp)).toEqual([failed.slice(tree.tmp.length + 1)])
  })

  describe('finqa-uploads.jsonl: each completed upload is recorded in the checkpoint folder (issue 19)', () => {
    const recorded = (dir: string) =>
      readFileSync(join(dir, 'finqa-uploads.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>)

    it('one line per uploaded step: step, repository, private, time, host and user; appended', () => {
      const tree = checkpoints([100, 200, 300])
      const first = upload(tree, [tree.dir, '--step', '100'], { HOSTNAME: 'login1', USER: 'alice' })
      expect(first.status, first.stderr).toBe(0)
      const run = upload(tree, [tree.dir, '--num', '2', '--private'], { HOSTNAME: 'login1', USER: 'alice' })
      expect(run.status, run.stderr).toBe(0)
      const lines = recorded(tree.dir)
      expect(lines.map(({ uploaded, ...rest }) => rest)).toEqual([
        {
          record: 'upload',
          step: 100,
          repo: `afeng/${NAME}_step-100`,
          private: false,
          host: 'login1',
          user: 'alice',
        },
        {
          record: 'upload',
          step: 200,
          repo: `afeng/${NAME}_step-200`,
          private: true,
          host: 'login1',
          user: 'alice',
        },
        {
          record: 'upload',
          step: 300,
          repo: `afeng/${NAME}_step-300`,
          private: true,
          host: 'login1',
          user: 'alice',
        },
      ])
      for (const l of lines)
        expect(Math.abs(Date.parse(String(l.uploaded)) - Date.now())).toBeLessThan(120_000)
      expect(readFileSync(join(tree.dir, 'finqa-uploads.jsonl'), 'utf8')).not.toContain(TOKEN)
    })

    it('a failed step, a conversion without upload and a dry run record nothing', () => {
      const tree = checkpoints([100, 200])
      expect(upload(tree, [tree.dir, '--num', '2'], { STUB_FAIL_ON: 'global_step_200/' }).status).toBe(1)
      expect(recorded(tree.dir).map((l) => l.step)).toEqual([100])
      const other = checkpoints([100])
      expect(upload(other, [other.dir, '--no-upload', '--target-dir', join(other.root, 'm')]).status).toBe(0)
      expect(upload(other, [other.dir, '--dry-run']).status).toBe(0)
      expect(existsSync(join(other.dir, 'finqa-uploads.jsonl'))).toBe(false)
    })
  })

  describe('the Hub token', () => {
    it('comes from a token file at $HF_HOME/token', () => {
      const tree = checkpoints([100])
      const home = join(tree.root, 'hf')
      mkdirSync(home)
      writeFileSync(join(home, 'token'), TOKEN)
      const run = upload(tree, [tree.dir], { HF_TOKEN: '', HF_HOME: home })
      expect(run.status).toBe(0)
      expect(run.calls).toHaveLength(1)
    })

    it('comes from ~/.cache/huggingface/token by default', () => {
      const tree = checkpoints([100])
      const home = join(tree.root, 'home')
      mkdirSync(join(home, '.cache', 'huggingface'), { recursive: true })
      writeFileSync(join(home, '.cache', 'huggingface', 'token'), TOKEN)
      const run = upload(tree, [tree.dir], { HF_TOKEN: '', HOME: home })
      expect(run.status).toBe(0)
      expect(run.calls).toHaveLength(1)
    })

    it('never appears on the merger command line or in the output', () => {
      const tree = checkpoints([100, 200])
      for (const args of [
        [tree.dir, '--num', '2'],
        [tree.dir, '--dry-run'],
        [tree.dir, '--help'],
      ]) {
        const run = upload(tree, args)
        expect(run.status).toBe(0)
        expect(run.stdout + run.stderr).not.toContain(TOKEN)
        expect(run.calls.flat().join(' ')).not.toContain(TOKEN)
      }
      expect(readRepoFile('dist-scripts/upload_to_hf.sh')).not.toMatch(/HF_TOKEN=/)
    })
  })

  it('-h and --help print usage with examples and run nothing', () => {
    for (const flag of ['-h', '--help']) {
      const run = runScript(SCRIPT, { args: [flag] })
      expect(run.status).toBe(0)
      expect(run.calls).toEqual([])
      expect(run.stdout).toMatch(/^Usage: upload_to_hf\.sh CKPT_DIR/)
      for (const example of ['--num 3', '--step 200', '--private', '--no-upload --target-dir', '--dry-run']) {
        expect(run.stdout).toContain(example)
      }
      expect(run.stdout).toContain('namespace afeng, merger backend fsdp, private false')
    }
  })
})

describe('upload_to_hf.sh stops on bad input: exit 2, a message, nothing run', () => {
  type Case = [
    string,
    (t: Tree) => string[],
    RegExp,
    Parameters<typeof checkpoints>?,
    Record<string, string>?,
  ]
  const cases: Case[] = [
    ['no CKPT_DIR', () => [], /missing CKPT_DIR/],
    ['two folders', (t) => [t.dir, t.root], /expected one CKPT_DIR, got 2/],
    ['a missing CKPT_DIR', (t) => [join(t.root, 'nope')], /checkpoint folder .*\/nope does not exist/],
    [
      'a CKPT_DIR that is a file',
      (t) => [join(t.dir, 'latest_checkpointed_iteration.txt')],
      /latest_checkpointed_iteration\.txt is not a folder/,
    ],
    [
      'a folder without checkpoints',
      (t) => [t.tmp],
      /no checkpoints in .*\/tmp \(no global_step_<N> folders\)/,
    ],
    [
      'no tracker file',
      (t) => [t.dir],
      /no .*latest_checkpointed_iteration\.txt, so the latest checkpoint is unknown; name one with --step N \(steps there: 100 200\) or use --num N/,
      [[100, 200], { tracker: null }],
    ],
    [
      'a tracker naming a missing step',
      (t) => [t.dir],
      /names step 300, but there is no .*global_step_300; the steps there are: 100 200/,
      [[100, 200], { tracker: '300' }],
    ],
    [
      'a tracker without a step number',
      (t) => [t.dir],
      /latest_checkpointed_iteration\.txt should hold one step number and at most a newline \(as VERL writes it\), not garbage$/m,
      [[100], { tracker: 'garbage' }],
    ],
    [
      '--step of a missing step',
      (t) => [t.dir, '--step', '250'],
      /no checkpoint for step 250 in .*; the steps there are: 90 100 200/,
      [[200, 90, 100]],
    ],
    ['--num 0', (t) => [t.dir, '--num', '0'], /--num must be a positive whole number, got '0'/],
    ['--num -1', (t) => [t.dir, '--num', '-1'], /--num must be a positive whole number, got '-1'/],
    ['--num abc', (t) => [t.dir, '--num=abc'], /--num must be a positive whole number, got 'abc'/],
    ['--num empty', (t) => [t.dir, '--num='], /--num must be a positive whole number, got ''/],
    ['--num without a value', (t) => [t.dir, '--num'], /--num needs a value/],
    ['--step 0', (t) => [t.dir, '--step', '0'], /--step must be a positive whole number, got '0'/],
    ['--step 1.5', (t) => [t.dir, '--step', '1.5'], /--step must be a positive whole number, got '1.5'/],
    ['--step x', (t) => [t.dir, '--step', 'x'], /--step must be a positive whole number, got 'x'/],
    ['--num and --step', (t) => [t.dir, '--num', '1', '--step', '100'], /give --num or --step, not both/],
    ['--step twice', (t) => [t.dir, '--step', '100', '--step', '100'], /--step is given twice; give it once/],
    ['--num twice', (t) => [t.dir, '--num', '1', '--num=2'], /--num is given twice; give it once/],
    ['--namespace twice', (t) => [t.dir, '--namespace=a', '--namespace', 'b'], /--namespace is given twice/],
    [
      '--target-dir twice',
      (t) => [t.dir, '--target-dir', join(t.root, 'a'), '--target-dir', join(t.root, 'b')],
      /--target-dir is given twice/,
    ],
    ['--tmp-dir twice', (t) => [t.dir, '--tmp-dir', t.tmp, '--tmp-dir', t.tmp], /--tmp-dir is given twice/],
    [
      '--private and --public',
      (t) => [t.dir, '--private', '--public'],
      /give --private or --public, not both/,
    ],
    [
      '--public and --private',
      (t) => [t.dir, '--public', '--private'],
      /give --private or --public, not both/,
    ],
    [
      '--target-dir followed by an option instead of a folder',
      (t) => [t.dir, '--target-dir', '--no-upload'],
      /--target-dir needs a folder, got the option-like '--no-upload'; write \.\/--no-upload/,
    ],
    ['an unknown flag', (t) => [t.dir, '--force'], /unknown option '--force'/],
    ['a typo of a flag', (t) => [t.dir, '--privat'], /unknown option '--privat'/],
    [
      'a step without actor/fsdp_config.json',
      (t) => [t.dir],
      /global_step_100\/actor\/fsdp_config\.json is missing[\s\S]*the fsdp merger needs actor\/huggingface\/ and actor\/fsdp_config\.json/,
      [[100], { omit: { 100: 'fsdp_config.json' } }],
    ],
    [
      'a step without actor/huggingface/',
      (t) => [t.dir],
      /global_step_100\/actor\/huggingface\/ is missing/,
      [[100], { omit: { 100: 'huggingface' } }],
    ],
    [
      'a step without actor/',
      (t) => [t.dir, '--step', '100'],
      /global_step_100\/actor is missing/,
      [[100, 200], { omit: { 100: 'actor' } }],
    ],
    [
      'an incomplete step among several (checked before any conversion)',
      (t) => [t.dir, '--num', '3'],
      /global_step_300\/actor\/fsdp_config\.json is missing/,
      [[100, 200, 300], { omit: { 300: 'fsdp_config.json' } }],
    ],
    [
      'no Hub token',
      (t) => [t.dir],
      /no HuggingFace token: set HF_TOKEN or log in with `hf auth login` \(no token file at .*\/\.cache\/huggingface\/token\)/,
      undefined,
      { HF_TOKEN: '' },
    ],
    [
      'no token file in $HF_HOME',
      (t) => [t.dir],
      /no HuggingFace token: .*\(no token file at \/nonexistent-hf-home\/token\)/,
      undefined,
      { HF_TOKEN: '', HF_HOME: '/nonexistent-hf-home' },
    ],
    [
      'a folder name the Hub does not accept',
      (t) => [t.dir],
      /'my--run_step-100' \(from the folder name my--run\) is not a valid Hub repo name/,
      [[100], { name: 'my--run' }],
    ],
    ['a bad --namespace', (t) => [t.dir, '--namespace', 'a b'], /--namespace must be letters and digits/],
    [
      'a --target-dir output that exists',
      (t) => {
        mkdirSync(join(t.root, 'out', `${NAME}_step-100`), { recursive: true })
        return [t.dir, '--no-upload', '--target-dir', join(t.root, 'out')]
      },
      /out\/qwen3_4b_default_step-100 already exists; remove it or choose another --target-dir/,
    ],
    [
      'a --tmp-dir that is not a folder',
      (t) => [t.dir, '--tmp-dir', join(t.root, 'nope')],
      /temporary folder .*\/nope is not a writable folder/,
    ],
  ]

  it.each(cases)('%s', (_label, argsOf, message, tree, env) => {
    const t = checkpoints(...(tree ?? [[100]]))
    for (const dryRun of [false, true]) {
      const args = argsOf(t)
      const run = upload(t, dryRun ? ['--dry-run', ...args] : args, env)
      expect(run.stderr).toMatch(message)
      expect(run.stderr).toMatch(/^upload_to_hf\.sh: error: /m)
      expect(run.status).toBe(2)
      expect(run.calls).toEqual([])
      expect(run.stdout).toBe('')
      expect(readdirSync(t.tmp)).toEqual([])
    }
  })

  it('a missing python3 is reported before anything runs', () => {
    const t = checkpoints([100])
    // A PATH with the tools the script needs before the merger, but no python3.
    const bin = tempDir('finqa-nopython-')
    for (const tool of ['sort', 'mktemp', 'rm', 'mkdir']) {
      const path = spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim()
      symlinkSync(path, join(bin, tool))
    }
    const bash = spawnSync('bash', ['-c', 'command -v bash'], { encoding: 'utf8' }).stdout.trim()
    const run = spawnSync(bash, [SCRIPT, t.dir], {
      encoding: 'utf8',
      env: { PATH: bin, HOME: t.root, HF_TOKEN: TOKEN, TMPDIR: t.tmp },
    })
    expect(run.stderr).toMatch(/python3 is not on PATH; activate the environment that has VERL/)
    expect(run.status).toBe(2)
  })
})

describe('upload_to_hf.sh reads its inputs strictly', () => {
  const TRACKER = 'latest_checkpointed_iteration.txt'

  it.each(['200', '200\n'])('a tracker file %j (one step number, at most a newline) is read', (text) => {
    const tree = checkpoints([100, 200], { tracker: text })
    const run = upload(tree, [tree.dir])
    expect(run.status).toBe(0)
    expectUploadCall(run.calls[0], tree, 200)
  })

  it.each([
    '200\n\n',
    ' 200',
    '200 ',
    '200\r\n',
    '\t200\n',
    '0200',
    '2\n00',
    '100\n200\n',
    '+200',
    '2e2',
    '',
    '\n',
    '200\0',
    '\u0662\u0660\u0660',
  ])('a tracker file %j is an error naming the file, and nothing runs', (text) => {
    const tree = checkpoints([100, 200], { tracker: text })
    const run = upload(tree, [tree.dir])
    expect(run.status).toBe(2)
    expect(run.stderr).toMatch(/^upload_to_hf\.sh: error: /m)
    expect(run.stderr).toContain(`${tree.dir}/${TRACKER}`)
    expect(run.calls).toEqual([])
  })

  it.each(['\n', ' ', '\t'])(
    'CKPT_DIR with a trailing %j is that folder exactly, not the run folder without it',
    (tail) => {
      const other = checkpoints([100])
      const own = join(other.root, 'checkpoints', `${NAME}${tail}`)
      mkdirSync(join(own, 'global_step_200', 'actor', 'huggingface'), { recursive: true })
      writeFileSync(join(own, 'global_step_200', 'actor', 'fsdp_config.json'), '{}')
      writeFileSync(join(own, TRACKER), '200\n')
      const out = join(other.root, 'merged')
      const run = upload(other, [own, '--no-upload', '--target-dir', out])
      expect(run.stderr).not.toContain('error')
      expect(run.status).toBe(0)
      expect(run.calls.map((c) => [c[6], c[8]])).toEqual([
        [`${own}/global_step_200/actor`, `${out}/${NAME}${tail}_step-200`],
      ])
    },
  )

  it('CKPT_DIR with a trailing newline that names no folder is an error, not the folder without it', () => {
    const tree = checkpoints([100])
    const run = upload(tree, [`${tree.dir}\n`])
    expect(run.status).toBe(2)
    expect(run.stderr).toContain('does not exist')
    expect(run.calls).toEqual([])
  })

  it('the upload of a folder with a trailing space is refused by the Hub name check, not renamed', () => {
    const tree = checkpoints([100], { name: `${NAME} ` })
    const run = upload(tree, [tree.dir])
    expect(run.status).toBe(2)
    expect(run.stderr).toContain(
      `'${NAME} _step-100' (from the folder name ${NAME} ) is not a valid Hub repo name`,
    )
  })

  it('a step folder it cannot reach (a link that leads nowhere) is reported when selected, not skipped for an older one', () => {
    const tree = checkpoints([100, 200])
    symlinkSync(join(tree.root, 'unmounted', 'global_step_300'), join(tree.dir, 'global_step_300'))
    writeFileSync(join(tree.dir, TRACKER), '300\n')
    for (const args of [[], ['--num', '1'], ['--step', '300'], ['--num', '3']]) {
      const run = upload(tree, [tree.dir, ...args])
      expect(run.status).toBe(2)
      expect(run.stderr).toContain(`cannot read ${tree.dir}/global_step_300`)
      expect(run.calls).toEqual([])
    }
    // Not selected: noted, and the run goes on.
    const older = upload(tree, [tree.dir, '--step', '200'])
    expect(older.status).toBe(0)
    expect(older.stderr).toContain(`cannot read ${tree.dir}/global_step_300 (not selected, so not needed)`)
    expectUploadCall(older.calls[0], tree, 200)
  })

  it('a step folder without read permission is reported when selected', () => {
    const tree = checkpoints([100, 200])
    chmodSync(join(tree.dir, 'global_step_200'), 0o000)
    onTestFinished(() => chmodSync(join(tree.dir, 'global_step_200'), 0o755))
    const run = runScript(SCRIPT, {
      args: [tree.dir],
      env: { TMPDIR: tree.tmp, HF_TOKEN: TOKEN },
      unprivileged: true,
    })
    expect(run.status).toBe(2)
    expect(run.stderr).toContain(`cannot read ${tree.dir}/global_step_200`)
  })

  it('a file named like a step is noted, not taken for a checkpoint', () => {
    const tree = checkpoints([100])
    writeFileSync(join(tree.dir, 'global_step_300'), '')
    const run = upload(tree, [tree.dir, '--num', '5'])
    expect(run.stderr).toContain(`ignoring ${tree.dir}/global_step_300: a file, not a checkpoint folder`)
    expect(run.calls.map((c) => c[6])).toEqual([`${tree.dir}/global_step_100/actor`])
  })
})

/** A spec tree where one experiment overrides the upload settings of the base. */
function overridingSpecs(): Record<string, string> {
  return {
    'experiments/cluster.yaml': readRepoFile('experiments/cluster.yaml'),
    'experiments/base.yaml': readRepoFile('experiments/base.yaml'),
    'experiments/qwen3-4b.yaml': readRepoFile('experiments/qwen3-4b.yaml'),
    'experiments/4b/default.yaml': readRepoFile('experiments/4b/default.yaml'),
    'experiments/4b/rollout4.yaml': readRepoFile('experiments/4b/rollout4.yaml'),
    'experiments/4b/megatron.yaml': [
      'extends: ../qwen3-4b.yaml',
      'name: qwen3_4b_megatron',
      'script: run_4b_megatron.sh',
      'upload:',
      '  namespace: finqa-lab',
      '  backend: megatron',
      '  private: true',
      '',
    ].join('\n'),
  }
}

describe('upload settings per layer', () => {
  const result = compileTexts(overridingSpecs())
  const file = result.files.find((f) => f.path === 'upload_to_hf.sh')

  it('compiles to one script with a case for the experiment that differs', () => {
    // qwen3_4b_megatron trains as qwen3_4b_default does: only its upload differs.
    expect(result.diagnostics.map((d) => `${d.severity} ${d.code}`)).toEqual(['warning DUPLICATE_TRAINING'])
    expect(file?.mode).toBe(0o755)
    expect(file?.content).toContain(
      [
        'case $exp_name in',
        'qwen3_4b_megatron)',
        '  spec_namespace=finqa-lab',
        '  backend=megatron',
        '  spec_private=true',
        '  ;;',
        'esac',
      ].join('\n'),
    )
    expect(file?.content).toMatch(
      /^# Generated by finqa from the `upload` settings of experiments\/4b\/megatron\.yaml, experiments\/base\.yaml\. Do not edit:$/m,
    )
  })

  const write = () => {
    const dir = tempDir('finqa-upload-script-')
    const path = join(dir, 'upload_to_hf.sh')
    writeFileSync(path, file?.content ?? '', { mode: 0o755 })
    return path
  }

  it('uses the overriding experiment settings for its checkpoint folder', () => {
    const script = write()
    const tree = checkpoints([100], { name: 'qwen3_4b_megatron', backend: 'megatron' })
    const run = upload(tree, [tree.dir], {}, script)
    expect(run.status).toBe(0)
    expectUploadCall(run.calls[0], tree, 100, {
      name: 'qwen3_4b_megatron',
      namespace: 'finqa-lab',
      backend: 'megatron',
      private: true,
    })
    // --public and --namespace still win for one run.
    const pub = upload(tree, [tree.dir, '--public', '--namespace', 'afeng'], {}, script)
    expectUploadCall(pub.calls[0], tree, 100, { name: 'qwen3_4b_megatron', backend: 'megatron' })
  })

  it('checks the megatron layout (actor/dist_ckpt/) for a megatron experiment', () => {
    const script = write()
    const tree = checkpoints([100], {
      name: 'qwen3_4b_megatron',
      backend: 'megatron',
      omit: { 100: 'dist_ckpt' },
    })
    const run = upload(tree, [tree.dir], {}, script)
    expect(run.status).toBe(2)
    expect(run.stderr).toMatch(/actor\/dist_ckpt\/ is missing/)
    expect(run.calls).toEqual([])
  })

  it('uses the base settings for the other experiments and for unknown folder names', () => {
    const script = write()
    for (const name of ['qwen3_4b_rollout4', 'my_custom_exp']) {
      const tree = checkpoints([100], { name })
      const run = upload(tree, [tree.dir], {}, script)
      expect(run.status).toBe(0)
      expectUploadCall(run.calls[0], tree, 100, { name })
    }
  })

  it.runIf(hasTool('shellcheck'))('the script with a case statement is shellcheck clean', () => {
    const r = spawnSync('shellcheck', ['--severity=style', write()], { encoding: 'utf8' })
    expect(r.stdout).toBe('')
    expect(r.status).toBe(0)
  })
})
