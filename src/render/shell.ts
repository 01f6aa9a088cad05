/** Quotes a string as one bash word; plain words stay bare so the scripts read naturally. */
export function shellQuote(value: string): string {
  if (value !== '' && /^[A-Za-z0-9_./:@%+=,-]+$/.test(value)) return value
  return `'${value.replaceAll("'", `'\\''`)}'`
}

/** A number as a researcher writes it: 1e-6 rather than 0.000001, 0.001 as is. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`)
  if (Number.isInteger(value)) return String(value)
  const abs = Math.abs(value)
  return abs < 1e-3 || abs >= 1e21 ? value.toExponential().replace('e+', 'e') : String(value)
}

/** A value as Hydra reads it on VERL's command line (`key=<this>`). Booleans as True/False, as VERL's examples. */
export function hydraValue(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False'
  if (typeof value === 'number') return formatNumber(value)
  if (typeof value === 'string') {
    // Hydra would read these as another type; quote them to keep a string.
    return /^([-+]?[\d.]+([eE][-+]?\d+)?|true|false|null|inf|nan)$/i.test(value) || value === ''
      ? `'${value}'`
      : value
  }
  if (Array.isArray(value)) {
    return `[${value.map((v) => (typeof v === 'string' ? JSON.stringify(v) : hydraValue(v))).join(',')}]`
  }
  throw new Error(`no Hydra form for ${JSON.stringify(value)}`)
}

/**
 * Quotes a value for an `#SBATCH` line, which sbatch (not bash) reads: plain words stay bare, anything else
 * goes in double quotes with `\`, `"` and `#` escaped by a backslash (sbatch ends an option at an unescaped
 * `#`, even inside quotes, and knows no single quotes).
 */
export function sbatchQuote(value: string): string {
  if (value !== '' && /^[A-Za-z0-9_./:@%+=,-]+$/.test(value)) return value
  return `"${value.replace(/[\\"#]/g, (c) => `\\${c}`)}"`
}
