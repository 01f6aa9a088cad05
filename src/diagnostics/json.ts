import type { Diagnostic } from './diagnostic.js'

/** A diagnostic as `--json` prints it: every key always present, in a fixed order. */
export interface DiagnosticJson {
  readonly severity: Diagnostic['severity']
  readonly code: Diagnostic['code']
  readonly file: string
  readonly line: number
  readonly col: number
  readonly endLine: number | null
  readonly endCol: number | null
  readonly message: string
  readonly suggestion: string | null
  readonly related: readonly { file: string; line: number; col: number; message: string }[]
  /** Required keys this mistake leaves unset, whose own errors are folded into it (see `Diagnostic.folded`). */
  readonly folded: readonly string[]
}

export function diagnosticToJson(d: Diagnostic): DiagnosticJson {
  return {
    severity: d.severity,
    code: d.code,
    file: d.file,
    line: d.line,
    col: d.col,
    endLine: d.endLine ?? null,
    endCol: d.endCol ?? null,
    message: d.message,
    suggestion: d.suggestion ?? null,
    related: (d.related ?? []).map((r) => ({ file: r.file, line: r.line, col: r.col, message: r.message })),
    folded: [...(d.folded ?? [])],
  }
}
