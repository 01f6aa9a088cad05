import type { Experiment } from '../generated/experiment.js'
import type { PlainValue } from '../load/parse-yaml.js'
import type { CompiledExperiment } from '../render/compiled-experiment.js'
import { fieldsOf, formatValue, type ResolvedField, sameValue, schemaOrder } from './fields.js'
import { formatTextTable } from './text-table.js'

type Schema = { readonly [key: string]: unknown }

/** Fields that only document an experiment: `finqa diff` hides them unless asked (`--all`). */
export const DOCUMENTATION_FIELDS: readonly string[] = ['description', 'model.label']

/** One side of a difference: the resolved value and the layer that decided it. */
export interface DiffSide {
  readonly status: 'set' | 'deleted' | 'absent'
  readonly value?: PlainValue
  /** The layer that set (or deleted) it; absent when no layer did. */
  readonly file?: string
  readonly line?: number
  readonly col?: number
}

export interface Difference {
  /** A dotted field, or for a value finqa derives, its name (`checkpoint dir`). */
  readonly key: string
  /** True for a value derived from fields (the checkpoint folder), not a field itself. */
  readonly derived: boolean
  readonly a: DiffSide
  readonly b: DiffSide
}

export interface ExperimentDiff {
  readonly a: { readonly name: string; readonly script: string; readonly layer: string }
  readonly b: { readonly name: string; readonly script: string; readonly layer: string }
  readonly differences: readonly Difference[]
  /** Documentation fields that differ but were left out. */
  readonly hidden: readonly string[]
}

export interface DiffOptions {
  readonly schema: Schema
  /** Include documentation fields (description, model.label). */
  readonly all?: boolean
}

/** Field by field, how two resolved experiments differ, each side with the layer that set its value. Pure. */
export function diffExperiments(
  a: CompiledExperiment,
  b: CompiledExperiment,
  options: DiffOptions,
): ExperimentDiff {
  const fa = new Map(fieldsOf(a.spec).map((f) => [f.key, f]))
  const fb = new Map(fieldsOf(b.spec).map((f) => [f.key, f]))
  const keys = [...new Set([...fa.keys(), ...fb.keys()])].sort(schemaOrder(options.schema))
  const differences: Difference[] = []
  const hidden: string[] = []
  for (const key of keys) {
    const x = fa.get(key)
    const y = fb.get(key)
    if (x?.status === y?.status && sameValue(x?.value, y?.value)) continue
    if (!options.all && DOCUMENTATION_FIELDS.includes(key)) {
      hidden.push(key)
      continue
    }
    differences.push({ key, derived: false, a: sideOf(x), b: sideOf(y) })
  }
  // Where the checkpoints land: trainer.checkpoint_root + name (trainer.default_local_dir).
  const dirA = checkpointDir(a.experiment)
  const dirB = checkpointDir(b.experiment)
  if (dirA !== dirB) {
    const rootDiffers = a.experiment.trainer.checkpoint_root !== b.experiment.trainer.checkpoint_root
    const nameDiffers = a.experiment.name !== b.experiment.name
    const decidedBy = nameDiffers || !rootDiffers ? 'name' : 'trainer.checkpoint_root'
    differences.push({
      key: 'checkpoint dir',
      derived: true,
      a: { ...sideOf(fa.get(decidedBy)), value: dirA },
      b: { ...sideOf(fb.get(decidedBy)), value: dirB },
    })
  }
  const who = (item: CompiledExperiment) => ({
    name: item.experiment.name,
    script: item.experiment.script,
    layer: item.spec.id,
  })
  return { a: who(a), b: who(b), differences, hidden }
}

/** Where an experiment's checkpoints land: trainer.checkpoint_root + name (trainer.default_local_dir). */
export function checkpointDir(e: Experiment): string {
  return `${e.trainer.checkpoint_root.replace(/\/+$/, '')}/${e.name}`
}

function sideOf(field: ResolvedField | undefined): DiffSide {
  if (field === undefined) return { status: 'absent' }
  const winner = field.history.at(-1)
  const where = winner
    ? { file: winner.position.file, line: winner.position.line, col: winner.position.col }
    : {}
  return field.status === 'deleted'
    ? { status: 'deleted', ...where }
    : { status: 'set', value: field.value, ...where }
}

/** The text `finqa diff` prints. */
export function formatDiff(diff: ExperimentDiff): string {
  const head = `${diff.a.name} (${diff.a.script})  vs  ${diff.b.name} (${diff.b.script})`
  const show = (s: DiffSide): string =>
    s.status === 'absent' ? '(not set)' : s.status === 'deleted' ? '(deleted)' : formatValue(s.value)
  const at = (s: DiffSide): string => (s.file === undefined ? '' : `${s.file}:${s.line}:${s.col}`)
  const lines = [head, '']
  if (diff.differences.length === 0) lines.push('no differences')
  else {
    const rows = diff.differences.flatMap((d) => [
      [d.key, diff.a.name, show(d.a), at(d.a)],
      ['', diff.b.name, show(d.b), at(d.b)],
    ])
    lines.push(formatTextTable({ header: ['Field', 'Experiment', 'Value', 'Set at'], rows }))
  }
  const count = `${diff.differences.length} difference${diff.differences.length === 1 ? '' : 's'}`
  const hidden =
    diff.hidden.length > 0 ? `; documentation also differs (${diff.hidden.join(', ')}): --all shows it` : ''
  lines.push('', `${count}${hidden}`)
  return `${lines.join('\n')}\n`
}
