import { createRequire } from 'node:module'
import type FullHandlebars from 'handlebars'
import HandlebarsRuntime from 'handlebars/runtime.js'
import { TEMPLATES } from '../generated/templates.js'
import { shellQuote } from './shell.js'

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g

// handlebars/runtime's typings are empty: it is the full API minus the compiler.
const Handlebars = HandlebarsRuntime as unknown as typeof FullHandlebars

export type TemplateFn = (view: object) => string

/** How every template compiles; `npm run gen:types` precompiles the shipped ones with the same options. */
export const TEMPLATE_OPTIONS = { noEscape: true, strict: true } as const

type Precompiled = Readonly<Record<string, { readonly source: string; readonly spec: unknown }>>

/** The precompiled template of this name, when it was built from exactly this text. */
function precompiledOf(name: string, text: string): TemplateSpecification | undefined {
  const entry = (TEMPLATES as Precompiled)[name]
  if (entry === undefined || entry.source !== text) return undefined
  return entry.spec as TemplateSpecification
}

/** True when this template is the shipped one, precompiled into finqa's build. */
export function isPrecompiledTemplate(name: string, text: string): boolean {
  return precompiledOf(name, text) !== undefined
}

function loadCompiler(): typeof FullHandlebars {
  return createRequire(import.meta.url)('handlebars') as typeof FullHandlebars
}

type TemplateSpecification = Parameters<typeof Handlebars.template>[0]

/**
 * One Handlebars instance with explicit helpers. Templates compile with `noEscape` (bash is not HTML) and
 * `strict` (a missing field throws, and becomes a TEMPLATE diagnostic).
 */
export function createTemplates(sources: ReadonlyMap<string, string>): ReadonlyMap<string, TemplateFn> {
  const specs = new Map([...sources].map(([name, text]) => [name, precompiledOf(name, text)]))
  // The runtime runs precompiled templates; the compiler (a larger module) loads only for any other text.
  const needsCompiler = [...specs.values()].some((spec) => spec === undefined)
  const hb = needsCompiler ? loadCompiler().create() : Handlebars.create()
  hb.registerHelper('shq', (value: unknown) => shellQuote(String(value)))
  hb.registerHelper('join', (items: unknown, sep: unknown) =>
    Array.isArray(items) ? items.map(String).join(typeof sep === 'string' ? sep : ', ') : '',
  )
  // Text inside a `#` comment: a control character (a newline above all) would end the comment.
  hb.registerHelper('comment', (value: unknown) => String(value).replace(CONTROL_CHARACTERS, '?'))
  // `NAME=${NAME:-default}`: the environment wins, else the spec's (already quoted) default. With an alias
  // (another variable name, '' for none): `NAME=${NAME:-${alias:-default}}`.
  hb.registerHelper('envDefault', (name: unknown, value: unknown, alias: unknown) => {
    const fallback =
      typeof alias === 'string' && alias !== '' ? `\${${alias}:-${String(value)}}` : String(value)
    return `${String(name)}=\${${String(name)}:-${fallback}}`
  })
  // A Markdown table from `{ header, rows }` of Markdown cells; a `|` in a cell is escaped.
  hb.registerHelper('mdTable', (table: unknown) => markdownTable(table as MarkdownTable))
  const out = new Map<string, TemplateFn>()
  for (const [name, text] of sources) {
    if (!name.startsWith('partials/')) continue
    const spec = specs.get(name)
    hb.registerPartial(
      name.slice('partials/'.length).replace(/\.hbs$/, ''),
      spec === undefined ? text : hb.template(spec),
    )
  }
  for (const [name, text] of sources) {
    if (name.startsWith('partials/')) continue
    // The shipped templates come precompiled; any other text (a test's, a changed file) compiles here.
    const spec = specs.get(name)
    out.set(
      name,
      spec === undefined ? (hb as typeof FullHandlebars).compile(text, TEMPLATE_OPTIONS) : hb.template(spec),
    )
  }
  return out
}

/** A Markdown table: cells are Markdown already (the `mdTable` helper escapes pipes). */
export interface MarkdownTable {
  readonly header: readonly string[]
  readonly rows: readonly (readonly string[])[]
}

export function markdownTable(table: MarkdownTable): string {
  const row = (cells: readonly string[]): string =>
    `| ${cells.map((c) => c.replaceAll('|', '\\|').replaceAll('\n', ' ')).join(' | ')} |`
  return [row(table.header), `|${table.header.map(() => '---').join('|')}|`, ...table.rows.map(row)].join(
    '\n',
  )
}
