import { describe, expect, it } from 'vitest'
import { readSchema } from '../src/cli/package-files.js'
import { schemaKeys } from '../src/report/fields.js'
import { renderSpecReference } from '../src/report/spec-reference.js'
import { compileTexts, readRepoFile } from './helpers/compile-repo.js'
import { BASE } from './helpers/inline-specs.js'

describe('docs/spec-reference.md, generated from the schema', () => {
  const reference = readRepoFile('docs/spec-reference.md')

  it('is fresh: the committed file is what the schema and the VERL key table give (run `npm run gen`)', () => {
    expect(renderSpecReference(readSchema())).toBe(reference)
  })

  it('goes stale when the schema changes', () => {
    const schema = structuredClone(readSchema()) as {
      properties: { rollout: { properties: { n: { description: string } } } }
    }
    schema.properties.rollout.properties.n.description = 'Changed.'
    const changed = renderSpecReference(schema)
    expect(changed).not.toBe(reference)
    expect(changed).toContain('| **Rollouts per prompt.** Changed. |')
  })

  it('gives each field its type, default, VERL key and description', () => {
    const rows = reference.split('\n')
    const row = (key: string) => rows.find((r) => r.startsWith(`| \`${key}\``))
    expect(row('training.lr')).toBe(
      "| `training.lr` **required** | number > 0, ≤ 1 | `1e-6` | `actor_rollout_ref.actor.optim.lr` | **Learning rate.** `actor_rollout_ref.actor.optim.lr`. The script's default for LR. |",
    )
    expect(row('rollout.engine')).toMatch(
      /^\| `rollout\.engine` \*\*required\*\* \| one of `vllm`, `sglang`, `hf` \| `vllm` \| `actor_rollout_ref\.rollout\.name` \| \*\*Rollout engine\.\*\* /,
    )
    expect(row('training.ppo_micro_batch_per_gpu')).toContain(
      '| `actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu`, `actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu`, `actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu` |',
    )
    expect(row('trainer.logger')).toContain(
      '| list of one of `console`, `wandb`, `tensorboard`, `mlflow`, `swanlab`, `file` | `[console, wandb]` | `trainer.logger` |',
    )
    expect(row('verl_overrides')).toMatch(
      /^\| `verl_overrides` \| map \| `\{\}` \| {2}\| \*\*Extra VERL overrides\.\*\* /,
    )
    // finqa's own fields become no VERL key; those that do not change the training say so.
    expect(row('slurm.time_limit')).toMatch(
      /^\| `slurm\.time_limit` \| string \| {2}\| {2}\| .*\*Not a training setting\.\* \|$/,
    )
    expect(row('model.label')).toContain('*Not a training setting.*')
    expect(row('rollout.n')).not.toContain('Not a training setting')
  })

  it('has a row for every field of the schema, the layer keys included', () => {
    const keys = ['extends', 'abstract', 'matrix', ...schemaKeys(readSchema())]
    for (const key of keys) expect(reference, key).toContain(`\n| \`${key}\``)
  })
})

describe('error suggestions use neutral examples', () => {
  const SEED = /mnt_out|asfeng|afeng|catherpker|stockr1/

  it('a bad data folder, reward folder, model path or Hub namespace is answered with a placeholder', () => {
    const base = BASE.replace('  dir: /data\n', '  dir: "two words"\n')
      .replace('  dir: /rewards\n', '  dir: "two words"\n')
      .replace('  path: org/model\n', '  path: "two words"\n')
    const r = compileTexts({
      'experiments/base.yaml': `${base}upload:\n  namespace: "two words"\n  backend: fsdp\n`,
      'experiments/a.yaml': 'extends: ./base.yaml\nname: a\nscript: run_a.sh\n',
    })
    expect(r.diagnostics.map((d) => `${d.message.split(' ')[0]} ${d.suggestion}`)).toEqual([
      '`model.path` for example: Qwen/Qwen3-4B',
      '`data.dir` for example: /path/to/data',
      '`reward.dir` for example: /path/to/rewards',
      '`upload.namespace` for example: my-hf-user',
    ])
  })

  it('no example in the schema, which suggestions quote, is a path or name of the seed study', () => {
    const examples: string[] = []
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) {
        for (const item of node) walk(item)
        return
      }
      if (node === null || typeof node !== 'object') return
      for (const [k, v] of Object.entries(node)) {
        if (k === 'examples') examples.push(JSON.stringify(v))
        else walk(v)
      }
    }
    walk(readSchema())
    expect(examples.length).toBeGreaterThan(50)
    expect(examples.filter((e) => SEED.test(e))).toEqual([])
  })
})
