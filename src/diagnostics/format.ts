import type { Diagnostic } from './diagnostic.js'

export interface FormatOptions {
  /** Spec texts by display path, for the code frame. */
  readonly sources?: ReadonlyMap<string, string>
}

/**
 * `experiments/a.yaml:12:5 error UNKNOWN_KEY message`, then a code frame with a caret under the value,
 * the suggestion and the related positions.
 */
export function formatDiagnostic(d: Diagnostic, options: FormatOptions = {}): string {
  const lines = [`${d.file}:${d.line}:${d.col} ${d.severity} ${d.code} ${d.message}`]
  const text = options.sources?.get(d.file)
  // Never echo the line of a credential into logs.
  const sourceLine = d.code === 'SECRET' ? undefined : text?.split('\n')[d.line - 1]
  if (sourceLine !== undefined) {
    const gutter = String(d.line).length
    const width =
      d.endLine === d.line && d.endCol !== undefined && d.endCol > d.col
        ? d.endCol - d.col
        : Math.max(1, sourceLine.length - d.col + 1)
    lines.push(`  ${String(d.line)} | ${sourceLine.replace(/\r$/, '')}`)
    lines.push(
      `  ${' '.repeat(gutter)} | ${' '.repeat(Math.max(0, d.col - 1))}${'^'.repeat(Math.min(width, 80))}`,
    )
  }
  if (d.suggestion) lines.push(`  suggestion: ${d.suggestion}`)
  for (const r of d.related ?? []) lines.push(`  related: ${r.file}:${r.line}:${r.col} ${r.message}`)
  return lines.join('\n')
}

export function formatSummary(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length
  const warnings = diagnostics.length - errors
  return `${errors} error(s), ${warnings} warning(s)`
}
