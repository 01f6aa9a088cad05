import { createRequire } from 'node:module'
import type { Ajv as AjvClass, ErrorObject, ValidateFunction } from 'ajv'
import type { Diagnostic, Position, RelatedPosition } from '../diagnostics/diagnostic.js'
import { didYouMean } from '../diagnostics/did-you-mean.js'
import * as precompiled from '../generated/validators.js'
import { isPlainMap, type Pointer, pointerJoin, pointerSegments } from '../load/parse-yaml.js'

export type Schema = { [key: string]: unknown }

/** Where a pointer stands: the value, its key, and the layers behind it (for inherited values). */
export interface Located {
  readonly value: Position
  readonly key?: Position
  readonly related?: readonly RelatedPosition[]
  /** Set when a layer deleted the value with `null`: where. */
  readonly deletedAt?: Position
}
export type Locate = (pointer: Pointer) => Located

export interface SchemaValidators {
  /** The whole experiment after inheritance. */
  readonly experiment: ValidateFunction
  /**
   * One layer file: the experiment schema with nothing required. Its errors are the experiment validator's
   * less `required`: the same as compiling the schema with every `required` removed, as long as no
   * `required` sits under a combinator or in a definition a `$ref` may reach from one, which
   * `npm run gen:types` checks (`conditionalRequired`). One validator
   * instead of two halves the precompiled code that every start-up loads.
   */
  readonly layer: (value: unknown) => ErrorObject[]
  readonly schema: Schema
}

/**
 * The options of the one ajv instance; `npm run gen:types` precompiles the validator with them. Not
 * `verbose`: the diagnostics look up the schema and the value at fault themselves (`parentSchema`, `valueAt`),
 * which keeps the subschema and the value out of every error object of the generated code.
 */
export const AJV_OPTIONS = { allErrors: true, strict: true, allowUnionTypes: true } as const

const compiled = new WeakMap<Schema, SchemaValidators>()

/** The experiment validator and the layer check made from it (see `layer`). Cached per schema. */
export function createValidators(schema: Schema): SchemaValidators {
  const cached = compiled.get(schema)
  if (cached !== undefined) return cached
  const validators = buildValidators(schema)
  compiled.set(schema, validators)
  return validators
}

/**
 * Identifies a schema by content: the precompiled validators serve only the schema they were built from, and
 * carry its text. Comparing texts is exact and needs no hash (loading node:crypto is some 6 ms of a compile).
 */
export function schemaText(schema: Schema): string {
  return JSON.stringify(schema)
}

const shipped = new WeakMap<Schema, boolean>()

/**
 * True when `createValidators(schema)` uses the validator precompiled by `npm run gen:types`. Answered once per
 * schema object: the no-op cache's key and the validators both ask.
 */
export function isPrecompiled(schema: Schema): boolean {
  let answer = shipped.get(schema)
  if (answer === undefined) {
    answer = schemaText(schema) === precompiled.SCHEMA_JSON
    shipped.set(schema, answer)
  }
  return answer
}

function buildValidators(schema: Schema): SchemaValidators {
  const experiment = isPrecompiled(schema)
    ? (precompiled.experiment as unknown as ValidateFunction)
    : compileAtRunTime(schema)
  const layer = (value: unknown): ErrorObject[] =>
    experiment(value) ? [] : (experiment.errors ?? []).filter((e) => e.keyword !== 'required')
  return { experiment, layer, schema }
}

/**
 * Another schema than the shipped one (tests, or a stale src/generated/) compiles now, with the same options.
 * ajv itself loads only here: a run with the shipped schema never needs it.
 */
function compileAtRunTime(schema: Schema): ValidateFunction {
  const { Ajv } = createRequire(import.meta.url)('ajv') as { Ajv: typeof AjvClass }
  return new Ajv({ ...AJV_OPTIONS }).compile(schema)
}

/**
 * Where `required` would not mean "this key must be set", so that `layer` could not just drop it: under a
 * combinator, and (conservatively, since a `$ref` from a combinator may reach them) in `definitions`.
 */
const CONDITIONAL = new Set([
  'anyOf',
  'oneOf',
  'allOf',
  'not',
  'if',
  'then',
  'else',
  'dependencies',
  'definitions',
])

/** The JSON Pointers of `required` lists that sit under a combinator (see `layer`); [] for our schema. */
export function conditionalRequired(schema: unknown, pointer = '#', inside = false): string[] {
  if (schema === null || typeof schema !== 'object') return []
  if (Array.isArray(schema))
    return schema.flatMap((item, i) => conditionalRequired(item, `${pointer}/${i}`, inside))
  return Object.entries(schema).flatMap(([key, value]) =>
    key === 'required' && inside
      ? [`${pointer}/required`]
      : conditionalRequired(value, `${pointer}/${key}`, inside || CONDITIONAL.has(key)),
  )
}

/** The value a validation was given, and the schema it was checked against. */
interface Checked {
  readonly schema: Schema
  readonly data: unknown
}

/** Maps ajv's errors to diagnostics at the position of the value (or key) at fault. */
export function ajvToDiagnostics(
  errors: readonly ErrorObject[],
  schema: Schema,
  data: unknown,
  locate: Locate,
): Diagnostic[] {
  const checked: Checked = { schema, data }
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath))
  const typePaths = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath))
  const shown = errors.filter(
    (error) =>
      // Inside an anyOf, report the anyOf once instead of each branch's complaint.
      !(error.keyword !== 'anyOf' && anyOfPaths.has(error.instancePath)) &&
      // A value of the wrong type: the type is the news, not the enum or pattern it then also fails.
      !(error.keyword !== 'type' && error.keyword !== 'anyOf' && typePaths.has(error.instancePath)) &&
      error.keyword !== 'propertyNames', // reported through its inner error, at the key
  )
  // An unknown key that is a typo of a known one leaves that one unset: the required keys missing at or
  // below it are its consequence, folded into its diagnostic (one root cause, one error).
  const typos = new Map<ErrorObject, { target: Pointer; folded: Set<string> }>()
  for (const error of shown) {
    const target = typoTarget(error, checked)
    if (target !== undefined) typos.set(error, { target, folded: new Set() })
  }
  const unshown = new Set<ErrorObject>()
  for (const error of shown) {
    if (error.keyword !== 'required') continue
    const missing = pointerJoin(error.instancePath, String(error.params.missingProperty))
    for (const typo of typos.values()) {
      if (missing !== typo.target && !missing.startsWith(`${typo.target}/`)) continue
      typo.folded.add(pointerSegments(missing).join('.'))
      unshown.add(error)
      break
    }
  }
  const out: Diagnostic[] = []
  for (const error of shown) {
    if (unshown.has(error)) continue
    const d = toDiagnostic(error, checked, locate)
    const folded = typos.get(error)?.folded
    out.push(folded === undefined || folded.size === 0 ? d : { ...d, folded: [...folded].sort() })
  }
  // Never let a failed validation pass silently, whatever the filters above dropped.
  if (out.length === 0 && errors[0] !== undefined)
    out.push(defaultDiagnostic(errors[0], checked, locate, fieldOf(errors[0].instancePath)))
  return out
}

function toDiagnostic(error: ErrorObject, checked: Checked, locate: Locate): Diagnostic {
  const path = error.instancePath
  const field = fieldOf(path)
  const base = { severity: 'error' as const }
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(error.params.additionalProperty)
      const at = locate(pointerJoin(path, key))
      const known = knownKeys(error, checked)
      const near = didYouMean(key, known)
      return {
        ...base,
        ...(at.key ?? at.value),
        related: at.related,
        code: 'UNKNOWN_KEY',
        message: `unknown key \`${key}\` in ${field}; expected one of: ${known.join(', ')}`,
        suggestion: near ? `did you mean \`${near}\`?` : `remove \`${key}\`: ${field} has no such setting`,
      }
    }
    case 'pattern':
    case 'maxLength':
      if (typeof error.propertyName === 'string') {
        const key = error.propertyName
        const at = locate(pointerJoin(path, key))
        return {
          ...base,
          ...(at.key ?? at.value),
          related: at.related,
          code: 'SCHEMA',
          message: `key \`${key}\` in ${field} ${describe(error)}`,
          suggestion: exampleKey(checked.schema, error),
        }
      }
      return defaultDiagnostic(error, checked, locate, field)
    case 'required': {
      const missing = String(error.params.missingProperty)
      const removed = locate(pointerJoin(path, missing))
      if (removed.deletedAt !== undefined) {
        return {
          ...base,
          ...removed.deletedAt,
          related: removed.related,
          code: 'SCHEMA',
          message: `${field === 'the spec' ? '' : `${field}: `}\`${missing}\` is required, but this layer deletes it`,
          suggestion: `remove \`${missing}: null\`, or set a new value`,
        }
      }
      const at = locate(path)
      return {
        ...base,
        ...(at.key ?? at.value),
        related: at.related,
        code: 'SCHEMA',
        message: `${field} is missing the required key \`${missing}\``,
        suggestion: `set \`${missing}\` here or in a parent layer`,
      }
    }
    default:
      return defaultDiagnostic(error, checked, locate, field)
  }
}

/** The keys the map holding an unknown key may have. */
function knownKeys(error: ErrorObject, checked: Checked): string[] {
  return Object.keys((parentSchema(checked.schema, error)?.properties as Schema | undefined) ?? {})
}

/** For an unknown key that is a likely typo of a known one: the pointer of the key it was meant to be. */
function typoTarget(error: ErrorObject, checked: Checked): Pointer | undefined {
  if (error.keyword !== 'additionalProperties') return undefined
  const near = didYouMean(String(error.params.additionalProperty), knownKeys(error, checked))
  return near === undefined ? undefined : pointerJoin(error.instancePath, near)
}

function fieldOf(path: string): string {
  return path === '' ? 'the spec' : `\`${pointerSegments(path).join('.')}\``
}

function defaultDiagnostic(error: ErrorObject, checked: Checked, locate: Locate, field: string): Diagnostic {
  const at = locate(error.instancePath)
  return {
    ...at.value,
    severity: 'error',
    related: at.related,
    code: 'SCHEMA',
    message: `${field} ${describe(error)}`,
    suggestion: suggest(
      error,
      valueAt(checked.data, error.instancePath),
      parentSchema(checked.schema, error),
    ),
  }
}

/** The schema holding the keyword that failed: `#/properties/model/additionalProperties` → the `model` schema. */
function parentSchema(schema: Schema, error: ErrorObject): Schema | undefined {
  return valueAt(schema, error.schemaPath.replace(/^#/, '').replace(/\/[^/]*$/, '')) as Schema | undefined
}

/** The value at a JSON Pointer, or undefined. */
function valueAt(root: unknown, pointer: Pointer): unknown {
  let node = root
  for (const segment of pointerSegments(pointer)) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, segment)) return undefined
    node = (node as Record<string, unknown>)[segment]
  }
  return node
}

/** The schema's pattern of free text: one line, no control characters (C0, DEL, C1). */
const ONE_LINE = '^[^\\u0000-\\u001f\\u007f-\\u009f]*$'

const PATTERNS: Record<string, string> = {
  '^[A-Za-z0-9][A-Za-z0-9._-]*$': 'a name of letters, digits, `.`, `_` and `-`',
  '^[A-Za-z0-9][A-Za-z0-9._-]*\\.sh$':
    'a file name ending in .sh, of letters, digits, `.`, `_` and `-` (no folders)',
  '^[A-Za-z0-9_./:@+%~-]+$': 'a value of letters, digits and `_ . / : @ + % ~ -` (no spaces, quotes or `$`)',
  '^/[A-Za-z0-9_./:@+%~-]*$': 'an absolute path of letters, digits and `_ . / : @ + % ~ -`',
  '^[A-Za-z0-9_.:@+%~-]+$': 'a file name of letters, digits and `_ . : @ + % ~ -` (no folders)',
  '^[A-Za-z_][A-Za-z0-9_]*$': 'a Python identifier',
  [ONE_LINE]: 'one line of text, without control characters (no line breaks, tabs or escapes)',
  '^[A-Za-z0-9]+([._-][A-Za-z0-9]+)*$':
    'a Hub namespace: letters and digits, with single `.`, `_` or `-` between them',
  '^[A-Za-z0-9_.,:@+%=~-]+$':
    'a value of letters, digits and `_ . , : @ + % = ~ -` (no spaces, quotes or `$`)',
  '^([0-9]+-[0-9]{1,2}(:[0-9]{1,2}){0,2}|[0-9]+(:[0-9]{1,2}){0,2}|INFINITE|UNLIMITED)$':
    'a Slurm time limit: MINUTES, MM:SS, HH:MM:SS, DAYS-HH, DAYS-HH:MM or DAYS-HH:MM:SS (e.g. 3-00:00:00)',
  '^[0-9]+[KMGT]?$': 'a Slurm memory size: MB, or a number with K, M, G or T (e.g. 200G)',
  '^[A-Za-z0-9_./%@+~-]+$': 'a path of letters, digits, Slurm patterns (%j, %x) and `_ . / @ + ~ -`',
  '^[A-Za-z0-9_.-]+$': 'a name of letters, digits, `_`, `.` and `-`',
  // the keys of `matrix` and of `verl_overrides` (their `propertyNames`)
  '^[A-Za-z_][A-Za-z0-9_]*(\\.\\+?[A-Za-z_][A-Za-z0-9_]*)*$':
    'a variable of letters, digits and `_` (e.g. `size`) or the dotted path of a field (e.g. `rollout.n`)',
  '^\\+{0,2}[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$':
    'a dotted key of letters, digits and `_` (a `+` prefix adds a key VERL lacks)',
}

function describe(error: ErrorObject): string {
  const p = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'type':
      return `must be ${article(String(p.type))}`
    case 'enum':
      return `must be one of: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`
    case 'pattern':
      return `must be ${PATTERNS[String(p.pattern)] ?? `a string matching ${String(p.pattern)}`}`
    case 'minimum':
      return `must be >= ${String(p.limit)}`
    case 'maximum':
      return `must be <= ${String(p.limit)}`
    case 'exclusiveMinimum':
      return `must be > ${String(p.limit)}`
    case 'exclusiveMaximum':
      return `must be < ${String(p.limit)}`
    case 'minLength':
      return p.limit === 1 ? 'must not be empty' : `must be at least ${String(p.limit)} characters long`
    case 'maxLength':
      return `must be at most ${String(p.limit)} characters long`
    case 'minItems':
      return `must have at least ${String(p.limit)} item(s)`
    case 'uniqueItems':
      return `must not repeat items (items ${String(p.j)} and ${String(p.i)} are equal)`
    case 'anyOf':
      return 'must be a boolean, a number, a string of letters, digits and `_ . / : @ + % ~ -`, or a list of those'
    case 'propertyNames':
      return 'has a key that is not a dotted VERL key'
    default:
      return error.message ?? 'is invalid'
  }
}

/**
 * What to write instead: for a value of the wrong type, what YAML made of it and how to write it; else, the
 * field's first example from the schema (every field has some).
 */
function suggest(error: ErrorObject, data: unknown, field: Schema | undefined): string | undefined {
  if (error.keyword === 'enum') {
    const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map(String)
    const near = typeof data === 'string' ? didYouMean(data, allowed) : undefined
    return near ? `did you mean "${near}"?` : undefined
  }
  if (error.keyword === 'type') {
    const wanted = String((error.params as { type: unknown }).type)
    const numeric = wanted.includes('integer') || wanted.includes('number')
    if (numeric && typeof data === 'string' && /^-?[\d.]+(e-?\d+)?$/i.test(data))
      return 'write the number without quotes'
    if (numeric && typeof data === 'string' && /^-?\d{1,3}([_,]\d{3})+$/.test(data))
      return `write ${data.replace(/[_,]/g, '')}: a YAML number has no separators`
    if (wanted.includes('boolean') && typeof data === 'string' && /^(yes|no|on|off|y|n)$/i.test(data))
      return `write true or false: YAML 1.2 reads ${data} as text`
    if (wanted.includes('string') && (typeof data === 'number' || typeof data === 'boolean'))
      return `put it in quotes to make it text: "${String(data)}"`
    if (wanted === 'object') return 'write its settings on the lines below it, indented'
  }
  if (error.keyword === 'anyOf') return 'for example: `true`, `1024`, `error` or `[a, b]`'
  if (error.keyword === 'pattern' && (error.params as { pattern: string }).pattern === ONE_LINE)
    return 'write it on one line, without the line break, tab or escape character'
  const example = (field?.examples as unknown[] | undefined)?.[0]
  return example === undefined || isPlainMap(example) ? undefined : `for example: ${yamlForm(example)}`
}

/**
 * For a key its map's `propertyNames` refuses: a key of the map's first example (`verl_overrides`,
 * `matrix`). The map's schema is the one holding that `propertyNames`.
 */
function exampleKey(schema: Schema, error: ErrorObject): string | undefined {
  const map = valueAt(schema, error.schemaPath.replace(/^#/, '').replace(/\/propertyNames\/.*$/, ''))
  const example = ((map as Schema | undefined)?.examples as unknown[] | undefined)?.[0]
  const key = isPlainMap(example) ? Object.keys(example)[0] : undefined
  return key === undefined ? undefined : `for example: \`${key}\``
}

/** A scalar or a list of scalars as written in a spec. */
function yamlForm(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(yamlForm).join(', ')}]`
  if (typeof value === 'string' && !/^[A-Za-z0-9_./:@+%~-]+$/.test(value)) return JSON.stringify(value)
  return String(value)
}

function article(type: string): string {
  const words: Record<string, string> = {
    integer: 'an integer',
    number: 'a number',
    string: 'a string',
    boolean: 'true or false',
    object: 'a map',
    array: 'a list',
    null: 'null',
  }
  return type
    .split(',')
    .map((t) => words[t] ?? t)
    .join(' or ')
}
