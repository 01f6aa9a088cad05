import { describe, expect, it } from 'vitest'
import { readRepoFile } from './helpers/compile-repo.js'

type Schema = { [key: string]: unknown }

/**
 * Fields with no `default` on purpose: each experiment must choose its own value, or absence means
 * something (ppo_mini_batch_size follows the batch size). Maps with properties carry their children's.
 */
const NO_DEFAULT = new Set([
  'extends',
  'name',
  'script',
  'description',
  'model.path',
  'data.train_file',
  'data.val_file',
  'training.ppo_mini_batch_size',
  // Unset: keys are checked against finqa's copy of the release only.
  'verl.config_dir',
  // A cluster profile describes one real cluster: there is no sensible default for its limits.
  'slurm.cluster.nodes',
  'slurm.cluster.gpus_per_node',
  'slurm.cluster.cpus_per_node',
  'slurm.cluster.memory_per_node',
  'slurm.cluster.max_time',
  'slurm.cluster.partitions',
  // Left out of a batch file when unset, so the cluster's own default applies: no value to name.
  'slurm.account',
  'slurm.cluster.name',
  'slurm.constraint',
  'slurm.cpus_per_task',
  'slurm.error',
  'slurm.gpu_type',
  'slurm.gpus_per_node',
  'slurm.job_name',
  'slurm.memory',
  'slurm.nodes',
  'slurm.partition',
  'slurm.qos',
  'slurm.sbatch_options',
  'slurm.time_limit',
  'slurm.upload.args',
  'slurm.upload.cpus_per_task',
  'slurm.upload.memory',
  // Documentation and estimates: nothing sensible to assume.
  'data.train_rows',
  'estimate.model_params_b',
  'estimate.seconds_per_step',
  'model.label',
])

interface Field {
  readonly path: string
  readonly node: Schema
}

/** Every named property, array item and definition, recursively (through anyOf, as in the layer schema). */
function fieldsOf(schema: Schema): Field[] {
  const out: Field[] = []
  const walk = (node: unknown, path: string, isField: boolean): void => {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return
    const n = node as Schema
    if (isField) out.push({ path, node: n })
    for (const [name, sub] of Object.entries((n.properties as Schema | undefined) ?? {}))
      walk(sub, path === '' ? name : `${path}.${name}`, true)
    for (const [name, sub] of Object.entries((n.definitions as Schema | undefined) ?? {}))
      walk(sub, `#/definitions/${name}`, true)
    if (n.items !== undefined) walk(n.items, `${path}[]`, true)
    for (const branch of (n.anyOf as unknown[] | undefined) ?? []) walk(branch, path, false)
  }
  walk(schema, '', false)
  return out
}

/** A `$ref` is documented by the definition it refers to. */
function documented(node: Schema, root: Schema): Schema {
  if (typeof node.$ref !== 'string') return node
  const target = (root.definitions as Schema)[node.$ref.replace('#/definitions/', '')] as Schema | undefined
  return target === undefined ? node : documented(target, root)
}

const isMapWithProperties = (node: Schema): boolean =>
  node.properties !== undefined ||
  ((node.anyOf as Schema[] | undefined)?.some((b) => b.properties !== undefined) ?? false)

describe.each(['schema/experiment.schema.json', 'schema/layer.schema.json'])(
  '%s documents every field for editors',
  (file) => {
    const schema = JSON.parse(readRepoFile(file)) as Schema
    const fields = fieldsOf(schema)
    const named = fields.filter((f) => !f.path.startsWith('#') && !f.path.endsWith('[]'))

    it('reaches every field (sanity check of the walk)', () => {
      expect(named.map((f) => f.path)).toContain('training.kl_coef')
      expect(named.map((f) => f.path)).toContain('verl_overrides')
      expect(named.length).toBeGreaterThan(30)
    })

    it('has a title and description on the root', () => {
      expect(schema.title).toEqual(expect.any(String))
      expect(schema.description).toEqual(expect.any(String))
    })

    it('every property, item and definition has a title and a description', () => {
      const missing = fields.filter((f) => {
        const { title, description } = documented(f.node, schema)
        return typeof title !== 'string' || typeof description !== 'string' || description.length < 10
      })
      expect(missing.map((f) => f.path)).toEqual([])
    })

    it('every value field has examples and, unless exempt, a default', () => {
      const leaves = named.filter((f) => !isMapWithProperties(f.node))
      expect(leaves.filter((f) => !Array.isArray(f.node.examples)).map((f) => f.path)).toEqual([])
      expect(
        leaves.filter((f) => f.node.default === undefined && !NO_DEFAULT.has(f.path)).map((f) => f.path),
      ).toEqual([])
    })
  },
)
