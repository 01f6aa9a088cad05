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
  | 'UNSET_MISSING'
  | 'UNKNOWN_KEY'
  | 'SCHEMA'
  | 'VERL_KEY'
  | 'RULE'
  | 'DUPLICATE_OUTPUT'
  | 'SECRET'
  | 'TEMPLATE'
  | 'NO_SPECS'
  | 'OUTPUT_UNWRITABLE'
  | 'SBATCH_OPTION'
  | 'SLURM_MISMATCH'
  | 'SLURM_TIME'
  | 'SLURM_LIMIT'
  | 'MATRIX_EMPTY'
  | 'MATRIX_COLLISION'
  | 'MATRIX_TEMPLATE'
  | 'MATRIX_INVALID'
  | 'ROW_COUNT'
  | 'PARQUET_UNREADABLE'

export interface RelatedPosition extends Position {
  readonly message: string
}

/** A user mistake, as data. Stages return these; only the CLI prints them. */
export interface Diagnostic extends Position {
  readonly severity: 'error' | 'warning'
  readonly code: DiagnosticCode
  /** What is wrong and what was expected. */
  readonly message: string
  readonly suggestion?: string
  readonly related?: readonly RelatedPosition[]
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error')
}

/**
 * Sorted by file, line, column and code. Repeats (a base-layer error that every experiment inherits) show
 * once, with the related positions of all of them.
 */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const byKey = new Map<string, Diagnostic>()
  for (const d of diagnostics) {
    const key = `${d.file}\0${d.line}\0${d.col}\0${d.code}\0${d.message}`
    const first = byKey.get(key)
    if (first === undefined) {
      byKey.set(key, d)
      continue
    }
    const related = [...(first.related ?? [])]
    for (const r of d.related ?? []) {
      if (
        !related.some(
          (x) => x.file === r.file && x.line === r.line && x.col === r.col && x.message === r.message,
        )
      ) {
        related.push(r)
      }
    }
    byKey.set(key, {
      ...first,
      suggestion: first.suggestion ?? d.suggestion,
      related: related.length > 0 ? related : undefined,
    })
  }
  return [...byKey.values()].sort(
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
