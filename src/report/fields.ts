import { compareStrings } from '../diagnostics/diagnostic.js'
import { formatNumber } from '../load/format-number.js'
import {
  isPlainMap,
  type PlainValue,
  type Pointer,
  pointerJoin,
  pointerSegments,
} from '../load/parse-yaml.js'
import { LAYER_KEYS, type LayerEntry, type ResolvedSpec } from '../resolve/merge.js'

type Schema = { readonly [key: string]: unknown }

/** One field of a resolved experiment: a scalar or a list, set or deleted, with the layers behind it. */
export interface ResolvedField {
  /** Dotted, as users write it: `rollout.n`, `verl_overrides.data.truncation`. */
  readonly key: string
  readonly pointer: Pointer
  readonly status: 'set' | 'deleted'
  /** The resolved value; absent when deleted. */
  readonly value?: PlainValue
  /** Every layer that set or deleted it, root first; the last one won. */
  readonly history: readonly LayerEntry[]
}

/** `/rollout/n` → `rollout.n`. */
export function displayKey(pointer: Pointer): string {
  return pointerSegments(pointer).join('.')
}

/** A dotted key's JSON Pointer (the inverse of `displayKey`); a VERL override's own key is dotted and stays one segment. */
export function pointerOfKey(key: string): Pointer {
  const overrides = 'verl_overrides.'
  if (key.startsWith(overrides)) return pointerJoin('/verl_overrides', key.slice(overrides.length))
  return `/${key.split('.').join('/')}`
}

/** Every field of a resolved experiment (maps are walked, lists are one field) and every deleted one. */
export function fieldsOf(spec: ResolvedSpec): ResolvedField[] {
  const out: ResolvedField[] = []
  const walk = (value: PlainValue, pointer: Pointer): void => {
    if (isPlainMap(value) && (pointer === '' || Object.keys(value).length > 0)) {
      // (the layer keys extends, abstract and matrix are never in a merged value)
      for (const [k, v] of Object.entries(value)) walk(v, pointerJoin(pointer, k))
      return
    }
    out.push({
      key: displayKey(pointer),
      pointer,
      status: 'set',
      value,
      history: spec.sources.get(pointer)?.history ?? [],
    })
  }
  walk(spec.value, '')
  for (const [pointer, entry] of spec.deleted) {
    if (valueAt(spec.value, pointer) !== undefined) continue
    out.push({ key: displayKey(pointer), pointer, status: 'deleted', history: entry.history })
  }
  return out
}

export function valueAt(value: PlainValue, pointer: Pointer): PlainValue | undefined {
  let node: PlainValue | undefined = value
  for (const segment of pointerSegments(pointer)) {
    if (!isPlainMap(node) || !Object.hasOwn(node, segment)) return undefined
    node = node[segment]
  }
  return node
}

/** What the schema says about a field: title, description, default. */
export interface SchemaField {
  readonly title?: string
  readonly description?: string
  readonly default?: unknown
}

/** The schema of the field at `pointer`, following `properties` and open maps (`verl_overrides`). */
export function schemaFieldAt(schema: Schema, pointer: Pointer): SchemaField | undefined {
  let node: Schema | undefined = schema
  for (const segment of pointerSegments(pointer)) {
    if (node === undefined) return undefined
    const props = node.properties as Record<string, Schema> | undefined
    const open: unknown = node.additionalProperties
    node = props?.[segment] ?? (isPlainMap(open) ? (open as Schema) : undefined)
  }
  if (node === undefined) return undefined
  return {
    title: typeof node.title === 'string' ? node.title : undefined,
    description: typeof node.description === 'string' ? node.description : undefined,
    default: node.default,
  }
}

/** Every leaf field the schema declares, as dotted keys in declaration order (not open maps' keys). */
export function schemaKeys(schema: Schema): string[] {
  const out: string[] = []
  const walk = (node: Schema, prefix: string): void => {
    const props = node.properties as Record<string, Schema> | undefined
    if (props === undefined || node.type !== 'object') {
      if (prefix !== '') out.push(prefix)
      return
    }
    for (const [k, sub] of Object.entries(props)) {
      if (prefix === '' && LAYER_KEYS.has(k)) continue
      walk(sub, prefix === '' ? k : `${prefix}.${k}`)
    }
  }
  walk(schema, '')
  return out
}

/** Orders dotted keys as the schema declares their fields; keys of open maps sort after their map's place. */
export function schemaOrder(schema: Schema): (a: string, b: string) => number {
  const keys = schemaKeys(schema)
  const place = (key: string): number => {
    const exact = keys.indexOf(key)
    if (exact !== -1) return exact
    const parent = keys.findIndex((k) => key.startsWith(`${k}.`))
    if (parent !== -1) return parent
    const top = keys.findIndex((k) => k.split('.')[0] === key.split('.')[0])
    return top === -1 ? keys.length : top
  }
  // Sorting compares each key many times: find its place once.
  const ranks = new Map<string, number>()
  const rank = (key: string): number => {
    let r = ranks.get(key)
    if (r === undefined) {
      r = place(key)
      ranks.set(key, r)
    }
    return r
  }
  return (a, b) => rank(a) - rank(b) || compareStrings(a, b)
}

/** A value as a spec writes it: `1e-6`, `qwen3_4b`, `[console, wandb]`, `"two words"`. */
export function formatValue(value: PlainValue | undefined): string {
  if (value === undefined) return '(not set)'
  if (value === null) return 'null'
  if (typeof value === 'number') return formatNumber(value)
  if (typeof value === 'boolean') return String(value)
  if (typeof value === 'string') return /^[A-Za-z0-9_./:@+%~-]+$/.test(value) ? value : JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map((v) => formatValue(v)).join(', ')}]`
  return `{${Object.entries(value)
    .map(([k, v]) => `${k}: ${formatValue(v)}`)
    .join(', ')}}`
}

/** Deep equality of plain values. */
export function sameValue(a: PlainValue | undefined, b: PlainValue | undefined): boolean {
  if (a === b) return true
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => sameValue(x, b[i]))
  if (isPlainMap(a) && isPlainMap(b)) {
    const ka = Object.keys(a)
    return (
      ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && sameValue(a[k], b[k]))
    )
  }
  return false
}
