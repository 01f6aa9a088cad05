import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { readSchema, readTemplates } from '../src/cli/package-files.js'
import { compile } from '../src/compile.js'
import { readSpecs } from '../src/load/read-specs.js'
import { REPO } from './helpers/compile-repo.js'
import { runScript } from './helpers/run-script.js'

/**
 * Property: whatever string a spec field or an environment variable holds, the stub python3 receives the
 * intended value exactly, or finqa/the script refuses it; nothing else ever runs.
 */
const shipped = readSpecs('experiments', REPO).specs
const schema = readSchema()
const templates = readTemplates()
const work = mkdtempSync(join(tmpdir(), 'finqa-prop-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

const INJECTIONS = [
  '$(touch canary)',
  '`touch canary`',
  '; touch canary',
  '\ntouch canary',
  "'; touch canary; '",
  '"$(touch canary)"',
  '*',
  '~',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${HOME} is the hostile input
  '${HOME}',
  '\\',
  ' ',
  'é✓',
  '--',
  '=',
]
/** Arbitrary text, biased towards what breaks shell scripts. */
const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(...INJECTIONS),
  fc
    .tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...INJECTIONS), fc.string({ maxLength: 8 }))
    .map((p) => p.join('')),
)

/** Lets vitest's worker talk to the main process between runs. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve))

/** The 4B default experiment with one more YAML line in its leaf layer. */
function compileWith(leafExtra: string, name = 'qwen3_4b_default') {
  const specs = new Map(shipped)
  specs.set(
    'experiments/4b/default.yaml',
    `extends: ../qwen3-4b.yaml\nname: ${JSON.stringify(name)}\nscript: run_4b.sh\n${leafExtra}\n`,
  )
  return compile({ specs, specDir: 'experiments', templates, schema })
}

/** The helpers every launch script sources (dist-scripts/lib/), from a compile of the shipped specs. */
const LIB = compile({ specs: shipped, specDir: 'experiments', templates, schema }).files.filter((f) =>
  f.path.startsWith('lib/'),
)

/**
 * The string Hydra reads from an override value (after `key=`): an unquoted value as it is, a quoted one
 * with Hydra's un-escaping (a run of N backslashes before the quote gives N/2 of them,
 * hydra/core/override_parser/overrides_visitor.py `_unescape_quoted_string`), then OmegaConf's (`\${` is
 * the text `${`). Written here from Hydra's rules, not from finqa's encoder.
 */
function hydraRead(value: string | undefined): string | undefined {
  if (
    value === undefined ||
    value.length < 2 ||
    !`'"`.includes(value[0] as string) ||
    value.at(-1) !== value[0]
  )
    return value
  const q = value[0] as string
  const body = value.slice(1, -1)
  let out = ''
  for (let i = 0; i < body.length; ) {
    if (body[i] === '\\') {
      let j = i
      while (body[j] === '\\') j++
      const run = j - i
      if (j === body.length) out += '\\'.repeat(run / 2)
      else if (body[j] === q) {
        out += '\\'.repeat((run - 1) / 2) + q
        j++
      } else if (body.startsWith('${', j)) out += '\\'.repeat((run - 1) / 2)
      else out += '\\'.repeat(run)
      i = j
    } else out += body[i++]
  }
  return out
}

/** Runs the compiled run_4b.sh; returns the recorded argv as key → value, and whether the canary appeared. */
function launch(content: string, env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(work, 'run-'))
  const script = join(dir, 'run_4b.sh')
  writeFileSync(script, content, { mode: 0o755 })
  mkdirSync(join(dir, 'lib'))
  for (const f of LIB) writeFileSync(join(dir, f.path), f.content)
  const run = runScript(script, { env: { FINQA_SKIP_PREFLIGHT: '1', ...env }, cwd: dir })
  const canary = readdirSync(dir).includes('canary') || readdirSync(REPO).includes('canary')
  rmSync(dir, { recursive: true, force: true })
  const argv = run.calls[0]
  const overrides = new Map(
    (argv ?? []).slice(2).map((w) => [w.slice(0, w.indexOf('=')), hydraRead(w.slice(w.indexOf('=') + 1))]),
  )
  return { run, overrides, canary }
}

interface Field {
  readonly yaml: (v: string) => string
  readonly name?: (v: string) => string
  readonly expect: (v: string) => Record<string, string>
}
const j = JSON.stringify
const DATA = '/mnt_out/asfeng/fin_w4/data'
const REWARDS = '/mnt_out/asfeng/fin_w4/launchers/fin_text_qa'
const FIELDS: Record<string, Field> = {
  name: {
    yaml: () => '',
    name: (v) => v,
    expect: (v) => ({ 'trainer.experiment_name': v, 'trainer.default_local_dir': `/checkpoints/${v}` }),
  },
  project: { yaml: (v) => `project: ${j(v)}`, expect: (v) => ({ 'trainer.project_name': v }) },
  'model.path': {
    yaml: (v) => `model: {path: ${j(v)}}`,
    // A leading ~/ is the folder in $HOME, as for MODEL_PATH (checked in verl-launch-checks.test.ts).
    expect: (v): Record<string, string> =>
      v === '~' || v.startsWith('~/') ? {} : { 'actor_rollout_ref.model.path': v },
  },
  'data.dir': {
    yaml: (v) => `data: {dir: ${j(v)}}`,
    expect: (v) => ({ 'data.train_files': `${v}/train_4b_model_forecast_20000.parquet` }),
  },
  'data.train_file': {
    yaml: (v) => `data: {train_file: ${j(v)}}`,
    expect: (v) => ({ 'data.train_files': `${DATA}/${v}` }),
  },
  'reward.dir': {
    yaml: (v) => `reward: {dir: ${j(v)}}`,
    expect: (v) => ({ 'reward.custom_reward_function.path': `${v}/reward_uncertain_versatile.py` }),
  },
  'reward.uncertain_file': {
    yaml: (v) => `reward: {uncertain_file: ${j(v)}}`,
    expect: (v) => ({ 'reward.custom_reward_function.path': `${REWARDS}/${v}` }),
  },
  'reward.function': {
    yaml: (v) => `reward: {function: ${j(v)}}`,
    expect: (v) => ({ 'reward.custom_reward_function.name': v }),
  },
  'trainer.checkpoint_root': {
    yaml: (v) => `trainer: {checkpoint_root: ${j(v)}}`,
    expect: (v) => ({ 'trainer.default_local_dir': `${v.replace(/\/$/, '')}/qwen3_4b_default` }),
  },
  description: {
    yaml: (v) => `description: ${j(v)}`,
    expect: () => ({ 'trainer.experiment_name': 'qwen3_4b_default' }),
  },
  'verl_overrides value': {
    yaml: (v) => `verl_overrides: {data.truncation: ${j(v)}}`,
    expect: (v) => ({ 'data.truncation': v }),
  },
}

/** The schema's own pattern for each field, to generate values it accepts. */
const props = schema.properties as Record<
  string,
  { properties?: Record<string, { pattern?: string }>; pattern?: string }
>
const ACCEPTED: Record<string, string> = {
  name: props.name?.pattern ?? '',
  project: props.project?.pattern ?? '',
  'model.path': props.model?.properties?.path?.pattern ?? '',
  'data.dir': props.data?.properties?.dir?.pattern ?? '',
  'data.train_file': props.data?.properties?.train_file?.pattern ?? '',
  'reward.dir': props.reward?.properties?.dir?.pattern ?? '',
  'reward.uncertain_file': props.reward?.properties?.uncertain_file?.pattern ?? '',
  'reward.function': props.reward?.properties?.function?.pattern ?? '',
  'trainer.checkpoint_root': props.trainer?.properties?.checkpoint_root?.pattern ?? '',
  description: props.description?.pattern ?? '',
  'verl_overrides value': '^[A-Za-z0-9_./:@+%~-]*$',
}

/** `mustAccept`: the value matches the field's schema, so refusing it is a failure. */
function checkField(field: Field, v: string, options: { mustAccept?: boolean } = {}): void {
  const result = compileWith(field.yaml(v), field.name?.(v))
  const errors = result.diagnostics.filter((d) => d.severity === 'error')
  if (options.mustAccept) expect(errors).toEqual([])
  if (errors.length > 0) {
    // Refused: with a diagnostic of a known kind, and no script.
    expect(result.files).toEqual([])
    for (const d of errors)
      expect([
        'SCHEMA',
        'YAML_SYNTAX',
        'SECRET',
        'RULE',
        'DUPLICATE_OUTPUT',
        'VERL_CHECK',
        'VERL_KEY',
      ]).toContain(d.code)
    return
  }
  const script = result.files.find((f) => f.path === 'run_4b.sh')
  expect(script).toBeDefined()
  const { run, overrides, canary } = launch(script?.content ?? '')
  expect(canary).toBe(false)
  expect(run.stderr).not.toMatch(/: error:|command not found|syntax error/)
  expect(run.status).toBe(0)
  expect(run.calls).toHaveLength(1)
  for (const [key, value] of Object.entries(field.expect(v))) expect(overrides.get(key), key).toBe(value)
}

describe('spec strings reach VERL exactly, or are refused', () => {
  for (const [path, field] of Object.entries(FIELDS)) {
    it(`${path}: any value the schema accepts arrives exactly`, async () => {
      const pattern = new RegExp(ACCEPTED[path] ?? '')
      await fc.assert(
        fc.asyncProperty(
          // at least 2 characters: the folder fields also have a minimum length
          fc.stringMatching(pattern, { maxLength: 30 }).filter((s) => s.length >= 2 && s.length < 120),
          async (v) => {
            await tick()
            checkField(field, v, { mustAccept: true })
          },
        ),
        { numRuns: 10 },
      )
    })
    it(`${path}: hostile strings are refused or arrive exactly, and nothing else runs`, async () => {
      await fc.assert(
        fc.asyncProperty(hostile, async (v) => {
          await tick()
          checkField(field, v)
        }),
        { numRuns: 10 },
      )
    })
  }

  it('a NUL cannot be carried: the schema refuses it with a clear message', () => {
    const result = compileWith('model: {path: "org/\\0model"}')
    expect(result.files).toEqual([])
    expect(result.diagnostics).toMatchObject([
      { code: 'SCHEMA', message: expect.stringContaining('model.path') },
    ])
  })
})

const ENV: Record<string, (v: string) => Record<string, string>> = {
  EXP_NAME: (v) => ({ 'trainer.experiment_name': v, 'trainer.default_local_dir': `/checkpoints/${v}` }),
  // A leading ~/ is the folder in $HOME (README), checked in verl-launch-checks.test.ts.
  MODEL_PATH: (v): Record<string, string> =>
    v === '~' || v.startsWith('~/') ? {} : { 'actor_rollout_ref.model.path': v },
  DATA_DIR: (v) => ({ 'data.val_files': `${v}/test_4b_model_forecast_2000.parquet` }),
  REWARD_DIR: (v) => ({ 'reward.custom_reward_function.path': `${v}/reward_uncertain_versatile.py` }),
  CHECKPOINT_ROOT: (v) => ({ 'trainer.default_local_dir': `${v.replace(/\/$/, '')}/qwen3_4b_default` }),
  LR: (v) => ({ 'actor_rollout_ref.actor.optim.lr': v }),
  KL_COEF: (v) => ({ 'actor_rollout_ref.actor.kl_loss_coef': v }),
  ROLLOUT_N: (v) => ({ 'actor_rollout_ref.rollout.n': String(Number(v)) }),
  EPOCHS: (v) => ({ 'trainer.total_epochs': String(Number(v)) }),
  SAVE_FREQ: (v) => ({ 'trainer.save_freq': String(Number(v)) }),
  // The seed's lower-case names (src/render/render-experiment.ts, `alias`); errors name the upper-case variable.
  save_freq: (v) => ({ 'trainer.save_freq': String(Number(v)) }),
  test_freq: (v) => ({ 'trainer.test_freq': String(Number(v)) }),
  USE_UNCERTAINTY: (v) => ({
    'reward.custom_reward_function.path': `${REWARDS}/${v === 'true' ? 'reward_uncertain_versatile.py' : 'reward_versatile.py'}`,
  }),
}

describe('environment overrides reach VERL exactly, or stop the script with exit 2', () => {
  const content = compileWith('').files.find((f) => f.path === 'run_4b.sh')?.content ?? ''
  for (const [name, expected] of Object.entries(ENV)) {
    it(`${name}: hostile values`, async () => {
      const values = fc.oneof(
        hostile,
        fc.constantFrom('8', '08', '1e-6', 'true', 'false', '/ok/path', 'ok_name'),
      )
      await fc.assert(
        fc.asyncProperty(
          values.filter((v) => !v.includes('\0') && v !== ''),
          async (v) => {
            await tick()
            const { run, overrides, canary } = launch(content, { [name]: v })
            expect(canary).toBe(false)
            if (run.status === 2) {
              expect(run.calls).toEqual([])
              expect(run.stderr.toLowerCase()).toContain(`run_4b.sh: error: ${name.toLowerCase()}`)
              return
            }
            expect(run.status).toBe(0)
            for (const [key, value] of Object.entries(expected(v)))
              expect(overrides.get(key), key).toBe(value)
          },
        ),
        { numRuns: 12 },
      )
    })
  }
})

describe('spec file and folder names reach the scripts only inside comments', () => {
  it('names with a newline, $(...) or backticks run nothing, whatever script is run', () => {
    const hostileDir = 'exp\ntouch canary #$(touch canary)`touch canary`'
    const specs = new Map(
      [...shipped].map(([file, text]) => [
        file
          .replace(/^experiments\//, `${hostileDir}/`)
          .replace('4b/default.yaml', '4b/default\ntouch canary.yaml'),
        text,
      ]),
    )
    const result = compile({ specs, specDir: hostileDir, templates, schema })
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
    const scripts = result.files.filter((f) => /\.(sh|sbatch)$/.test(f.path))
    expect(scripts.length).toBeGreaterThan(20)
    for (const f of scripts) {
      for (const line of f.content.split('\n'))
        if (line.includes('canary')) expect(line.startsWith('#'), `${f.path}: ${line}`).toBe(true)
    }
    // And run: submit_all.sh with a stub sbatch that prints a job id, the upload script's --help, a launch script.
    const dir = mkdtempSync(join(work, 'names-'))
    for (const f of result.files) {
      mkdirSync(join(dir, 'out', dirname(f.path)), { recursive: true })
      writeFileSync(join(dir, 'out', f.path), f.content)
    }
    writeFileSync(join(dir, 'sbatch'), '#!/usr/bin/env bash\necho "Submitted batch job 42"\n', {
      mode: 0o755,
    })
    const env = { PATH: `${dir}:${process.env.PATH}`, FINQA_SKIP_PREFLIGHT: '1' }
    for (const script of ['slurm/submit_all.sh', 'upload_to_hf.sh', 'run_4b.sh']) {
      const run = runScript(join(dir, 'out', script), {
        cwd: dir,
        env,
        args: script === 'upload_to_hf.sh' ? ['--help'] : [],
      })
      expect(run.stderr, script).not.toContain('canary')
    }
    expect(readdirSync(dir)).not.toContain('canary')
  })
})
