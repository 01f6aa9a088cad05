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
  | 'TEMPLATE'
  | 'NO_SPECS'
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

/** Sorted by file, line, column and code, with exact repeats removed (a base-layer error shows once). */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>()
  const unique = diagnostics.filter((d) => {
    const key = `${d.file}\0${d.line}\0${d.col}\0${d.code}\0${d.message}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
  return unique.sort(
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
