export interface TextTable {
  readonly header: readonly string[]
  readonly rows: readonly (readonly string[])[]
  /** Columns to right-align (numbers). */
  readonly right?: ReadonlySet<number>
}

/** A plain-text table with aligned columns and a rule under the header, for terminals. */
export function formatTextTable(table: TextTable): string {
  const all = [table.header, ...table.rows]
  // A loop, not Math.max(...cells): a plan of many thousand experiments has more rows than a call takes.
  const widths = table.header.map((_, i) => all.reduce((w, r) => Math.max(w, (r[i] ?? '').length), 0))
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (table.right?.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()
  return [line(table.header), widths.map((w) => '-'.repeat(w)).join('  '), ...table.rows.map(line)].join('\n')
}

/** 3120 → `3,120`, independent of the locale. */
export function groupDigits(n: number): string {
  const [int, frac] = String(n).split('.')
  const grouped = (int ?? '').replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return frac === undefined ? grouped : `${grouped}.${frac}`
}

/** A count for a table: digits grouped, `?` when unknown. */
export function countCell(v: number | null): string {
  return v === null ? '?' : groupDigits(v)
}
