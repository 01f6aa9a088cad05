import Handlebars from 'handlebars'
import { describe, expect, it } from 'vitest'
import { readTemplates } from '../../src/cli/package-files.js'
import { ENCODERS, type Place } from '../../src/render/encoders.js'
import { createTemplates } from '../../src/render/handlebars-env.js'
import {
  type AST,
  encodersOf,
  encodeSlots,
  slotProblem,
  slotUses,
  TEMPLATE_SLOTS,
} from '../../src/render/template-slots.js'

const templates = readTemplates()
const parse = (text: string) => Handlebars.parse(text) as unknown as AST.Program

/**
 * The place each `{{...}}` stands in, read from the template text around it: a small scanner of bash (quotes,
 * comments, here-documents, `#SBATCH` lines) or Markdown (fenced blocks, code spans, HTML comments).
 */
function placesOf(name: string, text: string): Map<string, Place> {
  const places = new Map<string, Place>()
  // The template text with every {{...}} replaced by a neutral word, and where each one starts.
  const starts: { line: number; column: number; offset: number }[] = []
  let plain = ''
  let line = 1
  let column = 0
  for (let i = 0; i < text.length; ) {
    if (text.startsWith('{{', i)) {
      const end = text.indexOf('}}', i) + 2
      const inner = text.slice(i, end)
      if (!/^\{\{[#/^!]|^\{\{else/.test(inner)) starts.push({ line, column, offset: plain.length })
      plain += /^\{\{[#/^]|^\{\{else/.test(inner) ? '' : 'X'
      for (const c of inner) {
        if (c === '\n') {
          line++
          column = 0
        } else column++
      }
      i = end + (text[end] === '}' ? 1 : 0)
      continue
    }
    plain += text[i]
    if (text[i] === '\n') {
      line++
      column = 0
    } else column++
    i++
  }
  const at = new Array<Place>(plain.length)
  if (name.endsWith('.md.hbs')) {
    let fence = false
    let comment = false
    let code = false
    for (let i = 0; i < plain.length; i++) {
      const lineStart = i === 0 || plain[i - 1] === '\n'
      if (lineStart && plain.startsWith('```', i)) fence = !fence
      if (!fence && !code && plain.startsWith('<!--', i)) comment = true
      if (comment && plain.startsWith('-->', i)) comment = false
      if (!fence && !comment && plain[i] === '`') code = !code
      if (plain[i] === '\n') code = false
      at[i] = fence ? 'md-fence' : comment ? 'html-comment' : code ? 'md-code' : 'md-text'
    }
  } else {
    type State = 'code' | 'single' | 'double' | 'comment' | 'sbatch' | 'heredoc'
    let state: State = 'code'
    let heredoc: { end: string; quoted: boolean } | undefined
    let pending: { end: string; quoted: boolean } | undefined
    for (let i = 0; i < plain.length; i++) {
      const c = plain[i] as string
      const lineStart = i === 0 || plain[i - 1] === '\n'
      if (state === 'heredoc' && lineStart) {
        const end = plain.indexOf('\n', i)
        if (plain.slice(i, end).trim() === heredoc?.end) state = 'code'
      }
      if (state === 'code') {
        if (lineStart && plain.startsWith('#SBATCH ', i)) state = 'sbatch'
        else if (c === '#' && (lineStart || /\s/.test(plain[i - 1] ?? ''))) state = 'comment'
        else if (c === "'") state = 'single'
        else if (c === '"') state = 'double'
        else if (c === '\\') {
          at[i] = 'bash'
          i++
        } else if (plain.startsWith('<<', i)) {
          const m = /^<<-?\s*(['"]?)([A-Za-z_]+)\1/.exec(plain.slice(i))
          if (m) pending = { end: m[2] as string, quoted: m[1] !== '' }
        }
        at[i] = state === 'code' ? 'bash' : state === 'comment' ? 'bash-comment' : 'bash-string'
        if (state === 'sbatch') at[i] = 'sbatch'
      } else if (state === 'single') {
        at[i] = 'bash-string'
        if (c === "'") state = 'code'
      } else if (state === 'double') {
        at[i] = 'bash-string'
        if (c === '\\') i++
        else if (c === '"') state = 'code'
      } else if (state === 'heredoc') {
        at[i] = heredoc?.quoted ? 'bash-string' : 'heredoc'
      } else at[i] = state === 'sbatch' ? 'sbatch' : 'bash-comment'
      if (c === '\n') {
        if (state === 'comment' || state === 'sbatch') state = 'code'
        if (state === 'code' && pending !== undefined) {
          heredoc = pending
          pending = undefined
          state = 'heredoc'
        }
      }
    }
  }
  for (const s of starts) places.set(`${s.line}:${s.column}`, at[s.offset] ?? 'bash')
  return places
}

describe('TEMPLATE_SLOTS: one table gives every template slot its encoder', () => {
  for (const [name, text] of templates) {
    it(`${name}: every slot is in the table, goes through its encoder, and no triple-stash`, () => {
      const uses = slotUses(parse(text))
      // Found some (a parse that finds none would pass everything), unless the text holds no mustache at all
      // (partials/json-string.hbs: shared bash code).
      expect(uses.length > 0 || !text.includes('{{'), 'no slot found').toBe(true)
      const problems = uses.flatMap((u) => {
        const p = slotProblem(name, u)
        return p === undefined ? [] : [`${u.line}:${u.column + 1} ${p}`]
      })
      expect(problems).toEqual([])
    })

    it(`${name}: each slot's encoder suits the place where it stands (comment, #SBATCH line, bash, Markdown)`, () => {
      const places = placesOf(name, text)
      const wrong = slotUses(parse(text)).flatMap((u) => {
        const entry = TEMPLATE_SLOTS[name]?.[u.slot]
        const encoder = u.encoder ?? (entry === undefined ? undefined : encodersOf(entry)[0])
        const place = places.get(`${u.line}:${u.column}`)
        if (encoder === undefined || place === undefined)
          return [`${u.line}:${u.column + 1} ${u.slot}: no place`]
        const fits = (ENCODERS[encoder].places as readonly Place[]).includes(place)
        return fits ? [] : [`${u.line}:${u.column + 1} ${u.slot}: ${encoder} cannot write into ${place}`]
      })
      expect(wrong).toEqual([])
    })

    it(`${name}: the table names no slot the template lacks`, () => {
      const used = new Set(slotUses(parse(text)).map((u) => u.slot))
      expect(Object.keys(TEMPLATE_SLOTS[name] ?? {}).filter((s) => !used.has(s))).toEqual([])
    })
  }

  it('the place scanner sees comments, #SBATCH lines, strings, here-documents and Markdown code', () => {
    const bash = placesOf(
      'x.sh.hbs',
      '#SBATCH {{a}}\n# note {{b}}\nx={{c}} # {{d}}\nprintf \'{{e}}\' "{{f}}"\ncat <<EOF\n{{g}}\nEOF\ny={{h}}\n',
    )
    expect([...bash.values()]).toEqual([
      'sbatch',
      'bash-comment',
      'bash',
      'bash-comment',
      'bash-string',
      'bash-string',
      'heredoc',
      'bash',
    ])
    const md = placesOf('x.md.hbs', '<!-- {{a}} -->\n{{b}} `{{c}}`\n```bash\n{{d}}\n```\n')
    expect([...md.values()]).toEqual(['html-comment', 'md-text', 'md-code', 'md-fence'])
  })

  it('a slot missing from the table, the wrong encoder or a triple-stash stops the template', () => {
    const render = (text: string) => {
      const t = createTemplates(new Map([['launch.sh.hbs', text]])).get('launch.sh.hbs')
      return () => t?.({ name: 'x', script: 'run.sh', specDir: 'experiments' })
    }
    expect(render('# {{name}} {{comment specDir}}\n')()).toBe('# x experiments\n')
    expect(render('{{noSuchSlot}}\n')).toThrow(/slot noSuchSlot has no encoder in TEMPLATE_SLOTS/)
    expect(render('{{shq name}}\n')).toThrow(/slot name goes through shq, but TEMPLATE_SLOTS gives it plain/)
    expect(render('{{{name}}}\n')).toThrow(/triple-stash/)
    expect(render('{{join name ","}}\n')).toThrow(/not an encoder/)
  })

  it('a bare slot is written through its encoder: a value the encoder refuses does not reach the file', () => {
    const t = createTemplates(new Map([['launch.sh.hbs', '# Experiment {{name}}\n']])).get('launch.sh.hbs')
    expect(t?.({ name: 'qwen3_4b' })).toBe('# Experiment qwen3_4b\n')
    expect(() => t?.({ name: 'x\ntouch /tmp/p' })).toThrow(/not a name/)
  })

  it('finds the slot of each {{...}}: inside {{#each}} as list[].field, ../ one list up, @data and literals as no slot', () => {
    const uses = (text: string) =>
      slotUses(parse(text)).map((u) => [u.slot, u.encoder ?? '', u.problem ?? ''])
    expect(uses('{{#each xs}}{{a}}{{../b}}{{this}}{{@index}}{{/each}}')).toEqual([
      ['xs[].a', '', ''],
      ['b', '', ''],
      ['xs[]', '', ''],
      ['(@index)', '', '{{@index ...}} is not an encoder of encoders.ts'],
    ])
    expect(uses('{{"text"}}')).toEqual([
      ['(StringLiteral)', '', '{{... ...}} is not an encoder of encoders.ts'],
    ])
  })

  it('only {{#each}} opens a list scope; both branches of a block are read', () => {
    const uses = (text: string) => slotUses(parse(text)).map((u) => u.slot)
    expect(uses('{{#if a}}{{b}}{{else}}{{c}}{{/if}}')).toEqual(['b', 'c'])
    expect(uses('{{#each xs}}{{b}}{{else}}{{c}}{{/each}}')).toEqual(['xs[].b', 'c'])
  })

  it("an encoder's slot is its first field argument, also inside (join ...); an encoder alone is a field", () => {
    const uses = (text: string) =>
      slotUses(parse(text)).map((u) => [u.slot, u.encoder ?? '', u.problem ?? ''])
    expect(uses('{{comment "lit" name}}')).toEqual([['name', 'comment', '']])
    expect(uses('{{comment (join ", " sources)}}')).toEqual([['sources', 'comment', '']])
    expect(uses('{{envDefault "CHECKPOINT_ROOT" checkpointRoot}}')).toEqual([
      ['checkpointRoot', 'envDefault', ''],
    ])
    expect(uses('{{comment}}')).toEqual([['comment', '', '']])
    expect(uses('{{comment "lit"}}')).toEqual([
      ['(comment argument)', 'comment', 'the slot of {{comment ...}} is not a field'],
    ])
    expect(uses('{{comment (other sources)}}')).toEqual([
      ['(comment argument)', 'comment', 'the slot of {{comment ...}} is not a field'],
    ])
    expect(uses('{{join name ","}}')).toEqual([
      ['(join)', '', '{{join ...}} is not an encoder of encoders.ts'],
    ])
  })

  it('names both encoders of a slot that has two, and a template the table lacks', () => {
    const [stop] = slotUses(parse('{{shq stopTimeout}}'))
    expect(stop && slotProblem('slurm.sbatch.hbs', stop)).toBe(
      'slot stopTimeout goes through shq, but TEMPLATE_SLOTS gives it int or envDefault',
    )
    const [x] = slotUses(parse('{{x}}'))
    expect(x && slotProblem('nope.hbs', x)).toBe(
      'slot x has no encoder in TEMPLATE_SLOTS (src/render/template-slots.ts)',
    )
  })

  it('encodeSlots refuses a template with every problem at its line and column', () => {
    expect(() => encodeSlots('launch.sh.hbs', parse('# {{name}}\nx {{noSuch}} {{{name}}}\n'))).toThrow(
      new Error(
        'template slots without their encoder:\n' +
          'launch.sh.hbs:2:3: slot noSuch has no encoder in TEMPLATE_SLOTS (src/render/template-slots.ts)\n' +
          'launch.sh.hbs:2:14: a triple-stash {{{...}}} bypasses the table; write {{...}}',
      ),
    )
  })

  it('a missing field is named by its slot, bare or through an encoder', () => {
    const templates = createTemplates(
      new Map([
        ['launch.sh.hbs', '# {{name}}\n'],
        ['launch-lib.sh.hbs', '# {{comment specDir}}\n'],
      ]),
    )
    expect(() => templates.get('launch.sh.hbs')?.({})).toThrow('"name" not defined')
    expect(() => templates.get('launch-lib.sh.hbs')?.({})).toThrow('"specDir" not defined')
  })
})
