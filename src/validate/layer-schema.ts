type Schema = { [key: string]: unknown }

/**
 * The schema a single layer file is checked against, derived from the experiment schema: nothing is
 * required (a layer sets only what it changes) and, with `allowNull`, every property may be `null`
 * (the marker that deletes an inherited value) and a string may be a sweep template such as
 * `qwen3_{size}_default`. Written to schema/layer.schema.json for editors; the compiler checks each
 * combination of a sweep after filling in its templates, without those allowances.
 */
export function toLayerSchema(schema: Schema, options: { readonly allowNull: boolean }): Schema {
  const walk = (node: unknown, isRoot: boolean): unknown => {
    if (Array.isArray(node)) return node.map((n) => walk(n, false))
    if (node === null || typeof node !== 'object') return node
    const out: Schema = {}
    for (const [key, value] of Object.entries(node as Schema)) {
      if (key === 'required') continue
      if (key === 'properties' && value !== null && typeof value === 'object') {
        out.properties = Object.fromEntries(
          Object.entries(value as Schema).map(([name, sub]) => {
            const inner = walk(sub, false) as Schema
            return [name, options.allowNull ? nullable(templated(inner)) : inner]
          }),
        )
        continue
      }
      if (key === 'additionalProperties' && value !== null && typeof value === 'object') {
        const inner = walk(value, false) as Schema
        out[key] = options.allowNull ? nullable(inner) : inner
        continue
      }
      out[key] = walk(value, false)
    }
    if (isRoot) {
      out.$id = String(out.$id ?? '').replace('experiment.schema.json', 'layer.schema.json')
      out.title = 'Experiment layer'
      out.description =
        'One layer of a finqa experiment spec: a base, a per-model layer or an experiment. It sets only what it changes; `null` deletes an inherited value.'
    }
    return out
  }
  return walk(schema, true) as Schema
}

/** A sweep file's strings hold `{var}` templates that only match the pattern once filled in. */
const TEMPLATE: Schema = {
  type: 'string',
  pattern: '\\{[A-Za-z_][A-Za-z0-9_.+]*(\\|[A-Za-z]+)?\\}',
  description: 'A template that a sweep (`matrix:`) fills in for each combination.',
}

function templated(schema: Schema): Schema {
  if (schema.type !== 'string' || schema.pattern === undefined) return schema
  return orElse(schema, TEMPLATE)
}

function nullable(schema: Schema): Schema {
  return orElse(schema, { type: 'null', description: 'Deletes the value inherited from the parent layer.' })
}

/** `anyOf: [schema, alternative]`, with the documentation an editor shows kept at the top. */
function orElse(schema: Schema, alternative: Schema): Schema {
  const { title, description, default: def, examples, ...rest } = schema
  return {
    ...(title === undefined ? {} : { title }),
    ...(description === undefined ? {} : { description }),
    ...(def === undefined ? {} : { default: def }),
    ...(examples === undefined ? {} : { examples }),
    anyOf: [rest, alternative],
  }
}
