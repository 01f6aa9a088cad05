import { isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml'
import type { Diagnostic, Position } from '../diagnostics/diagnostic.js'

/** A JSON Pointer (RFC 6901) into a spec value, e.g. `/rollout/n`. The root is ''. */
export type Pointer = string

/** Where a key and its value stand in the file. */
export interface NodePosition {
  readonly value: Position
  readonly key?: Position
}

export type PlainValue = string | number | boolean | null | PlainValue[] | PlainMap
export interface PlainMap {
  [key: string]: PlainValue
}

/** Where each node of a file stands, by pointer (a sweep's combinations share their file's: see OverlayMap). */
export type Positions = Pick<ReadonlyMap<Pointer, NodePosition>, 'get' | 'has'>

/** One spec file after parsing: its value as written, and the position of every node in it. */
export interface SourceDoc {
  readonly file: string
  readonly value: PlainMap
  readonly positions: Positions
  readonly diagnostics: readonly Diagnostic[]
  /** Set on the layers a sweep file expands into (resolve/expand-matrix.ts): which combination this is. */
  readonly sweep?: SweepCombination
}

export type MatrixScalar = string | number | boolean

/** One combination of a sweep file's matrix. */
export interface SweepCombination {
  /** `size=4b,rollout.n=12`: the variables in matrix order. */
  readonly label: string
  /** The `matrix:` key of the sweep file. */
  readonly matrix: Position
}

/** A layer's identity: its file, or for a sweep's combination `file[size=4b,rollout.n=12]`. */
export function layerId(doc: Pick<SourceDoc, 'file' | 'sweep'>): string {
  return doc.sweep === undefined ? doc.file : `${doc.file}[${doc.sweep.label}]`
}

export function pointerJoin(parent: Pointer, key: string | number): Pointer {
  const k = String(key)
  if (!k.includes('~') && !k.includes('/')) return `${parent}/${k}`
  return `${parent}/${k.replaceAll('~', '~0').replaceAll('/', '~1')}`
}

export function pointerSegments(pointer: Pointer): string[] {
  if (pointer === '') return []
  const segments = pointer.slice(1).split('/')
  if (!pointer.includes('~')) return segments
  return segments.map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
}

/** Sets an own property even for names like `__proto__`. */
export function setOwn(target: PlainMap, key: string, value: PlainValue): void {
  // Assignment makes the same own, enumerable, writable property, faster; only `__proto__` is an accessor.
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
}

export function isPlainMap(value: unknown): value is PlainMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** How spec files are parsed (with a `LineCounter` of each file's own); bench/floor.mjs parses with the same. */
export const YAML_OPTIONS = { uniqueKeys: true, prettyErrors: false, strict: true } as const

/** Parses one spec file. Pure: text in, value + positions + diagnostics out. */
export function parseYaml(file: string, text: string): SourceDoc {
  const lineCounter = new LineCounter()
  const diagnostics: Diagnostic[] = []
  const positions = new Map<Pointer, NodePosition>()
  const at = (offset: number, end?: number): Position => {
    const start = lineCounter.linePos(offset)
    const stop = end === undefined ? undefined : lineCounter.linePos(end)
    return { file, line: start.line, col: start.col, endLine: stop?.line, endCol: stop?.col }
  }
  const empty: SourceDoc = { file, value: {}, positions, diagnostics }

  // The text is decoded already (read-specs.ts refuses bytes that are not UTF-8), so a U+FFFD here is a
  // character the file holds, as valid as any other.
  const doc = parseDocument(text, { lineCounter, ...YAML_OPTIONS })
  for (const error of doc.errors) {
    const [startOffset] = error.pos
    diagnostics.push({
      ...at(startOffset),
      severity: 'error',
      code: 'YAML_SYNTAX',
      message: yamlMessage(error.code, error.message),
      suggestion: yamlSuggestion(error.code),
    })
  }
  if (diagnostics.length > 0) return empty

  const root = doc.contents
  if (root === null || (isScalar(root) && root.value === null)) {
    diagnostics.push({
      ...at(0),
      severity: 'error',
      code: 'NOT_A_MAP',
      message: 'the file is empty; a spec is a map of settings',
      suggestion: 'add at least `extends:` or the settings of this layer',
    })
    return empty
  }
  if (!isMap(root)) {
    diagnostics.push({
      ...at(root.range?.[0] ?? 0),
      severity: 'error',
      code: 'NOT_A_MAP',
      message: `a spec must be a map of settings, found a ${isSeq(root) ? 'list' : 'scalar'}`,
      suggestion: 'write one `key: value` setting per line at the top level, e.g. `extends: ../base.yaml`',
    })
    return empty
  }

  const convert = (node: Node | null, pointer: Pointer, keyPos: Position | undefined): PlainValue => {
    if (node === null) return null
    const range = node.range ?? [0, 0, 0]
    positions.set(pointer, { value: at(range[0], range[1]), key: keyPos })
    if (node.tag !== undefined && !CORE_TAGS.has(node.tag)) {
      // `yaml` drops a tag it does not know (`!env`) and keeps the text: the spec would mean something else
      // than its author wrote.
      diagnostics.push({
        ...at(range[0], range[1]),
        severity: 'error',
        code: 'YAML_SYNTAX',
        message: `YAML tags (${shortTag(node.tag)}) are not supported in specs; a value is plain text, a number, a boolean, a list or a map`,
        suggestion:
          'remove the tag; a value from the environment goes in at run time (e.g. `ROLLOUT_N=16 bash run_4b.sh`), not in a spec',
      })
      return null
    }
    if (isAlias(node)) {
      diagnostics.push({
        ...at(range[0]),
        severity: 'error',
        code: 'YAML_ALIAS',
        message: `YAML aliases (*${node.source}) are not supported in specs`,
        suggestion: 'use `extends:` to share settings between files, or write the value out',
      })
      return null
    }
    if (node.anchor) {
      diagnostics.push({
        ...at(range[0]),
        severity: 'error',
        code: 'YAML_ALIAS',
        message: `YAML anchors (&${node.anchor}) are not supported in specs`,
        suggestion: 'use `extends:` to share settings between files',
      })
    }
    if (isMap(node)) {
      const out: PlainMap = {}
      for (const pair of node.items) {
        const key = pair.key as Node | null
        if (!isScalar(key) || (typeof key.value !== 'string' && typeof key.value !== 'number')) {
          diagnostics.push({
            ...at(key?.range?.[0] ?? range[0]),
            severity: 'error',
            code: 'YAML_SYNTAX',
            message: 'map keys must be plain strings',
          })
          continue
        }
        if (key.value === '<<') {
          diagnostics.push({
            ...at(key.range?.[0] ?? range[0]),
            severity: 'error',
            code: 'YAML_ALIAS',
            message: 'YAML merge keys (<<) are not supported in specs',
            suggestion: 'use `extends:` to share settings between files',
          })
          continue
        }
        if (key.tag !== undefined && !CORE_TAGS.has(key.tag)) {
          diagnostics.push({
            ...at(key.range?.[0] ?? range[0]),
            severity: 'error',
            code: 'YAML_SYNTAX',
            message: `YAML tags (${shortTag(key.tag)}) are not supported in specs`,
            suggestion: 'remove the tag',
          })
          continue
        }
        const name = String(key.value)
        const keyRange = key.range ?? range
        const child = pointerJoin(pointer, name)
        const valueNode = pair.value as Node | null
        if (valueNode === null || (isScalar(valueNode) && valueNode.range?.[0] === valueNode.range?.[1])) {
          diagnostics.push({
            ...at(keyRange[0], keyRange[1]),
            severity: 'error',
            code: 'EMPTY_VALUE',
            message: `\`${name}\` has no value`,
            suggestion: 'give it a value, or write `null` to delete the value inherited from the parent',
          })
          continue
        }
        setOwn(out, name, convert(valueNode, child, at(keyRange[0], keyRange[1])))
      }
      return out
    }
    if (isSeq(node)) {
      return node.items.map((item, i) => convert(item as Node | null, pointerJoin(pointer, i), undefined))
    }
    if (isScalar(node)) {
      const v = node.value
      if (v === null || typeof v === 'string' || typeof v === 'boolean') return v
      if (typeof v === 'number' || typeof v === 'bigint') {
        const n = Number(v)
        if (!Number.isFinite(n)) {
          diagnostics.push({
            ...at(range[0], range[1]),
            severity: 'error',
            code: 'SCHEMA',
            message: `${node.source ?? String(v)} is not a finite number; specs take finite numbers only`,
            suggestion: 'write a finite number (e.g. 1e9), or leave the key out',
          })
          return null
        }
        if (Number.isInteger(n) && !Number.isSafeInteger(n)) {
          diagnostics.push({
            ...at(range[0], range[1]),
            severity: 'error',
            code: 'SCHEMA',
            message: `${node.source ?? String(v)} is too large to be carried exactly (the largest is ${Number.MAX_SAFE_INTEGER})`,
            suggestion: 'write a smaller number, or put it in quotes if it is meant as text',
          })
          return null
        }
        return n
      }
      diagnostics.push({
        ...at(range[0]),
        severity: 'error',
        code: 'YAML_SYNTAX',
        message: 'unsupported YAML value; use a string, number, boolean, list or map',
      })
      return null
    }
    return null
  }

  const value = convert(root, '', undefined)
  // One alias diagnostic per file is enough (a "billion laughs" file has hundreds).
  const aliases = diagnostics.filter((d) => d.code === 'YAML_ALIAS')
  const [firstAlias] = aliases
  if (firstAlias !== undefined && aliases.length > 1) {
    const rest = diagnostics.filter((d) => d.code !== 'YAML_ALIAS')
    rest.push({
      ...firstAlias,
      message: `${firstAlias.message} (and ${aliases.length - 1} more anchors/aliases)`,
    })
    return { file, value: {}, positions, diagnostics: rest }
  }
  return { file, value: isPlainMap(value) ? value : {}, positions, diagnostics }
}

/** The tags of YAML 1.2's core schema, which mean what the value without them would (`!!str 1e-6`). */
const CORE_TAGS: ReadonlySet<string> = new Set(
  ['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`),
)

/** `!!python/object` for `tag:yaml.org,2002:python/object`, as the author wrote it. */
function shortTag(tag: string): string {
  return tag.startsWith('tag:yaml.org,2002:') ? `!!${tag.slice('tag:yaml.org,2002:'.length)}` : tag
}

function yamlMessage(code: string, message: string): string {
  const first = message.split('\n')[0] ?? message
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'duplicate key: each key may appear once in a map'
    case 'TAB_AS_INDENT':
      return 'tabs are not allowed for indentation in YAML'
    case 'MULTIPLE_DOCS':
      // The library's own text goes on to advise a function of its API.
      return 'YAML syntax error: the file holds several documents (a `---` line starts another)'
    case 'RESOURCE_EXHAUSTION':
      // Thousands of nested lists or maps: the parser's recursion ran out of stack ("Maximum call stack ...").
      return first.includes('call stack')
        ? 'YAML syntax error: the values nest too deep to read'
        : `YAML syntax error: ${first}`
    default:
      return `YAML syntax error: ${first.replace(/ at line \d+, column \d+:?$/, '')}`
  }
}

/** What to do about a YAML error, by the `yaml` library's code; undefined when nothing better than the message. */
function yamlSuggestion(code: string): string | undefined {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'remove one of the two entries'
    case 'TAB_AS_INDENT':
      return 'indent with spaces'
    case 'MULTIPLE_DOCS':
      return 'keep one spec per file: remove the `---` line, or move what follows it to a file of its own'
    case 'MISSING_CHAR':
      return 'close the quote or bracket that this value opens'
    case 'BAD_INDENT':
      return 'indent the entries of one map alike, and close a [ or { on the line it opens, or indent its lines more'
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
      return 'one `key: value` per line; a map value goes on the lines below its key, indented'
    case 'BAD_DQ_ESCAPE':
      return 'in double quotes write a backslash as \\\\, or use single quotes'
    case 'BAD_SCALAR_START':
      return 'put the value in quotes'
    case 'UNEXPECTED_TOKEN':
      return 'remove the stray character, or put the value in quotes'
    case 'RESOURCE_EXHAUSTION':
      return 'a spec nests a few maps deep: flatten this value'
    default:
      return undefined
  }
}
