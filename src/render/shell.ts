/**
 * A value that cannot be carried by the place it would land in. Render code throws it only for values the
 * schema or the rules should have refused first (with a position); it becomes a TEMPLATE diagnostic.
 */
export class UnencodableValue extends Error {}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_ALL = /[\u0000-\u001f\u007f-\u009f]/g

/** The text with each control character shown as `?`, for notes a reader sees (comments), never for data. */
export function maskControlCharacters(value: string): string {
  return value.replace(CONTROL_ALL, '?')
}

/** True when the text holds a control character (C0, DEL or C1): no one-line place can hold one. */
export function hasControlCharacter(value: string): boolean {
  return CONTROL.test(value)
}

/** Quotes a string as one bash word; plain words stay bare so the scripts read naturally. */
export function shellQuote(value: string): string {
  // bash strings end at a NUL: no quoting carries one.
  if (value.includes('\0'))
    throw new UnencodableValue(`a NUL character cannot be passed to bash: ${JSON.stringify(value)}`)
  // `+`: the empty word is quoted.
  if (/^[A-Za-z0-9_./:@%+=,-]+$/.test(value)) return value
  return `'${value.replaceAll("'", `'\\''`)}'`
}

/** A number as a researcher writes it: 1e-6 rather than 0.000001, 0.001 as is. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`)
  if (Number.isInteger(value)) return String(value)
  // Every number from 2^53 up is an integer: only small fractions need the exponent form.
  return Math.abs(value) < 1e-3 ? value.toExponential() : String(value)
}

/**
 * Quotes a value for an `#SBATCH` line, which sbatch (not bash) reads: plain words stay bare, anything else
 * goes in double quotes with `\`, `"` and `#` escaped by a backslash (sbatch ends an option at an unescaped
 * `#`, even inside quotes, and knows no single quotes).
 */
export function sbatchQuote(value: string): string {
  // A line break ends the `#SBATCH` line, and what follows runs as bash: the schema refuses these with a
  // position; this is the last guard.
  if (hasControlCharacter(value))
    throw new UnencodableValue(`an #SBATCH line cannot hold a control character: ${JSON.stringify(value)}`)
  if (/^[A-Za-z0-9_./:@%+=,-]+$/.test(value)) return value
  return `"${value.replace(/[\\"#]/g, (c) => `\\${c}`)}"`
}
