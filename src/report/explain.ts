import type { PlainValue } from '../load/parse-yaml.js'
import type { CompiledExperiment } from '../render/renderers.js'
import { closest } from '../resolve/merge.js'
import {
  displayKey,
  fieldsOf,
  formatValue,
  pointerOfKey,
  type ResolvedField,
  sameValue,
  schemaFieldAt,
  schemaKeys,
  schemaOrder,
} from './fields.js'

type Schema = { readonly [key: string]: unknown }

/** One layer's word on a field. */
export interface ExplainStep {
  /** `set`: the first value; `override`: replaced an inherited value; `delete`: removed it (`null`). */
  readonly action: 'set' | 'override' | 'delete'
  /** The layer: its file, or `file[vars]` for a sweep's combination. */
  readonly layer: string
  readonly file: string
  readonly line: number
  readonly col: number
  /** The value this layer set (absent for `delete`). */
  readonly value?: PlainValue
}

export interface ExplainedField {
  readonly key: string
  readonly pointer: string
  readonly status: 'set' | 'deleted'
  readonly value?: PlainValue
  readonly history: readonly ExplainStep[]
}

export interface Explanation {
  readonly name: string
  readonly script: string
  /** The experiment's own layer. */
  readonly layer: string
  /** Layers root first. */
  readonly chain: readonly string[]
  readonly fields: readonly ExplainedField[]
}

export type ExplainResult =
  | { readonly kind: 'explained'; readonly explanation: Explanation }
  | {
      readonly kind: 'unset'
      readonly explanation: Explanation
      readonly key: string
      readonly title?: string
      readonly description?: string
    }
  | { readonly kind: 'unknown-key'; readonly message: string }

export interface ExplainOptions {
  /** A dotted key (`rollout.n`), a map (`rollout`: all its fields) or a JSON Pointer; all fields when absent. */
  readonly key?: string
  readonly schema: Schema
}

/** Where every field of an experiment (or one) comes from: the layers that set, overrode or deleted it. */
export function explainExperiment(item: CompiledExperiment, options: ExplainOptions): ExplainResult {
  const { spec, experiment } = item
  const order = schemaOrder(options.schema)
  const all = fieldsOf(spec).sort((a, b) => order(a.key, b.key))
  const query = options.key === undefined ? undefined : normaliseKey(options.key)
  const chosen =
    query === undefined ? all : all.filter((f) => f.key === query || f.key.startsWith(`${query}.`))
  const explanation: Explanation = {
    name: experiment.name,
    script: experiment.script,
    layer: spec.id,
    chain: spec.chain,
    fields: chosen.map((f) => explainField(f, layerOf(spec.chain, spec.id))),
  }
  if (query === undefined || chosen.length > 0) return { kind: 'explained', explanation }

  const known = schemaKeys(options.schema)
  if (known.some((k) => k === query || k.startsWith(`${query}.`))) {
    const field = schemaFieldAt(options.schema, pointerOfKey(query))
    return { kind: 'unset', explanation, key: query, title: field?.title, description: field?.description }
  }
  const near = closest(query, [...known, ...all.map((f) => f.key)])
  return {
    kind: 'unknown-key',
    message: `${experiment.name} has no field ${query}${near ? `; did you mean ${near}?` : ''}`,
  }
}

/** `rollout.n`, `/rollout/n` and `rollout/n` name the same field. */
function normaliseKey(key: string): string {
  if (key.startsWith('/')) return displayKey(key)
  if (key.includes('/')) return displayKey(`/${key}`)
  return key.replace(/^\.+|\.+$/g, '')
}

/** Files map back to layer ids: a sweep file's entries belong to the combination in the chain. */
function layerOf(chain: readonly string[], leaf: string): (file: string) => string {
  return (file) => chain.find((id) => id === file || id.startsWith(`${file}[`)) ?? leaf
}

function explainField(field: ResolvedField, layerFor: (file: string) => string): ExplainedField {
  let present = false
  const history: ExplainStep[] = []
  for (const entry of field.history) {
    const where = {
      layer: layerFor(entry.position.file),
      file: entry.position.file,
      line: entry.position.line,
      col: entry.position.col,
    }
    if (entry.action === 'unset') {
      history.push({ action: 'delete', ...where })
      present = false
      continue
    }
    history.push({ action: present ? 'override' : 'set', ...where, value: entry.value })
    present = true
  }
  return { key: field.key, pointer: field.pointer, status: field.status, value: field.value, history }
}

/** The text `finqa explain` prints. */
export function formatExplanation(result: Exclude<ExplainResult, { kind: 'unknown-key' }>): string {
  const { explanation: e } = result
  const lines = [`${e.name} (${e.script})`, `layers: ${e.chain.join(' > ')}`]
  if (result.kind === 'unset') {
    lines.push(
      '',
      `${result.key} is not set: no layer sets it${result.title ? ` (${result.title})` : ''}.`,
      ...(result.description ? [`  ${result.description}`] : []),
    )
    return `${lines.join('\n')}\n`
  }
  for (const f of e.fields) {
    lines.push('', f.status === 'deleted' ? `${f.key} (deleted)` : `${f.key} = ${formatValue(f.value)}`)
    const rows = f.history.map((h) => ({
      action: h.action,
      value: h.action === 'delete' ? '' : formatValue(h.value),
      at: `${h.file}:${h.line}:${h.col}`,
      same: h.action === 'override' ? sameAsBefore(f.history, h) : false,
    }))
    const width = Math.max(0, ...rows.map((r) => r.value.length))
    for (const r of rows) {
      lines.push(
        `  ${r.action.padEnd(8)} ${r.value.padEnd(width)}  ${r.at}${r.same ? '  (same value as inherited)' : ''}`,
      )
    }
  }
  return `${lines.join('\n')}\n`
}

function sameAsBefore(history: readonly ExplainStep[], step: ExplainStep): boolean {
  const i = history.indexOf(step)
  const before = history
    .slice(0, i)
    .filter((h) => h.action !== 'delete')
    .at(-1)
  return before !== undefined && sameValue(before.value, step.value)
}
