import { formatNumber } from '../load/format-number.js'

/**
 * A string as one Hydra quoted value, read back as exactly that string, never as a number, boolean, null or
 * list. Hydra's lexer (hydra/grammar/OverrideLexer.g4, QUOTED_VALUE) ends a quoted value at the first quote
 * not preceded by an odd number of backslashes, and un-escapes only backslashes before a quote
 * (hydra/core/override_parser/overrides_visitor.py, `_unescape_quoted_string`): so a quote becomes `\"`, and
 * the backslashes before a quote or before the closing quote are doubled. OmegaConf then reads `${` as an
 * interpolation, and `\${` as the text `${` (a backslash run before `${` doubled once more).
 */
export function hydraString(value: string, quote: '"' | "'" = '"'): string {
  // Most values hold no backslash, quote or `${`: nothing to escape (a compile quotes several per experiment).
  if (!/[\\"'$]/.test(value)) return `${quote}${value}${quote}`
  const inner = value
    .replace(/(\\*)\$\{/g, (_, bs: string) => `${bs}${bs}\\\${`)
    .replace(new RegExp(`(\\\\*)${quote}`, 'g'), (_, bs: string) => `${bs}${bs}\\${quote}`)
    .replace(/(\\+)$/, (_, bs: string) => `${bs}${bs}`)
  return `${quote}${inner}${quote}`
}

/**
 * A value as Hydra reads it on VERL's command line (`key=<this>`), with the type meant: booleans as
 * True/False (VERL's examples), numbers as a researcher writes them, strings always quoted (so `~`, `1e5`,
 * `true`, `null`, `,` or `=` stay strings), lists in brackets.
 */
export function hydraValue(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False'
  if (typeof value === 'number') return formatNumber(value)
  if (typeof value === 'string') return hydraString(value)
  if (value === null) return 'null'
  if (Array.isArray(value)) return `[${value.map(hydraValue).join(',')}]`
  throw new Error(`no Hydra form for ${JSON.stringify(value)}`)
}
