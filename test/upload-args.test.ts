import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { UPLOAD_OPTIONS } from '../src/render/render-upload.js'
import { uploadArgsProblems } from '../src/validate/slurm-rules.js'
import { tempDir } from './helpers/cli.js'
import { compileTexts, REPO } from './helpers/compile-repo.js'
import { BASE, positionOf } from './helpers/inline-specs.js'
import { runScript } from './helpers/run-script.js'

const SCRIPT = join(REPO, 'dist-scripts', 'upload_to_hf.sh')

const withArgs = (args: string) =>
  `extends: ./base.yaml\nname: a\nscript: run_a.sh\nslurm:\n  upload:\n    enabled: true\n    args: ${args}\n`
const compileArgs = (args: string) =>
  compileTexts({
    'experiments/base.yaml': `${BASE}upload:\n  namespace: afeng\n  backend: fsdp\n`,
    'experiments/a.yaml': withArgs(args),
  })

describe('slurm.upload.args are checked at compile time against the options of upload_to_hf.sh', () => {
  it.each([
    ['[--step, "100", --step=200]', '--step=200', /`--step` is given twice/],
    ['[--num, "3", --num=4]', '--num=4', /`--num` is given twice/],
    ['[--num, "3", --step, "100"]', '--step', /`--num` and `--step` exclude each other/],
    ['[--private, --public]', '--public', /exclude each other/],
    ['[--num, "0"]', '"0"', /must be a positive whole number, got `0`/],
    ['[--num]', '--num', /`--num` needs a value/],
    ['[--step=x]', '--step=x', /must be a positive whole number/],
    ['[--namespace, a--b]', 'a--b', /`--namespace` must be letters and digits/],
    ['[--target-dir, --keep]', '--keep', /needs a folder, got the option-like `--keep`/],
    ['[--privat]', '--privat', /`--privat` is not an option of upload_to_hf.sh/],
    ['[--keep=yes]', '--keep=yes', /is not an option/],
    ['[/checkpoints/other]', '/checkpoints/other', /would be a second checkpoint folder/],
    ['[--help]', '--help', /print the help/],
    ['[--, x]', '--', /`--` would make every later argument/],
  ])('%s is an UPLOAD_ARGS error at the argument at fault', (args, at, message) => {
    const result = compileArgs(args)
    const where = positionOf(withArgs(args), at, 'args:')
    const errors = result.diagnostics.filter((d) => d.severity === 'error')
    expect(errors[0]).toMatchObject({ file: 'experiments/a.yaml', ...where, code: 'UPLOAD_ARGS' })
    expect(errors[0]?.message).toMatch(message)
    expect(result.files).toEqual([])
  })

  it('an unknown option suggests the nearest one', () => {
    const [d] = compileArgs('[--privat]').diagnostics
    expect(d?.suggestion).toBe('did you mean `--private`?')
  })

  it('--dry-run is a warning: the job would upload nothing', () => {
    const result = compileArgs('[--dry-run]')
    expect(result.diagnostics).toMatchObject([{ severity: 'warning', code: 'UPLOAD_ARGS' }])
    expect(result.files.length).toBeGreaterThan(0)
  })

  it('good arguments compile without a word', () => {
    const result = compileArgs('[--num, "3", --private, --tmp-dir=/scratch, --namespace, my-org]')
    expect(result.diagnostics).toEqual([])
  })

  it("the option table is the script's: --help lists exactly its options", () => {
    const help = runScript(SCRIPT, { args: ['--help'] })
    expect(help.status).toBe(0)
    const listed = [...help.stdout.matchAll(/^ {2}(-[-\w]+)(?:, (--[-\w]+))?/gm)].flatMap((m) =>
      [m[1], m[2]].filter((x) => x !== undefined),
    )
    expect(listed.sort()).toEqual([...UPLOAD_OPTIONS.keys()].sort())
  })

  // The oracle is the script itself: run after a checkpoint folder as the upload job runs it, it stops
  // with exit 2 exactly when the compile-time check finds an error. (`--help` and `--`, which the script
  // takes but which would make the job upload nothing or take sbatch's arguments for folders, are errors at
  // compile time only, above.)
  const TOKENS = [
    '--num',
    '--step',
    '3',
    '100',
    '0',
    'x',
    '--namespace',
    'my-org',
    'a--b',
    '--target-dir',
    '--tmp-dir',
    'out',
    '--private',
    '--public',
    '--no-upload',
    '--keep',
    '--dry-run',
    '--num=2',
    '--step=100',
    '--namespace=',
    '--target-dir=',
    '--privat',
    '--keep=1',
    '-x',
  ]
  // A fixed pseudo-random sample of argument lists of one to four tokens.
  let seed = 17
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31
    return seed
  }
  const lists = Array.from({ length: 60 }, () =>
    Array.from({ length: 1 + (next() % 4) }, () => TOKENS[next() % TOKENS.length] as string),
  )

  it('the sample holds both arguments the script takes and ones it refuses', () => {
    const refused = lists.filter((l) => uploadArgsProblems(l).some((p) => p.severity === 'error'))
    expect(refused.length).toBeGreaterThanOrEqual(10)
    expect(lists.length - refused.length).toBeGreaterThanOrEqual(10)
  })

  it.each(lists.map((l) => [l.join(' '), l] as const))(
    'args %s: the compile refuses them exactly when upload_to_hf.sh stops on them',
    (_label, args) => {
      const root = tempDir('finqa-upload-args-')
      const dir = join(root, 'qwen3_4b_default')
      for (const step of [3, 100]) {
        mkdirSync(join(dir, `global_step_${step}`, 'actor', 'huggingface'), { recursive: true })
        writeFileSync(join(dir, `global_step_${step}`, 'actor', 'fsdp_config.json'), '{}')
      }
      writeFileSync(join(dir, 'latest_checkpointed_iteration.txt'), '100\n')
      mkdirSync(join(root, 'out'))
      // --dry-run first: the script checks everything and runs nothing.
      const run = runScript(SCRIPT, {
        args: [dir, '--dry-run', ...args],
        cwd: root,
        env: { HF_TOKEN: 'hf_x', TMPDIR: root },
      })
      const errors = uploadArgsProblems(args).filter((p) => p.severity === 'error')
      expect(run.status === 2, `${run.stderr}\ncompile: ${JSON.stringify(errors)}`).toBe(errors.length > 0)
    },
  )
})
