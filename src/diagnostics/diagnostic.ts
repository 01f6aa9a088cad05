/** A position in a spec file: 1-based line and column, like yaml's LinePos. */
export interface Position {
  readonly file: string
  readonly line: number
  readonly col: number
  readonly endLine?: number
  readonly endCol?: number
}

export type DiagnosticCode =
  | 'YAML_SYNTAX'
  | 'YAML_ALIAS'
  | 'NOT_A_MAP'
  | 'EMPTY_VALUE'
  | 'EXTENDS_NOT_FOUND'
  | 'EXTENDS_CYCLE'
  | 'EXTENDS_OUTSIDE'
  | 'EXTENDS_DEPTH'
  | 'UNSET_MISSING'
  | 'UNKNOWN_KEY'
  | 'SCHEMA'
  | 'VERL_KEY'
  | 'VERL_CHECK'
  | 'VERL_CONFIG_DIR'
  | 'RULE'
  | 'DUPLICATE_OUTPUT'
  | 'DUPLICATE_TRAINING'
  | 'SECRET'
  | 'TEMPLATE'
  | 'NO_SPECS'
  | 'SPEC_LINK'
  | 'OUTPUT_UNWRITABLE'
  | 'OUTPUT_CONFLICT'
  | 'OUTPUT_BUSY'
  | 'OUTPUT_LINK'
  | 'OUTPUT_MANIFEST'
  | 'SPEC_NOT_FILE'
  | 'SPEC_UNREADABLE'
  | 'SBATCH_OPTION'
  | 'SLURM_MISMATCH'
  | 'SLURM_TIME'
  | 'SLURM_LIMIT'
  | 'UPLOAD_ARGS'
  | 'MATRIX_EMPTY'
  | 'MATRIX_TOO_LARGE'
  | 'MATRIX_COLLISION'
  | 'MATRIX_TEMPLATE'
  | 'MATRIX_INVALID'
  | 'ROW_COUNT'
  | 'PARQUET_UNREADABLE'

export interface RelatedPosition extends Position {
  readonly message: string
  /**
   * Set when this position is an experiment that inherited the value at fault: its name. The formatter
   * folds many of these into one line ("inherited by 12 experiments: a, b, c, …").
   */
  readonly inheritedBy?: string
}

/** A user mistake, as data. Stages return these; only the CLI prints them. */
export interface Diagnostic extends Position {
  readonly severity: 'error' | 'warning'
  readonly code: DiagnosticCode
  /** What is wrong and what was expected. */
  readonly message: string
  readonly suggestion?: string
  readonly related?: readonly RelatedPosition[]
  /**
   * Required keys (dotted, sorted) that this mistake leaves unset in the experiments that inherit it, whose
   * own "missing required key" errors are folded into this one: one root cause, one error. Set on an
   * unknown key whose did-you-mean names the missing key or a map above it (`rollot:` for `rollout:`).
   */
  readonly folded?: readonly string[]
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error')
}

/**
 * Sorted by file, line, column and code. Repeats (a base-layer error that every experiment inherits) show
 * once, with the related positions of all of them.
 */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  // Per key: the first diagnostic and, once it repeats, the merged suggestion and related positions (a set
  // of their keys makes each repeat cost its own related positions, not all gathered so far).
  interface Repeats {
    first: Diagnostic
    suggestion?: string
    related: RelatedPosition[]
    seen: Set<string>
    folded: Set<string>
  }
  const groups = new Map<string, Diagnostic | Repeats>()
  const relatedKey = (r: RelatedPosition) => `${r.file}\0${r.line}\0${r.col}\0${r.message}`
  for (const d of diagnostics) {
    const key = `${d.file}\0${d.line}\0${d.col}\0${d.code}\0${d.message}`
    let group = groups.get(key)
    if (group === undefined) {
      groups.set(key, d)
      continue
    }
    if (!('first' in group)) {
      const related = [...(group.related ?? [])]
      group = {
        first: group,
        suggestion: group.suggestion,
        related,
        seen: new Set(related.map(relatedKey)),
        folded: new Set(group.folded),
      }
      groups.set(key, group)
    }
    group.suggestion ??= d.suggestion
    for (const key of d.folded ?? []) group.folded.add(key)
    for (const r of d.related ?? []) {
      const k = relatedKey(r)
      if (group.seen.has(k)) continue
      group.seen.add(k)
      group.related.push(r)
    }
  }
  const byKey = [...groups.values()].map((g) =>
    'first' in g
      ? {
          ...g.first,
          suggestion: g.suggestion,
          related: g.related.length > 0 ? g.related : undefined,
          ...(g.folded.size > 0 ? { folded: [...g.folded].sort(compareStrings) } : {}),
        }
      : g,
  )
  return byKey.sort(
    (a, b) =>
      compareStrings(a.file, b.file) || a.line - b.line || a.col - b.col || compareStrings(a.code, b.code),
  )
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** A bug in finqa, never a user mistake. The CLI prints it with a request to report it and exits 70. */
export class InternalError extends Error {
  override name = 'InternalError'
}
