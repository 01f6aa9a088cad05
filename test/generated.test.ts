import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { Ajv } from 'ajv'
import { describe, expect, it } from 'vitest'
import { parse as parseYamlText } from 'yaml'
import { readSchema } from '../src/cli/package-files.js'
import { MANIFEST, renderManifest } from '../src/emit/manifest.js'
import { renderGenerated } from '../src/generate.js'
import v080 from '../src/generated/verl/v0.8.0.json' with { type: 'json' }
import v090 from '../src/generated/verl/v0.9.0.json' with { type: 'json' }
import { compileDir, REPO, readRepoFile } from './helpers/compile-repo.js'
import { hasTool } from './helpers/tools.js'

describe('committed generated files are fresh', () => {
  const result = compileDir('experiments')

  it('the shipped experiments compile without diagnostics', () => {
    expect(result.diagnostics).toEqual([])
    const stems = [
      'run_4b',
      'run_4b_no_uncertain',
      'run_4b_rollout12',
      'run_4b_rollout4',
      'run_8b',
      'run_8b_no_uncertain',
      'run_8b_rollout12',
      'run_8b_rollout4',
    ]
    expect(result.files.map((f) => f.path)).toEqual(
      [
        'README.md',
        'lib/finqa-launch.sh',
        'lib/verl-0.9.0.sh',
        ...stems.map((s) => `${s}.sh`),
        ...stems.flatMap((s) => [`slurm/${s}.sbatch`, `slurm/${s}.upload.sbatch`]),
        'slurm/submit_all.sh',
        'upload_to_hf.sh',
      ].sort(),
    )
  })

  it('dist-scripts/ holds exactly what the specs produce (run `npm run gen:scripts`)', () => {
    const committed = readdirSync(join(REPO, 'dist-scripts'), { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => join(d.parentPath, d.name).slice(join(REPO, 'dist-scripts').length + 1))
      .sort()
    expect(committed).toEqual([MANIFEST, ...result.files.map((f) => f.path)].sort())
    expect(readRepoFile(`dist-scripts/${MANIFEST}`)).toBe(renderManifest(result.files.map((f) => f.path)))
  })

  it.each(result.files.map((f) => [f.path, f] as const))(
    'dist-scripts/%s matches its golden and has its mode',
    async (path, file) => {
      await expect(file.content).toMatchFileSnapshot(join(REPO, 'dist-scripts', path))
      expect(statSync(join(REPO, 'dist-scripts', path)).mode & 0o777).toBe(file.mode)
    },
  )

  it('src/generated/experiment.ts and schema/layer.schema.json match the schema (run `npm run gen:types`)', async () => {
    const files = await renderGenerated(readSchema())
    for (const [path, content] of Object.entries(files)) expect(content, path).toBe(readRepoFile(path))
  })

  it('the editor schema (schema/layer.schema.json) accepts every shipped spec, sweep templates included', () => {
    const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true })
    const validate = ajv.compile(JSON.parse(readRepoFile('schema/layer.schema.json')))
    for (const entry of readdirSync(join(REPO, 'experiments'), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.yaml')) continue
      const path = join(entry.parentPath, entry.name)
      expect(
        validate(parseYamlText(readFileSync(path, 'utf8'))),
        `${path}: ${ajv.errorsText(validate.errors)}`,
      ).toBe(true)
    }
  })

  it('each VERL key list is what scripts/derive-verl-keys.mjs derives from the vendored config', () => {
    const r = spawnSync(process.execPath, [join(REPO, 'scripts', 'derive-verl-keys.mjs'), '--check'], {
      encoding: 'utf8',
    })
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
  })

  it('each VERL key list records its release tag and commit and holds the keys GRPO runs set', () => {
    expect([v080.tag, v080.commit]).toEqual(['v0.8.0', '7aed6b230776f963fa09509c10d9c3a767d1102c'])
    expect([v090.tag, v090.commit]).toEqual(['v0.9.0', '483b8a009ba3a97563edee3a19887e4862b8094a'])
    for (const data of [v080, v090]) {
      expect(data.keys).toMatchObject({
        'actor_rollout_ref.rollout.n': 'int',
        'trainer.default_local_dir': 'interp',
        'reward.custom_reward_function.path': 'null',
        'reward.custom_reward_function.name': 'str',
        'ray_kwargs.ray_init.num_cpus': 'null',
        actor_rollout_ref: 'map',
      })
      expect(data.keys).not.toHaveProperty('data.apply_chat_template_kwargs.enable_thinking')
    }
    // Keys new in v0.9.0 (NOTES-v0.9.0: trainer.use_v1, data.gen_batch_size).
    expect(v090.keys).toHaveProperty(['trainer.use_v1'], 'bool')
    expect(v080.keys).not.toHaveProperty(['trainer.use_v1'])
  })

  it('compiling twice gives byte-identical output', () => {
    const again = compileDir('experiments')
    expect(again.files).toEqual(result.files)
  })

  // A compile replaces an existing output only when its manifest lists it or the file says finqa generated
  // it (src/emit/write-outputs.ts, OutputConflict): every kind of output must say so in its first lines.
  it('every output says in its first lines that finqa generated it', () => {
    for (const f of result.files)
      expect(f.content.slice(0, 500), f.path).toContain(
        f.path === MANIFEST ? '"generator": "finqa"' : 'Generated by finqa',
      )
  })

  it('no generated script names the build machine or a timestamp', () => {
    for (const f of result.files) {
      expect(f.content).not.toContain(REPO)
      expect(f.content).not.toMatch(/20\d\d-\d\d-\d\d/)
      expect(f.content).not.toMatch(/WANDB_API_KEY=|HF_TOKEN=/)
      expect(f.content).not.toContain('/work/')
    }
  })
})

describe('generated scripts pass bash -n and shellcheck', () => {
  const files = compileDir('experiments').files
  it.each(files.filter((f) => f.path.endsWith('.sh')).map((f) => f.path))('bash -n %s', (path) => {
    const r = spawnSync('bash', ['-n', join(REPO, 'dist-scripts', path)], { encoding: 'utf8' })
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
  })

  it.runIf(hasTool('shellcheck'))('shellcheck finds nothing in dist-scripts', () => {
    const paths = files
      .filter((f) => /\.(sh|sbatch)$/.test(f.path))
      .map((f) => join(REPO, 'dist-scripts', f.path))
    expect(paths.filter((p) => p.endsWith('.sbatch'))).toHaveLength(16)
    // -x: the launch scripts source lib/ (their `source-path=SCRIPTDIR` directive finds it).
    const r = spawnSync('shellcheck', ['--severity=style', '-x', ...paths], { encoding: 'utf8' })
    expect(r.stdout).toBe('')
    expect(r.status).toBe(0)
  })
})
