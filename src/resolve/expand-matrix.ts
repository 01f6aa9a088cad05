import type { Diagnostic, Position, RelatedPosition } from '../diagnostics/diagnostic.js'
import { formatNumber } from '../load/format-number.js'
import {
  isPlainMap,
  type MatrixScalar,
  type NodePosition,
  type PlainMap,
  type PlainValue,
  type Pointer,
  pointerJoin,
  pointerSegments,
  type SourceDoc,
  setOwn,
} from '../load/parse-yaml.js'
import { groupDigits } from '../report/text-table.js'
import { OverlayMap } from './overlay-map.js'

/** The keys of `matrix:` that are not axes. */
const RESERVED = new Set(['include', 'exclude'])

/** `{var}`, `{rollout.n}`, `{size|upper}`. */
const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*(?:\.\+?[A-Za-z_][A-Za-z0-9_]*)*)(?:\|([A-Za-z]+))?\}/g
// A Map, not an object: a filter named `constructor` or `toString` is unknown, not Object.prototype's.
const FILTERS: ReadonlyMap<string, (s: string) => string> = new Map([
  ['upper', (s: string) => s.toUpperCase()],
  ['lower', (s: string) => s.toLowerCase()],
])

export function isSweep(doc: SourceDoc): boolean {
  return Object.hasOwn(doc.value, 'matrix')
}

/** A matrix variable that names a field (`rollout.n`) sets it; one without a dot is for templates only. */
export function isFieldVariable(name: string): boolean {
  return name.includes('.')
}

/** The pointer a field variable sets: `rollout.n` → `/rollout/n`; `verl_overrides.a.b` → `/verl_overrides/a.b`. */
export function fieldPointer(name: string): Pointer {
  const [head, ...rest] = name.split('.')
  if (head === 'verl_overrides') return pointerJoin('/verl_overrides', rest.join('.'))
  return [head ?? '', ...rest].reduce<Pointer>((p, s) => pointerJoin(p, s), '')
}

interface Binding {
  readonly value: MatrixScalar
  /** Where the value is written: an item of an axis list or a value of an include entry. */
  readonly at: NodePosition
}

type Combination = ReadonlyMap<string, Binding>

export interface MatrixExpansion {
  /** One layer per combination, in matrix order; `file` stays the sweep file, so positions point into it. */
  readonly docs: SourceDoc[]
  readonly diagnostics: Diagnostic[]
}

/**
 * The most combinations one sweep file may make (before `exclude`). Each is a training run of days; a
 * product far past this is a mistake in a list, and expanding it would take minutes and gigabytes (300 × 300
 * made 90,000 experiments in 32 s and 835 MB; 1,000 × 1,000 would run out of memory).
 */
const MAX_COMBINATIONS = 10_000

/**
 * Expands a sweep file (one with `matrix:`) into one layer per combination: the product of the axes, less
 * the `exclude` matches, plus the `include` entries. Each layer has the file's settings with `{var}`
 * filled in and the field variables set, and keeps positions into the sweep file (a field variable's value
 * points at its item in the matrix). Assumes the matrix passed the layer schema. Pure.
 */
export function expandMatrix(doc: SourceDoc): MatrixExpansion {
  const diagnostics: Diagnostic[] = []
  const matrix = doc.value.matrix
  const matrixNode = doc.positions.get('/matrix')
  const matrixAt: Position = matrixNode?.key ?? matrixNode?.value ?? { file: doc.file, line: 1, col: 1 }
  const at = (pointer: Pointer): Position => doc.positions.get(pointer)?.value ?? matrixAt
  const keyAt = (pointer: Pointer): Position => doc.positions.get(pointer)?.key ?? at(pointer)
  const error = (
    where: Position,
    code: Diagnostic['code'],
    message: string,
    extra: { suggestion?: string; related?: RelatedPosition[]; severity?: 'warning' } = {},
  ): void => {
    diagnostics.push({ ...where, severity: extra.severity ?? 'error', code, message, ...extra })
  }
  if (!isPlainMap(matrix)) {
    error(matrixAt, 'MATRIX_INVALID', '`matrix` must be a map of axes, e.g. `rollout.n: [4, 12]`')
    return { docs: [], diagnostics }
  }

  if (doc.value.abstract === true) {
    error(
      keyAt('/abstract'),
      'MATRIX_INVALID',
      'a sweep file produces experiments, so it cannot be abstract',
      {
        suggestion: 'remove `abstract: true`, or move the matrix to a file that extends this one',
      },
    )
    return { docs: [], diagnostics }
  }

  // Axes, in the order written.
  const axes = Object.entries(matrix).filter(([k]) => !RESERVED.has(k))
  const sizes = axes.map(([, values]) => (Array.isArray(values) ? values.length : 0))
  const product = sizes.reduce((n, size) => n * size, 1)
  if (axes.length > 0 && product > MAX_COMBINATIONS) {
    error(
      matrixAt,
      'MATRIX_TOO_LARGE',
      `the matrix makes ${groupDigits(product)} combinations (${sizes.join(' × ')}) before \`exclude\`; a sweep file makes at most ${groupDigits(MAX_COMBINATIONS)}`,
      { suggestion: 'check its lists for a mistake, or split the sweep into several files' },
    )
    return { docs: [], diagnostics }
  }
  let combinations: Combination[] = axes.length === 0 ? [] : [new Map()]
  for (const [name, values] of axes) {
    const list = Array.isArray(values) ? values : []
    const next: Combination[] = []
    for (const combination of combinations) {
      for (const [i, value] of list.entries()) {
        const pointer = pointerJoin(pointerJoin('/matrix', name), i)
        next.push(new Map([...combination, [name, { value: value as MatrixScalar, at: nodeAt(pointer) }]]))
      }
    }
    combinations = next
  }
  const emptyAxes = axes.filter(([, v]) => Array.isArray(v) && v.length === 0).map(([k]) => k)
  const variables = axes.map(([k]) => k)

  // exclude: drop every combination that has all of an entry's values.
  const excludes = Array.isArray(matrix.exclude) ? matrix.exclude : []
  for (const [i, entry] of excludes.entries()) {
    if (!isPlainMap(entry)) continue
    const entryPointer = pointerJoin('/matrix/exclude', i)
    const unknown = Object.keys(entry).filter((k) => !variables.includes(k))
    for (const k of unknown) {
      error(
        keyAt(pointerJoin(entryPointer, k)),
        'MATRIX_INVALID',
        `exclude names \`${k}\`, which is not an axis of the matrix`,
        {
          suggestion:
            variables.length > 0
              ? `the axes are: ${variables.join(', ')}`
              : 'exclude removes combinations of the axes; this matrix has none',
        },
      )
    }
    if (unknown.length > 0) continue
    const before = combinations.length
    combinations = combinations.filter((c) => !Object.entries(entry).every(([k, v]) => c.get(k)?.value === v))
    if (combinations.length === before && before > 0) {
      error(at(entryPointer), 'MATRIX_INVALID', 'this exclude entry matches no combination of the matrix', {
        severity: 'warning',
        suggestion: 'check its values against the axes',
      })
    }
  }

  // include: append whole combinations.
  const includes = Array.isArray(matrix.include) ? matrix.include : []
  const firstInclude = includes.find(isPlainMap)
  const expected = variables.length > 0 ? variables : Object.keys(firstInclude ?? {})
  for (const [i, entry] of includes.entries()) {
    if (!isPlainMap(entry)) continue
    const entryPointer = pointerJoin('/matrix/include', i)
    const missing = expected.filter((k) => !Object.hasOwn(entry, k))
    const extra = Object.keys(entry).filter((k) => !expected.includes(k))
    for (const k of extra) {
      error(
        keyAt(pointerJoin(entryPointer, k)),
        'MATRIX_INVALID',
        `include names \`${k}\`, which is not an axis of the matrix`,
        {
          suggestion: `an include entry gives a value for each of: ${expected.join(', ')}`,
        },
      )
    }
    if (missing.length > 0) {
      error(
        at(entryPointer),
        'MATRIX_INVALID',
        `this include entry gives no value for ${missing.map((k) => `\`${k}\``).join(', ')}`,
        {
          suggestion: `an include entry gives a value for each of: ${expected.join(', ')}`,
        },
      )
    }
    if (missing.length > 0 || extra.length > 0) continue
    combinations.push(
      new Map(
        expected.map((k) => [
          k,
          { value: entry[k] as MatrixScalar, at: nodeAt(pointerJoin(entryPointer, k)) },
        ]),
      ),
    )
  }

  if (combinations.length === 0) {
    const why =
      emptyAxes.length > 0
        ? `the axis ${emptyAxes.map((k) => `\`${k}\``).join(', ')} has no values`
        : axes.length === 0 && includes.length === 0
          ? 'it has no axes and no include entries'
          : 'exclude removes every combination'
    error(matrixAt, 'MATRIX_EMPTY', `the matrix expands to no experiments: ${why}`, {
      suggestion: 'give every axis at least one value, or remove the matrix',
    })
    return { docs: [], diagnostics }
  }

  // Field variables may not also be set by the file itself.
  const names = [...(combinations[0]?.keys() ?? [])]
  const blocked = new Set<string>()
  for (const name of names.filter(isFieldVariable)) {
    const pointer = fieldPointer(name)
    const clash = firstSetAlong(doc.value, pointer)
    if (clash === undefined) continue
    blocked.add(name)
    const where = doc.positions.get(clash)
    error(
      keyAt(pointerJoin('/matrix', name)),
      'MATRIX_INVALID',
      `\`${name}\` is both a matrix axis and set in this file`,
      {
        suggestion: `remove one of the two; the matrix sets ${pointerSegments(pointer).join('.')} for each combination`,
        related: where ? [{ ...(where.key ?? where.value), message: 'also set here' }] : undefined,
      },
    )
  }
  if (blocked.size > 0) return { docs: [], diagnostics }

  const docs: SourceDoc[] = []
  for (const combination of combinations) {
    const expanded = expandOne(doc, combination, matrixAt)
    diagnostics.push(...expanded.diagnostics)
    if (expanded.doc !== undefined) docs.push(expanded.doc)
  }
  return { docs: dropCollisions(doc, docs, matrixAt, diagnostics), diagnostics }

  function nodeAt(pointer: Pointer): NodePosition {
    return doc.positions.get(pointer) ?? { value: matrixAt }
  }
}

/** One combination's layer: templates filled, field variables set, positions kept. */
function expandOne(
  doc: SourceDoc,
  combination: Combination,
  matrixAt: Position,
): { doc?: SourceDoc; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = []
  const known = [...combination.keys()]

  const fill = (value: PlainValue, pointer: Pointer): PlainValue => {
    if (typeof value === 'string') return fillTemplate(value, pointer)
    if (Array.isArray(value)) return value.map((v, i) => fill(v, pointerJoin(pointer, i)))
    if (isPlainMap(value)) {
      const out: PlainMap = {}
      for (const [k, v] of Object.entries(value)) {
        if (pointer === '' && k === 'matrix') continue
        setOwn(out, k, fill(v, pointerJoin(pointer, k)))
      }
      return out
    }
    return value
  }
  const fillTemplate = (text: string, pointer: Pointer): string =>
    text.replace(PLACEHOLDER, (whole, name: string, filter: string | undefined) => {
      const binding = combination.get(name)
      const position = doc.positions.get(pointer)?.value ?? matrixAt
      if (binding === undefined) {
        diagnostics.push({
          ...position,
          severity: 'error',
          code: 'MATRIX_TEMPLATE',
          message: `\`${whole}\` names no variable of the matrix`,
          suggestion: known.length > 0 ? `the variables are: ${known.join(', ')}` : undefined,
        })
        return whole
      }
      const text = matrixText(binding.value)
      if (filter === undefined) return text
      const apply = FILTERS.get(filter)
      if (apply === undefined) {
        diagnostics.push({
          ...position,
          severity: 'error',
          code: 'MATRIX_TEMPLATE',
          message: `\`${whole}\`: unknown filter \`${filter}\``,
          suggestion: `the filters are: ${[...FILTERS.keys()].join(', ')}`,
        })
        return whole
      }
      return apply(text)
    })

  // `fill` builds new maps and lists throughout, so the sweep file's own value is never changed.
  const value = fill(doc.value, '') as PlainMap
  // The sweep file's positions, shared by every combination, under this combination's own few.
  const positions = new OverlayMap(doc.positions)
  for (const [name, binding] of combination) {
    if (!isFieldVariable(name)) continue
    const pointer = fieldPointer(name)
    const axisKey = doc.positions.get(pointerJoin('/matrix', name))?.key ?? binding.at.value
    setAlong(value, pointer, binding.value, (p) => {
      if (!positions.has(p)) positions.set(p, { value: axisKey, key: axisKey })
    })
    positions.set(pointer, { value: binding.at.value, key: axisKey })
  }
  if (diagnostics.length > 0) return { diagnostics }
  const label = [...combination].map(([k, b]) => `${k}=${matrixText(b.value)}`).join(',')
  return {
    doc: {
      file: doc.file,
      value,
      positions,
      diagnostics: [],
      sweep: { label, matrix: matrixAt },
    },
    diagnostics,
  }
}

/**
 * A matrix value as `{var}` fills it in and a layer id names it: a number spelled as everywhere else
 * (`formatNumber`: `lr{training.lr}` with 1e-6 is `lr1e-6`, not `lr0.000001`), a string or boolean as written.
 */
export function matrixText(value: MatrixScalar): string {
  return typeof value === 'number' ? formatNumber(value) : String(value)
}

/** Two combinations may not give the same experiment name or script: an error at the matrix, first one kept. */
function dropCollisions(
  doc: SourceDoc,
  docs: readonly SourceDoc[],
  matrixAt: Position,
  diagnostics: Diagnostic[],
): SourceDoc[] {
  const dropped = new Set<SourceDoc>()
  for (const field of ['name', 'script'] as const) {
    const groups = new Map<string, SourceDoc[]>()
    for (const d of docs) {
      const v = d.value[field]
      const key = typeof v === 'string' ? v : '\0inherited'
      const group = groups.get(key)
      if (group === undefined) groups.set(key, [d])
      else group.push(d)
    }
    for (const [key, group] of groups) {
      if (group.length < 2) continue
      for (const d of group.slice(1)) dropped.add(d)
      const template = doc.positions.get(`/${field}`)
      const labels = group.map((d) => d.sweep?.label ?? '').join('; ')
      diagnostics.push({
        ...matrixAt,
        severity: 'error',
        code: 'MATRIX_COLLISION',
        message:
          key === '\0inherited'
            ? `the matrix's combinations (${labels}) all inherit the same ${field}`
            : `the matrix gives ${group.length} combinations the same ${field} ${key}: ${labels}`,
        suggestion: `use the matrix variables in \`${field}:\`, e.g. ${field === 'name' ? 'qwen3_{size}_rollout{rollout.n}' : 'run_{size}_rollout{rollout.n}.sh'}`,
        related: template ? [{ ...template.value, message: `the ${field} template` }] : undefined,
      })
    }
  }
  return docs.filter((d) => !dropped.has(d))
}

/** The first pointer along `pointer` that the value already sets (itself, or a non-map on the way). */
function firstSetAlong(value: PlainMap, pointer: Pointer): Pointer | undefined {
  let node: PlainValue = value
  let at = ''
  for (const segment of pointerSegments(pointer)) {
    if (!isPlainMap(node)) return at
    if (!Object.hasOwn(node, segment)) return undefined
    node = node[segment] as PlainValue
    at = pointerJoin(at, segment)
  }
  return at
}

function setAlong(
  target: PlainMap,
  pointer: Pointer,
  value: PlainValue,
  created: (p: Pointer) => void,
): void {
  const segments = pointerSegments(pointer)
  let node = target
  let at = ''
  for (const [i, segment] of segments.entries()) {
    at = pointerJoin(at, segment)
    if (i === segments.length - 1) {
      setOwn(node, segment, value)
      return
    }
    // Own keys only: `__proto__.abstract` reads no prototype, so it sets an own `__proto__` map (which the
    // schema then refuses), never `abstract` on Object.prototype.
    let next = Object.hasOwn(node, segment) ? node[segment] : undefined
    if (!isPlainMap(next)) {
      next = {}
      setOwn(node, segment, next)
      created(at)
    }
    node = next
  }
}
