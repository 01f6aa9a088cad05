import type { Diagnostic } from './diagnostic.js'

export interface FormatOptions {
  /** Spec texts by display path, for the code frame. */
  readonly sources?: ReadonlyMap<string, string>
  /** ANSI colours (the CLI decides: a TTY and no NO_COLOR). Default: plain text. */
  readonly color?: boolean
}

const ANSI = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
} as const
export type Style = keyof typeof ANSI

/** Wraps `text` in the ANSI codes of `styles` when `enabled`; the text itself when not. */
export function paint(enabled: boolean | undefined, text: string, ...styles: Style[]): string {
  if (!enabled || text === '') return text
  return styles.reduce((t, s) => `\u001b[${ANSI[s][0]}m${t}\u001b[${ANSI[s][1]}m`, text)
}

/**
 * `experiments/a.yaml:12:5 error UNKNOWN_KEY message`, then a code frame with a caret under the value,
 * the suggestion and the related positions.
 */
export function formatDiagnostic(d: Diagnostic, options: FormatOptions = {}): string {
  const c = options.color
  const tone: Style = d.severity === 'error' ? 'red' : 'yellow'
  const lines = [
    `${paint(c, `${d.file}:${d.line}:${d.col}`, 'bold')} ${paint(c, d.severity, tone, 'bold')} ${paint(c, d.code, 'dim')} ${d.message}`,
  ]
  const text = options.sources?.get(d.file)
  // Never echo the line of a credential into logs.
  const sourceLine = d.code === 'SECRET' ? undefined : text?.split('\n')[d.line - 1]
  if (sourceLine !== undefined) {
    const gutter = String(d.line).length
    const width =
      d.endLine === d.line && d.endCol !== undefined && d.endCol > d.col
        ? d.endCol - d.col
        : Math.max(1, sourceLine.length - d.col + 1)
    const shown = frameWindow(sourceLine.replace(/\r$/, ''), d.col)
    lines.push(`  ${paint(c, `${String(d.line)} |`, 'dim')} ${shown.text}`)
    lines.push(
      `  ${paint(c, `${' '.repeat(gutter)} |`, 'dim')} ${' '.repeat(shown.caret)}${paint(c, '^'.repeat(Math.max(1, Math.min(width, FRAME_WIDTH - shown.caret))), tone, 'bold')}`,
    )
  }
  if (d.suggestion) lines.push(`  ${paint(c, 'suggestion:', 'cyan')} ${d.suggestion}`)
  const folded = d.folded ?? []
  if (folded.length > 0) {
    const keys = folded.length === 1 ? 'the required key' : `${folded.length} required keys`
    lines.push(
      `  ${paint(c, 'note:', 'cyan')} this leaves ${keys} unset in the experiments that inherit it (${shortList(folded.map((k) => `\`${k}\``))}); ${folded.length === 1 ? 'its error is' : 'their errors are'} folded into this one`,
    )
  }
  const related = d.related ?? []
  const heirs = related.filter((r) => r.inheritedBy !== undefined)
  // One experiment that inherits the value: where, and through which layers. Many: one line naming them.
  for (const r of heirs.length > 1 ? related.filter((r) => r.inheritedBy === undefined) : related)
    lines.push(paint(c, `  related: ${r.file}:${r.line}:${r.col} ${r.message}`, 'dim'))
  if (heirs.length > 1) {
    const names = [...new Set(heirs.map((r) => r.inheritedBy as string))]
    lines.push(paint(c, `  related: inherited by ${names.length} experiments: ${shortList(names)}`, 'dim'))
  }
  return lines.join('\n')
}

/** The most names a one-line list shows before `…`. */
const LIST_SHOWN = 3

/** `a, b, c, …`: at most LIST_SHOWN items, on one line. */
function shortList(items: readonly string[]): string {
  return items.length <= LIST_SHOWN ? items.join(', ') : `${items.slice(0, LIST_SHOWN).join(', ')}, …`
}

/** The most characters of a source line a code frame shows. */
const FRAME_WIDTH = 100

/**
 * The part of a line a code frame shows, and where the caret goes in it: the whole line when it is short,
 * else FRAME_WIDTH characters around the column, cut ends marked with `…` (a spec written on one long line
 * must not fill the terminal).
 */
function frameWindow(line: string, col: number): { text: string; caret: number } {
  if (line.length <= FRAME_WIDTH) return { text: line, caret: Math.max(0, col - 1) }
  const start = Math.max(0, Math.min(col - 1 - FRAME_WIDTH / 2, line.length - FRAME_WIDTH))
  const end = start + FRAME_WIDTH
  const head = start > 0 ? '…' : ''
  return {
    text: `${head}${line.slice(start, end)}${end < line.length ? '…' : ''}`,
    caret: col - 1 - start + head.length,
  }
}

export function formatSummary(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length
  const warnings = diagnostics.length - errors
  return `${errors} error(s), ${warnings} warning(s)`
}
