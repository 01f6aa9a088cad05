import { didYouMean } from '../diagnostics/did-you-mean.js'
import type { PlainValue } from '../load/parse-yaml.js'
import type { CompiledExperiment } from '../render/compiled-experiment.js'
import { targetFor, type VerlTarget } from '../verl/index.js'
import { ignoredEntry } from '../verl/target.js'
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
  /** The VERL keys the field becomes in the targeted release (none for finqa's own fields: slurm, upload...). */
  readonly verl: readonly string[]
}

export interface Explanation {
  readonly name: string
  readonly script: string
  /** The experiment's own layer. */
  readonly layer: string
  /** Layers root first. */
  readonly chain: readonly string[]
  /** The VERL release the experiment targets. */
  readonly verlVersion: string
  /** When the query was a VERL key: that key, and what sets it when no spec field does. */
  readonly verlKey?: VerlKeyAnswer
  readonly fields: readonly ExplainedField[]
}

/** What a VERL key the user asked for comes from. */
export interface VerlKeyAnswer {
  readonly key: string
  /**
   * `field`: typed spec fields set it (the explained fields); `override`: a `verl_overrides` entry sets it;
   * `finqa`: finqa sets it itself (`from` says how); `default`: nothing sets it, VERL's default applies;
   * `ignored`: the release composes it but never reads it (`from` says why, `use` what to set instead).
   */
  readonly source: 'field' | 'override' | 'finqa' | 'default' | 'ignored'
  readonly from?: string
  readonly use?: string
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
  const target = targetFor(experiment.verl?.version)
  const order = schemaOrder(options.schema)
  const all = fieldsOf(spec).sort((a, b) => order(a.key, b.key))
  const query = options.key === undefined ? undefined : normaliseKey(options.key)
  const matches = (key: string) => (f: ResolvedField) => f.key === key || f.key.startsWith(`${key}.`)
  let chosen = query === undefined ? all : all.filter(matches(query))
  let verlKey: VerlKeyAnswer | undefined
  if (query !== undefined && chosen.length === 0) {
    const answer = verlKeyAnswer(target, query, all)
    if (answer !== undefined) {
      verlKey = answer.answer
      chosen = answer.fields
    }
  }
  const verlOf = verlKeysOf(target)
  const explanation: Explanation = {
    name: experiment.name,
    script: experiment.script,
    layer: spec.id,
    chain: spec.chain,
    verlVersion: target.version,
    ...(verlKey === undefined ? {} : { verlKey }),
    fields: chosen.map((f) => explainField(f, layerOf(spec.chain, spec.id), verlOf(f.pointer))),
  }
  if (query === undefined || chosen.length > 0 || verlKey !== undefined)
    return { kind: 'explained', explanation }

  const known = schemaKeys(options.schema)
  if (known.some((k) => k === query || k.startsWith(`${query}.`))) {
    const field = schemaFieldAt(options.schema, pointerOfKey(query))
    return { kind: 'unset', explanation, key: query, title: field?.title, description: field?.description }
  }
  const near = didYouMean(query, [...known, ...all.map((f) => f.key), ...target.keys.keys()])
  return {
    kind: 'unknown-key',
    message: `${experiment.name} has no field ${query}, and VERL ${target.version} has no such key${near ? `; did you mean ${near}?` : ''}`,
  }
}

const OVERRIDES = '/verl_overrides/'

/** The VERL keys of a spec field: the typed key table, or a `verl_overrides` entry's own key. */
function verlKeysOf(target: VerlTarget): (pointer: string) => readonly string[] {
  const byField = new Map<string, string[]>()
  for (const t of target.typedKeys.values()) {
    for (const f of t.fields) byField.set(f, [...(byField.get(f) ?? []), t.key])
  }
  return (pointer) => {
    if (pointer.startsWith(OVERRIDES)) return [displayKey(pointer).slice('verl_overrides.'.length)]
    return byField.get(pointer) ?? []
  }
}

/** A query that is no spec field but a VERL key (`actor_rollout_ref.actor.optim.lr`): the fields behind it. */
function verlKeyAnswer(
  target: VerlTarget,
  query: string,
  all: readonly ResolvedField[],
): { answer: VerlKeyAnswer; fields: ResolvedField[] } | undefined {
  const key = query.replace(/^[+~]+/, '')
  const typed = target.typedKeys.get(key)
  if (typed !== undefined) {
    if (typed.fields.length === 0) return { answer: { key, source: 'finqa', from: typed.from }, fields: [] }
    const fields = all.filter((f) => typed.fields.includes(f.pointer))
    const source = fields.some((f) => f.status === 'set') ? 'field' : 'default'
    return { answer: { key, source, from: typed.from }, fields }
  }
  const ignored = ignoredEntry(target, key)
  if (ignored !== undefined)
    return { answer: { key, source: 'ignored', from: ignored.why, use: ignored.use }, fields: [] }
  const override = all.filter((f) => f.pointer.startsWith(OVERRIDES) && f.key === `verl_overrides.${key}`)
  if (override.length > 0) return { answer: { key, source: 'override' }, fields: override }
  if (target.keys.has(key)) return { answer: { key, source: 'default' }, fields: [] }
  return undefined
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

function explainField(
  field: ResolvedField,
  layerFor: (file: string) => string,
  verl: readonly string[],
): ExplainedField {
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
  return { key: field.key, pointer: field.pointer, status: field.status, value: field.value, history, verl }
}

/** The text `finqa explain` prints. */
export function formatExplanation(result: Exclude<ExplainResult, { kind: 'unknown-key' }>): string {
  const { explanation: e } = result
  const lines = [`${e.name} (${e.script})`, `layers: ${e.chain.join(' > ')}`, `VERL: ${e.verlVersion}`]
  if (result.kind === 'unset') {
    lines.push(
      '',
      `${result.key} is not set: no layer sets it${result.title ? ` (${result.title})` : ''}.`,
      ...(result.description ? [`  ${result.description}`] : []),
    )
    return `${lines.join('\n')}\n`
  }
  if (e.verlKey !== undefined) lines.push('', verlKeyLine(e.verlKey, e.verlVersion))
  for (const f of e.fields) {
    lines.push('', f.status === 'deleted' ? `${f.key} (deleted)` : `${f.key} = ${formatValue(f.value)}`)
    if (f.verl.length > 0) lines.push(`  VERL key: ${f.verl.join(', ')}`)
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

function verlKeyLine(answer: VerlKeyAnswer, version: string): string {
  const where = `${answer.key} (VERL ${version})`
  switch (answer.source) {
    case 'field':
      return `${where} is set from ${answer.from}:`
    case 'override':
      return `${where} is set by verl_overrides:`
    case 'finqa':
      return `${where} is set by finqa: ${answer.from}.`
    case 'ignored':
      return `${where} is never read: ${answer.from}; set ${answer.use} instead.`
    case 'default':
      return `${where} is not set by the specs: VERL's default applies${answer.from ? ` (it would come from ${answer.from})` : ''}.`
  }
}

function sameAsBefore(history: readonly ExplainStep[], step: ExplainStep): boolean {
  const i = history.indexOf(step)
  const before = history
    .slice(0, i)
    .filter((h) => h.action !== 'delete')
    .at(-1)
  return before !== undefined && sameValue(before.value, step.value)
}
