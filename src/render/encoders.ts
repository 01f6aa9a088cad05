import { hasControlCharacter, maskControlCharacters, shellQuote, UnencodableValue } from './shell.js'

/**
 * Where a value lands in a generated file. Each place reads its text by its own rules, so each has its own
 * encoders (Go's html/template does the same for HTML): see ENCODERS, and src/render/template-slots.ts for
 * the encoder of every slot of every template.
 */
export type Place =
  /** An `#SBATCH` line, read by sbatch: a line break ends it and the rest runs as bash. */
  | 'sbatch'
  /** Bash code where a word goes. */
  | 'bash'
  /** Inside a '...' or "..." string of bash code. */
  | 'bash-string'
  /** After `#` in a bash file: a line break ends it. */
  | 'bash-comment'
  /** The body of an unquoted here-document: `$`, backquotes and `\` are live. */
  | 'heredoc'
  /** Markdown text, a table cell included. */
  | 'md-text'
  /** Inside a Markdown code span (between backquotes). */
  | 'md-code'
  /** A line of a fenced code block in Markdown. */
  | 'md-fence'
  /** Inside an HTML comment of a Markdown file. */
  | 'html-comment'

export interface Encoder {
  /** The places whose rules this encoder's output keeps to. */
  readonly places: readonly Place[]
  /** What it makes of its value, for the table's readers. */
  readonly does: string
  readonly encode: (...args: unknown[]) => string
}

const refuse = (what: string, value: unknown): never => {
  throw new UnencodableValue(`${what}: ${JSON.stringify(value)}`)
}

const text = (value: unknown, what: string): string =>
  typeof value === 'string' ? value : refuse(`${what} takes text`, value)

/**
 * Text for the generated README, which people read: a control character shows as `?`. Spec values that reach
 * it (description, model.label, paths) are refused by the schema first, with a position; only spec file
 * names can still hold one.
 */
const readable = (value: unknown, what: string): string => maskControlCharacters(text(value, what))

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/
const PATH = /^[A-Za-z0-9_./%@+~-]+$/
const CASE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*( \| [A-Za-z0-9][A-Za-z0-9._-]*)*$/
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/
const VERL_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*(\.[A-Za-z0-9_$-]+)*$/

// Shell text as finqa's encoders make it (shellQuote, `"key=$VAR"`): words of bare characters, '...',
// \' and "..." holding only variables and plain characters, separated by one space or ` | ` (case patterns).
const BARE = '[A-Za-z0-9_./:@%+=,~-]'
const VARIABLE = String.raw`\$(?:[A-Za-z_][A-Za-z0-9_]*|\{[A-Za-z_][A-Za-z0-9_]*\})`
const DOUBLE = `"(?:[A-Za-z0-9_./:@%+=,~ '-]|${VARIABLE})*"`
const WORD = String.raw`(?:${BARE}|'[^'\u0000]*'|\\'|${DOUBLE}|${VARIABLE})+`
const SHELL_TEXT = new RegExp(String.raw`^${WORD}(?:(?: | \| )${WORD})*$`)

// An sbatch option as render-slurm.ts writes it: `--name`, `--name=bare` or `--name="escaped"`.
const DIRECTIVE = /^--[a-z][a-z0-9-]*(=([A-Za-z0-9_./:@%+=,-]+|"([^"\\#]|\\[\\"#])*"))?$/

function plainName(value: unknown): string {
  const s = text(value, 'a name')
  return NAME.test(s) ? s : refuse('not a name of letters, digits, ".", "_" and "-"', s)
}

/** A Markdown code span of `value`: a run of backquotes longer than any inside it (CommonMark 6.1). */
export function markdownCode(value: string): string {
  const s = readable(value, 'a Markdown code span')
  // Most spans (script names, paths) hold no backquote and no edge space: one backquote each side.
  if (!s.includes('`') && !s.startsWith(' ')) return `\`${s}\``
  const longest = Math.max(0, ...[...s.matchAll(/`+/g)].map((m) => m[0].length))
  const fence = '`'.repeat(longest + 1)
  const pad =
    s.startsWith('`') || s.endsWith('`') || (s.startsWith(' ') && s.endsWith(' ') && s.trim() !== '')
  return pad ? `${fence} ${s} ${fence}` : `${fence}${s}${fence}`
}

/**
 * Text as Markdown shows it literally: the characters Markdown (with GitHub's extensions: tables, `~~`,
 * `$` math) gives a meaning mid-line are backslash-escaped, `&` and `<` as entities.
 */
export function markdownText(value: string): string {
  return readable(value, 'Markdown text')
    .replace(/[\\`*_[\]|~$#!]/g, (c) => `\\${c}`)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
}

/** A Markdown table from `{ header, rows }` of Markdown cells (made with markdownText / markdownCode). */
export interface MarkdownTable {
  readonly header: readonly string[]
  readonly rows: readonly (readonly string[])[]
}

export function markdownTable(table: MarkdownTable): string {
  const cells = (row: unknown): row is readonly string[] =>
    Array.isArray(row) && row.every((c) => typeof c === 'string')
  const row = (cells: readonly string[]): string => `| ${cells.map(tableCell).join(' | ')} |`
  if (!cells(table?.header) || !Array.isArray(table.rows)) refuse('not a table of text cells', table)
  const lines = [row(table.header), `|${table.header.map(() => '---').join('|')}|`]
  for (const r of table.rows) {
    let text = tableRows.get(r)
    if (text === undefined) {
      if (!cells(r)) refuse('not a table of text cells', table)
      text = row(r)
      tableRows.set(r, text)
    }
    lines.push(text)
  }
  return lines.join('\n')
}

/**
 * Each row's text, by the row: the README of a watching process is rendered after every edit, from rows
 * (docs-view.ts) made once per experiment. Rows are never changed once made.
 */
const tableRows = new WeakMap<readonly string[], string>()

// A `|` ends a cell even inside a code span (GitHub's tables): each one not escaped yet (after an odd run
// of backslashes, as markdownText writes it) is escaped.
const tableCell = (c: string): string =>
  readable(c, 'a Markdown table cell').replace(/(\\*)\|/g, (m, bs: string) =>
    bs.length % 2 === 1 ? m : `${bs}\\|`,
  )

/**
 * `check` (which refuses by throwing) that remembers the texts it accepted: a compile checks the same
 * defaults, paths, words and check lines in every script, and a Set look-up costs far less than the patterns.
 * Bounded, so a compile of many distinct texts cannot grow it.
 */
function acceptedOnce(check: (s: string) => void): (s: string) => string {
  const seen = new Set<string>()
  return (s) => {
    if (seen.has(s)) return s
    check(s)
    if (seen.size < 4096) seen.add(s)
    return s
  }
}

const shellText = acceptedOnce((s) => {
  if (!SHELL_TEXT.test(s)) refuse('not shell text made by shellQuote', s)
})

/** Checks shell text a view made with finqa's encoders; anything else is refused. */
export function checkShellText(value: unknown): string {
  return shellText(
    typeof value === 'number' && Number.isFinite(value) ? String(value) : text(value, 'shell text'),
  )
}

const assignment = acceptedOnce((s) => {
  const m = /^(C)?\['?([^\]']*)'?\]=(.*)$/s.exec(s)
  if (m === null || !VERL_KEY.test(m[2] as string)) refuse('not C[KEY]=VALUE', s)
  else checkShellText(m[3])
})

/** `C[KEY]=VALUE` or `[KEY]=VALUE`, checked (the `cfgAssign` encoder). */
function cfgAssign(value: unknown): string {
  return assignment(text(value, 'an assignment'))
}

/** A whole number, checked (the `int` encoder). */
function wholeNumber(value: unknown): string {
  return typeof value === 'number' && Number.isSafeInteger(value)
    ? String(value)
    : refuse('not a whole number', value)
}

/**
 * A list encoded item by item, the items joined by `separator`: one slot for a list that would otherwise be
 * an `{{#each}}` of one slot per item, which the Handlebars runtime pays a frame, an options object and a
 * helper call for, per item and per file (a launch script has some 100 such items).
 */
const listOf =
  (encode: (value: unknown) => string, separator: string) =>
  (value: unknown): string =>
    Array.isArray(value) ? value.map((item) => encode(item)).join(separator) : refuse('not a list', value)

/**
 * Every encoder, by the name of its Handlebars helper. A template slot is `{{helper value}}`; which helper each
 * slot uses is in src/render/template-slots.ts, and a test checks every template against both.
 */
export const ENCODERS = {
  shq: {
    places: ['bash'],
    does: 'quotes a value as one bash word (shellQuote); bare when it is a plain word',
    encode: (value) => shellQuote(String(text(value, 'a bash word'))),
  },
  bash: {
    places: ['bash'],
    does: 'passes shell words a view made with shellQuote (or `"key=$VAR"`), after checking that they are',
    encode: (value) => checkShellText(value),
  },
  bashLines: {
    places: ['bash'],
    does: 'a list of shell words a view made with shellQuote (or `"key=$VAR"`), each checked as `bash` does, one per line, the lines after the first indented by two spaces (the words of a bash array written down the page)',
    encode: listOf(checkShellText, '\n  '),
  },
  envDefault: {
    places: ['bash'],
    does: 'NAME= the environment value, else the alias variable if any, else the default, checked as shell text',
    encode: (name, value, alias) => {
      const n = text(name, 'a variable name')
      if (!IDENTIFIER.test(n)) refuse('not a variable name', n)
      const v = checkShellText(value)
      if (alias === undefined || alias === '' || typeof alias === 'object') return `${n}=\${${n}:-${v}}`
      const a = text(alias, 'a variable name')
      if (!IDENTIFIER.test(a)) refuse('not a variable name', a)
      return `${n}=\${${n}:-\${${a}:-${v}}}`
    },
  },
  verlKey: {
    places: ['bash', 'bash-string', 'bash-comment', 'heredoc'],
    does: 'passes a dotted VERL key (identifiers joined by `.`), which needs no quotes in an array subscript',
    encode: (value) => {
      const s = text(value, 'a VERL key')
      return VERL_KEY.test(s) ? s : refuse('not a dotted VERL key', s)
    },
  },
  cfgAssign: {
    places: ['bash'],
    does: '`C[KEY]=VALUE` or `[KEY]=VALUE`: a dotted VERL key and shell text made by shellQuote (or "$VAR")',
    encode: cfgAssign,
  },
  cfgAssignLines: {
    places: ['bash'],
    does: 'a list of `cfgAssign` assignments, each checked as `cfgAssign` does, one per line',
    encode: listOf(cfgAssign, '\n'),
  },
  keyTable: {
    places: ['bash-string'],
    does: "the lines of a single-quoted bash string of VERL keys, `dotted.key=kind` each (kind a word of letters; a dotted key holds no `'`), checked line by line",
    encode: (value) => {
      const s = text(value, 'a key table')
      for (const line of s.split('\n')) {
        const m = /^([^=]*)=[a-z]+$/.exec(line)
        if (m === null || !VERL_KEY.test(m[1] as string)) refuse('not a line of VERL key=kind', line)
      }
      return s
    },
  },
  code: {
    places: ['bash'],
    does: 'passes one line of bash that finqa wrote from its own VERL definitions (src/verl/) and values it already encoded (shellQuote, whole numbers); a line break or control character is refused',
    encode: (value) => {
      const s = text(value, 'bash code')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
      return /[\u0000-\u001f\u007f]/.test(s) ? refuse('bash code holding a control character', s) : s
    },
  },
  plain: {
    places: ['bash', 'bash-string', 'bash-comment', 'heredoc', 'sbatch', 'md-code', 'md-fence'],
    does: 'passes a name of letters, digits, `.`, `_` and `-` (first a letter or digit), which every place holds as is',
    encode: (value) => plainName(value),
  },
  plainOrNothing: {
    places: ['bash-string', 'bash-comment', 'heredoc'],
    does: 'passes a name as `plain` does, or nothing (inside quotes, where nothing is an empty string)',
    encode: (value) => (value === '' ? '' : plainName(value)),
  },
  path: {
    places: ['bash-string', 'bash-comment', 'heredoc', 'sbatch', 'md-code', 'md-fence'],
    does: 'passes a path of letters, digits and `_ . / % @ + ~ -` (not in a word: a leading `~` would expand)',
    encode: (value) => {
      const s = text(value, 'a path')
      return PATH.test(s) ? s : refuse('not a path of letters, digits and "_ . / % @ + ~ -"', s)
    },
  },
  casePattern: {
    places: ['bash', 'heredoc'],
    does: 'passes `name | name ...`, a case pattern of names (which need no quotes)',
    encode: (value) => {
      const s = text(value, 'a case pattern')
      return CASE_PATTERN.test(s) ? s : refuse('not a case pattern of names', s)
    },
  },
  int: {
    places: [
      'bash',
      'bash-string',
      'bash-comment',
      'heredoc',
      'sbatch',
      'md-text',
      'md-code',
      'md-fence',
      'html-comment',
    ],
    does: 'passes a whole number',
    encode: wholeNumber,
  },
  intWords: {
    places: ['bash'],
    does: 'a list of whole numbers, each checked as `int` does, separated by spaces',
    encode: listOf(wholeNumber, ' '),
  },
  comment: {
    places: ['bash-comment'],
    does: 'text for a `#` comment: a control character (a line break above all) shows as `?`',
    encode: (value) => maskControlCharacters(text(value, 'comment text')),
  },
  directive: {
    places: ['sbatch'],
    does: 'passes an sbatch option render-slurm.ts made with sbatchQuote (`--name`, `--name=value`), after checking that it is',
    encode: (value) => {
      const s = text(value, 'an sbatch option')
      return DIRECTIVE.test(s) && !hasControlCharacter(s)
        ? s
        : refuse('not an sbatch option made by sbatchQuote', s)
    },
  },
  md: {
    places: ['md-text'],
    does: 'text shown literally in Markdown (markdownText); a control character shows as `?`',
    encode: (value) => markdownText(text(value, 'Markdown text')),
  },
  mdCode: {
    places: ['md-text'],
    does: 'a Markdown code span of the value and an optional literal suffix (markdownCode)',
    encode: (value, suffix) =>
      markdownCode(`${text(value, 'a code span')}${typeof suffix === 'string' ? suffix : ''}`),
  },
  mdTable: {
    places: ['md-text'],
    does: 'a Markdown table of cells docs-view.ts made with markdownText / markdownCode; `|` escaped',
    encode: (table) => markdownTable(table as MarkdownTable),
  },
  markdown: {
    places: ['md-text'],
    does: 'one line of Markdown docs-view.ts made with markdownText / markdownCode; a control character shows as `?`, a fence at its start is refused',
    encode: (value) => {
      const s = readable(value, 'a line of Markdown')
      // A code span of 3+ backquotes that starts the line would open a fenced block instead.
      return /^\s*(```|~~~)/.test(s) ? refuse('a line of Markdown cannot start with a fence', s) : s
    },
  },
  mermaidBlock: {
    places: ['md-text'],
    does: 'the diagram of render-mermaid.ts: sentences, then at most one ```mermaid block that ends it, checked',
    encode: (value) => {
      const s = text(value, 'a Mermaid block')
      const lines = s.replace(/\n$/, '').split('\n')
      const fences = lines.flatMap((l, i) => (/^\s*(```|~~~)/.test(l) ? [i] : []))
      const [open, close] = fences
      const one =
        fences.length === 0 ||
        (fences.length === 2 &&
          lines[open as number] === '```mermaid' &&
          close === lines.length - 1 &&
          lines[close] === '```')
      return one ? s : refuse('not sentences and one fenced Mermaid block', s)
    },
  },
  mdShell: {
    places: ['md-fence'],
    does: 'a bash word (shellQuote) on a line of a fenced code block; a control character shows as `?`',
    encode: (value) => shellQuote(readable(value, 'a word in a code block')),
  },
  mdFence: {
    places: ['md-fence'],
    does: 'text on a line of a fenced code block (a control character shows as `?`); a fence at its start is refused',
    encode: (value) => {
      const s = readable(value, 'a line of a code block')
      return /^\s*(```|~~~)/.test(s) ? refuse('a code block line cannot start with a fence', s) : s
    },
  },
  htmlComment: {
    places: ['html-comment'],
    does: 'text inside <!-- -->: `<` and `>` as entities (so `-->` cannot end it), a control character as `?`',
    encode: (value) =>
      maskControlCharacters(text(value, 'comment text')).replaceAll('<', '&lt;').replaceAll('>', '&gt;'),
  },
} as const satisfies Record<string, Encoder>

export type EncoderName = keyof typeof ENCODERS

/** Helpers that only shape a value inside an encoder's argument (`{{comment (join sources " > ")}}`). */
export const FORMAT_HELPERS = {
  join: (items: unknown, sep: unknown): string =>
    Array.isArray(items) ? items.map(String).join(typeof sep === 'string' ? sep : ', ') : '',
} as const
