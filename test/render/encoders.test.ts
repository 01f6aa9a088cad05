// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the texts are bash and Hydra values, not templates
import { describe, expect, it } from 'vitest'
import {
  checkShellText,
  ENCODERS,
  FORMAT_HELPERS,
  markdownCode,
  markdownTable,
  markdownText,
} from '../../src/render/encoders.js'
import { UnencodableValue } from '../../src/render/shell.js'

/** What `encoder` makes of its arguments, or the refusal's message (prefixed `refused: `). */
function encode(name: keyof typeof ENCODERS, ...args: unknown[]): string {
  try {
    return (ENCODERS[name].encode as (...a: unknown[]) => string)(...args)
  } catch (error) {
    if (!(error instanceof UnencodableValue)) throw error
    return `refused: ${error.message}`
  }
}

describe('each encoder: what it passes, and what it refuses (with the reason)', () => {
  it('shq quotes a value as one bash word; a plain word stays bare; text only', () => {
    expect(encode('shq', 'run_4b')).toBe('run_4b')
    expect(encode('shq', "it's $HOME")).toBe("'it'\\''s $HOME'")
    expect(encode('shq', '')).toBe("''")
    expect(encode('shq', 4)).toBe('refused: a bash word takes text: 4')
  })

  it('bash passes shell text made by shellQuote or "key=$VAR", and finite numbers; refuses the rest', () => {
    for (const ok of [
      'a',
      "'it'\\''s'",
      '"key=$VAR"',
      '"x=${VAR}"',
      '$VAR',
      'a b',
      'a | b',
      '--x=1,2 @h:p/q%r+s~t',
      "'' x",
    ])
      expect(encode('bash', ok)).toBe(ok)
    expect(encode('bash', 12)).toBe('12')
    expect(encode('bash', 2.5)).toBe('2.5')
    for (const bad of ['a  b', 'a;b', '$(rm)', '"a$(b)"', 'a\nb', ' a', 'a ', "'a", '', 'a || b', '"a\\"b"'])
      expect(encode('bash', bad)).toBe(`refused: not shell text made by shellQuote: ${JSON.stringify(bad)}`)
    expect(encode('bash', Number.NaN)).toBe('refused: shell text takes text: null')
    expect(encode('bash', Number.POSITIVE_INFINITY)).toBe('refused: shell text takes text: null')
    expect(encode('bash', true)).toBe('refused: shell text takes text: true')
  })

  it('checkShellText gives the same verdict the second time (its memory of accepted text)', () => {
    expect(checkShellText('same_word')).toBe('same_word')
    expect(checkShellText('same_word')).toBe('same_word')
    expect(() => checkShellText('same word;')).toThrow(UnencodableValue)
    expect(() => checkShellText('same word;')).toThrow(UnencodableValue)
  })

  it('envDefault: NAME=${NAME:-default}, or through an alias variable; names must be identifiers', () => {
    expect(encode('envDefault', 'BATCH_SIZE', '256')).toBe('BATCH_SIZE=${BATCH_SIZE:-256}')
    expect(encode('envDefault', 'BATCH_SIZE', '256', '')).toBe('BATCH_SIZE=${BATCH_SIZE:-256}')
    expect(encode('envDefault', 'BATCH_SIZE', '256', {})).toBe('BATCH_SIZE=${BATCH_SIZE:-256}')
    expect(encode('envDefault', 'N', "'a b'", 'OLD_N')).toBe("N=${N:-${OLD_N:-'a b'}}")
    expect(encode('envDefault', '_x9', 1)).toBe('_x9=${_x9:-1}')
    expect(encode('envDefault', '9X', '1')).toBe('refused: not a variable name: "9X"')
    expect(encode('envDefault', 'A-B', '1')).toBe('refused: not a variable name: "A-B"')
    expect(encode('envDefault', 'X', '1', 'A B')).toBe('refused: not a variable name: "A B"')
    expect(encode('envDefault', 'X', 'a;b')).toBe('refused: not shell text made by shellQuote: "a;b"')
  })

  it('verlKey: dotted identifiers ($ and - allowed), nothing else', () => {
    for (const ok of ['a', 'actor_rollout_ref.actor.ppo_mini_batch_size', '$x.y-z', 'a.0'])
      expect(encode('verlKey', ok)).toBe(ok)
    for (const bad of ['0a', 'a..b', 'a.', '.a', 'a b', 'a]', 'a.b c'])
      expect(encode('verlKey', bad)).toBe(`refused: not a dotted VERL key: ${JSON.stringify(bad)}`)
  })

  it('the list encoders: each item as its own encoder takes it, joined; anything but a list refused', () => {
    expect(encode('bashLines', ["'a=1'", '"k=$V"', 'x'])).toBe('\'a=1\'\n  "k=$V"\n  x')
    expect(encode('bashLines', [])).toBe('')
    expect(encode('bashLines', ["'a'", '$(x)'])).toBe('refused: not shell text made by shellQuote: "$(x)"')
    expect(encode('bashLines', "'a'")).toBe('refused: not a list: "\'a\'"')
    expect(encode('cfgAssignLines', ['C[a.b]=1', "C['c']='x y'"])).toBe("C[a.b]=1\nC['c']='x y'")
    expect(encode('cfgAssignLines', ['C[a]=1', 'D[a]=1'])).toBe('refused: not C[KEY]=VALUE: "D[a]=1"')
    expect(encode('cfgAssignLines', 'C[a]=1')).toBe('refused: not a list: "C[a]=1"')
    expect(encode('intWords', [3, 1, 2])).toBe('3 1 2')
    expect(encode('intWords', [7])).toBe('7')
    expect(encode('intWords', [1, 1.5])).toBe('refused: not a whole number: 1.5')
    expect(encode('intWords', ['1'])).toBe('refused: not a whole number: "1"')
    expect(encode('intWords', 1)).toBe('refused: not a list: 1')
  })

  it('cfgAssign: C[key]=value or [key]=value, quoted keys too, the value shell text', () => {
    expect(encode('cfgAssign', 'C[a.b]=1')).toBe('C[a.b]=1')
    expect(encode('cfgAssign', "[a.b]='x y'")).toBe("[a.b]='x y'")
    expect(encode('cfgAssign', 'C[\'a.b\']="$V"')).toBe('C[\'a.b\']="$V"')
    expect(encode('cfgAssign', 'D[a]=1')).toBe('refused: not C[KEY]=VALUE: "D[a]=1"')
    expect(encode('cfgAssign', 'C[a b]=1')).toBe('refused: not C[KEY]=VALUE: "C[a b]=1"')
    expect(encode('cfgAssign', 'x C[a]=1')).toBe('refused: not C[KEY]=VALUE: "x C[a]=1"')
    expect(encode('cfgAssign', 'C[a]=$(x)')).toBe('refused: not shell text made by shellQuote: "$(x)"')
  })

  it('keyTable: lines of dotted.key=kind (lower-case letters) for a single-quoted bash string', () => {
    const table = 'a.b=int\nc=bool\nd.cuda-graph-trace=str'
    expect(encode('keyTable', table)).toBe(table)
    for (const bad of [' a=int', 'a=Int', 'a=int ', 'a b=int', 'a=', 'a=int;x', "a'b=int", '=int'])
      expect(encode('keyTable', `z=str\n${bad}`)).toBe(
        `refused: not a line of VERL key=kind: ${JSON.stringify(bad)}`,
      )
  })

  it('code: one line of bash; a control character (a line break, DEL) is refused', () => {
    expect(encode('code', 'verl_checks "$@" # ok')).toBe('verl_checks "$@" # ok')
    expect(encode('code', 'a\nb')).toBe('refused: bash code holding a control character: "a\\nb"')
    expect(encode('code', 'a\u007f')).toBe('refused: bash code holding a control character: "a\u007f"')
    expect(encode('code', 'a\u001fb')).toBe('refused: bash code holding a control character: "a\\u001fb"')
  })

  it('plain and plainOrNothing: a name (letter or digit first, then . _ -); plainOrNothing also ""', () => {
    expect(encode('plain', 'Qwen3-4B_v1.2')).toBe('Qwen3-4B_v1.2')
    for (const bad of ['-x', '.x', 'a b', 'a/b', ''])
      expect(encode('plain', bad)).toBe(
        `refused: not a name of letters, digits, ".", "_" and "-": ${JSON.stringify(bad)}`,
      )
    expect(encode('plain', 3)).toBe('refused: a name takes text: 3')
    expect(encode('plainOrNothing', '')).toBe('')
    expect(encode('plainOrNothing', 'x1')).toBe('x1')
    expect(encode('plainOrNothing', ' ')).toBe(
      'refused: not a name of letters, digits, ".", "_" and "-": " "',
    )
  })

  it('path: letters, digits and _ . / % @ + ~ -', () => {
    expect(encode('path', '/mnt_out/a@b/c%d+e~f-g.h')).toBe('/mnt_out/a@b/c%d+e~f-g.h')
    for (const bad of ['a b', 'a:b', '', '$HOME/x', 'a\nb'])
      expect(encode('path', bad)).toBe(
        `refused: not a path of letters, digits and "_ . / % @ + ~ -": ${JSON.stringify(bad)}`,
      )
  })

  it('casePattern: names joined by " | "', () => {
    expect(encode('casePattern', 'a')).toBe('a')
    expect(encode('casePattern', 'a.b | c-d | 9e')).toBe('a.b | c-d | 9e')
    for (const bad of ['a|b', 'a | ', ' | a', 'a |  b', '-a', 'a | *'])
      expect(encode('casePattern', bad)).toBe(`refused: not a case pattern of names: ${JSON.stringify(bad)}`)
  })

  it('int: a safe whole number, nothing else', () => {
    expect(encode('int', 0)).toBe('0')
    expect(encode('int', -12)).toBe('-12')
    expect(encode('int', 2 ** 53 - 1)).toBe('9007199254740991')
    for (const bad of [1.5, 2 ** 53, '3', Number.NaN])
      expect(encode('int', bad)).toBe(`refused: not a whole number: ${JSON.stringify(bad)}`)
  })

  it('comment: control characters show as ?', () => {
    expect(encode('comment', 'a\nb\u0085c\u009fd\u00a0e')).toBe('a?b?c?d\u00a0e')
    expect(encode('comment', null)).toBe('refused: comment text takes text: null')
  })

  it('directive: --name, --name=bare or --name="escaped", no control character', () => {
    for (const ok of [
      '--exclusive',
      '--time=01:00:00',
      '--gres=gpu:8',
      '--comment="a \\"b\\" \\# c"',
      '--x2-y=a,b',
    ])
      expect(encode('directive', ok)).toBe(ok)
    for (const bad of [
      '-x',
      '--X',
      '--x=',
      '--x=a b',
      '--x="a"b',
      '--x="a#"',
      '--x="a\\q"',
      '--x="a\nb"',
      '--x=a\u0085',
      'x--y',
    ])
      expect(encode('directive', bad)).toBe(
        `refused: not an sbatch option made by sbatchQuote: ${JSON.stringify(bad)}`,
      )
  })

  it('md and markdownText: what Markdown gives a meaning is escaped, & < > as entities', () => {
    expect(encode('md', 'a\\b`c*d_e[f]g|h~i$j#k!l&m<n>o')).toBe(
      'a\\\\b\\`c\\*d\\_e\\[f\\]g\\|h\\~i\\$j\\#k\\!l&amp;m&lt;n&gt;o',
    )
    expect(markdownText('plain (text), 1.5 + 2 = {x}')).toBe('plain (text), 1.5 + 2 = {x}')
    expect(markdownText('a\u0007b')).toBe('a?b')
  })

  it('mdCode and markdownCode: a fence longer than any backquote run inside, padded where it must be', () => {
    expect(encode('mdCode', 'run.sh')).toBe('`run.sh`')
    expect(encode('mdCode', 'run', '.sh')).toBe('`run.sh`')
    expect(encode('mdCode', 'run', 5)).toBe('`run`')
    expect(markdownCode('a`b')).toBe('``a`b``')
    expect(markdownCode('a``b`c')).toBe('```a``b`c```')
    expect(markdownCode('`a')).toBe('`` `a ``')
    expect(markdownCode('a`')).toBe('`` a` ``')
    expect(markdownCode(' a ')).toBe('`  a  `')
    expect(markdownCode(' a')).toBe('` a`')
    expect(markdownCode('   ')).toBe('`   `')
    expect(markdownCode('a\tb')).toBe('`a?b`')
    expect(markdownCode('a` ')).toBe('``a` ``') // ends with a space but does not start with one: no pad
    expect(() => markdownCode(5 as never)).toThrow('a Markdown code span takes text: 5')
    expect(() => markdownText(5 as never)).toThrow('Markdown text takes text: 5')
  })

  it('mdTable and markdownTable: header, a --- row, the rows; a | not yet escaped is escaped', () => {
    expect(
      markdownTable({
        header: ['key', 'value'],
        rows: [
          ['`a|b`', 'x\\|y'],
          ['z\\\\|w', ''],
        ],
      }),
    ).toBe('| key | value |\n|---|---|\n| `a\\|b` | x\\|y |\n| z\\\\\\|w |  |')
    expect(encode('mdTable', { header: ['a'], rows: [] })).toBe('| a |\n|---|')
    for (const bad of [
      null,
      { header: ['a'] },
      { header: [1], rows: [] },
      { header: ['a'], rows: [[2]] },
      { header: ['a', 'b'], rows: [['x', 2]] },
    ])
      expect(encode('mdTable', bad)).toBe(`refused: not a table of text cells: ${JSON.stringify(bad)}`)
  })

  it('markdown, mdFence: a line that starts with a fence is refused; control characters show as ?', () => {
    expect(encode('markdown', 'see `x`, then ```y```')).toBe('see `x`, then ```y```')
    expect(encode('markdown', 'a\rb')).toBe('a?b')
    expect(encode('markdown', '  ```js')).toBe(
      'refused: a line of Markdown cannot start with a fence: "  ```js"',
    )
    expect(encode('markdown', '~~~')).toBe('refused: a line of Markdown cannot start with a fence: "~~~"')
    expect(encode('mdFence', 'x = 1 ```')).toBe('x = 1 ```')
    expect(encode('mdFence', '```')).toBe('refused: a code block line cannot start with a fence: "```"')
    expect(encode('mdFence', ' ~~~ x')).toBe('refused: a code block line cannot start with a fence: " ~~~ x"')
  })

  it('mermaidBlock: sentences, then at most one ```mermaid block that ends the text', () => {
    const ok = 'Two runs.\n\n```mermaid\ngraph TD\n  a --> b\n```\n'
    expect(encode('mermaidBlock', ok)).toBe(ok)
    expect(encode('mermaidBlock', 'Only sentences.')).toBe('Only sentences.')
    for (const bad of [
      'x\n```mermaid\ngraph\n```\ntrailing',
      'x\n```js\ngraph\n```',
      'x\n```mermaid\ngraph\n``',
      'x\n```mermaid\ngraph',
      '```mermaid\na\n```\n```mermaid\nb\n```',
      'x\n~~~\ny\n```',
    ])
      expect(encode('mermaidBlock', bad)).toBe(
        `refused: not sentences and one fenced Mermaid block: ${JSON.stringify(bad)}`,
      )
  })

  it('mdShell: a bash word on a code block line, control characters as ?; htmlComment: < > as entities', () => {
    expect(encode('mdShell', 'a b\tc')).toBe("'a b?c'")
    expect(encode('mdShell', 'plain')).toBe('plain')
    expect(encode('htmlComment', 'a --> b <c>\n')).toBe('a --&gt; b &lt;c&gt;?')
  })

  it('the join helper: items joined by the separator (", " when none is given); nothing for a non-list', () => {
    expect(FORMAT_HELPERS.join(['a', 1, null], ' > ')).toBe('a > 1 > null')
    expect(FORMAT_HELPERS.join(['a', 'b'], {})).toBe('a, b')
    expect(FORMAT_HELPERS.join('ab', ' ')).toBe('')
  })
})
