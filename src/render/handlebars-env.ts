import Handlebars from 'handlebars'
import { shellQuote } from './shell.js'

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g

export type TemplateFn = (view: object) => string

/**
 * One Handlebars instance with explicit helpers. Templates compile with `noEscape` (bash is not HTML) and
 * `strict` (a missing field throws, and becomes a TEMPLATE diagnostic).
 */
export function createTemplates(sources: ReadonlyMap<string, string>): ReadonlyMap<string, TemplateFn> {
  const hb = Handlebars.create()
  hb.registerHelper('shq', (value: unknown) => shellQuote(String(value)))
  hb.registerHelper('join', (items: unknown, sep: unknown) =>
    Array.isArray(items) ? items.map(String).join(typeof sep === 'string' ? sep : ', ') : '',
  )
  // Text inside a `#` comment: a control character (a newline above all) would end the comment.
  hb.registerHelper('comment', (value: unknown) => String(value).replace(CONTROL_CHARACTERS, '?'))
  // `NAME=${NAME:-default}`: the environment wins, else the spec's (already quoted) default.
  hb.registerHelper(
    'envDefault',
    (name: unknown, value: unknown) => `${String(name)}=\${${String(name)}:-${String(value)}}`,
  )
  // A Markdown table from `{ header, rows }` of Markdown cells; a `|` in a cell is escaped.
  hb.registerHelper('mdTable', (table: unknown) => markdownTable(table as MarkdownTableInput))
  const out = new Map<string, TemplateFn>()
  for (const [name, text] of sources) {
    if (name.startsWith('partials/'))
      hb.registerPartial(name.slice('partials/'.length).replace(/\.hbs$/, ''), text)
  }
  for (const [name, text] of sources) {
    if (name.startsWith('partials/')) continue
    out.set(name, hb.compile(text, { noEscape: true, strict: true }))
  }
  return out
}

interface MarkdownTableInput {
  readonly header: readonly string[]
  readonly rows: readonly (readonly string[])[]
}

export function markdownTable(table: MarkdownTableInput): string {
  const row = (cells: readonly string[]): string =>
    `| ${cells.map((c) => c.replaceAll('|', '\\|').replaceAll('\n', ' ')).join(' | ')} |`
  return [row(table.header), `|${table.header.map(() => '---').join('|')}|`, ...table.rows.map(row)].join(
    '\n',
  )
}
