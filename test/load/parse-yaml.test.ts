import { describe, expect, it } from 'vitest'
import {
  isPlainMap,
  layerId,
  type PlainMap,
  parseYaml,
  pointerJoin,
  pointerSegments,
  setOwn,
} from '../../src/load/parse-yaml.js'

/** The diagnostics of a file: `line:col code: message (suggestion)`. */
function problems(text: string): string[] {
  return parseYaml('s.yaml', text).diagnostics.map(
    (d) =>
      `${d.line}:${d.col} ${d.code}: ${d.message}${d.suggestion === undefined ? '' : ` (${d.suggestion})`}`,
  )
}

describe('JSON Pointers and layer ids', () => {
  it('pointerJoin escapes ~ and / (RFC 6901); pointerSegments undoes it', () => {
    expect(pointerJoin('', 'a')).toBe('/a')
    expect(pointerJoin('/a', 0)).toBe('/a/0')
    expect(pointerJoin('/a', 'b/c~d')).toBe('/a/b~1c~0d')
    expect(pointerJoin('/a', '~')).toBe('/a/~0')
    expect(pointerJoin('/a', '/')).toBe('/a/~1')
    expect(pointerSegments('')).toEqual([])
    expect(pointerSegments('/a/0')).toEqual(['a', '0'])
    expect(pointerSegments('/a/b~1c~0d')).toEqual(['a', 'b/c~d'])
    expect(pointerSegments('/~01')).toEqual(['~1'])
    expect(pointerSegments('/a~1b')).toEqual(['a/b'])
  })

  it('a layer is its file, or file[label] for a sweep combination', () => {
    expect(layerId({ file: 'x.yaml' })).toBe('x.yaml')
    expect(
      layerId({ file: 'x.yaml', sweep: { label: 'size=4b', matrix: { file: 'x.yaml', line: 1, col: 1 } } }),
    ).toBe('x.yaml[size=4b]')
  })

  it('setOwn makes __proto__ an own, enumerable, writable property; isPlainMap: objects only', () => {
    const m: PlainMap = {}
    setOwn(m, '__proto__', 1)
    setOwn(m, 'a', 2)
    expect(Object.getOwnPropertyDescriptor(m, '__proto__')).toEqual({
      value: 1,
      enumerable: true,
      writable: true,
      configurable: true,
    })
    expect(Object.getPrototypeOf(m)).toBe(Object.prototype)
    expect(Object.keys(m)).toEqual(['__proto__', 'a'])
    expect([{}, [], null, 'x', 1].map(isPlainMap)).toEqual([true, false, false, false, false])
  })
})

describe('parsing a spec file: values and positions', () => {
  it('a map of scalars, lists and maps, with each node’s position (value, and key)', () => {
    const doc = parseYaml('s.yaml', 'a: 1\nb:\n  - x\n  - 2.5\nc:\n  d: true\n  e: null\nf: "q"\n')
    expect(doc.diagnostics).toEqual([])
    expect(doc.value).toEqual({ a: 1, b: ['x', 2.5], c: { d: true, e: null }, f: 'q' })
    expect(doc.positions.get('/a')).toEqual({
      value: { file: 's.yaml', line: 1, col: 4, endLine: 1, endCol: 5 },
      key: { file: 's.yaml', line: 1, col: 1, endLine: 1, endCol: 2 },
    })
    expect(doc.positions.get('/b/1')).toEqual({
      value: { file: 's.yaml', line: 4, col: 5, endLine: 4, endCol: 8 },
      key: undefined,
    })
    expect(doc.positions.get('/c/d')?.key).toEqual({ file: 's.yaml', line: 6, col: 3, endLine: 6, endCol: 4 })
    expect(doc.positions.has('')).toBe(true)
  })

  it('numbers: finite, and whole ones exactly; a number key is its text', () => {
    expect(parseYaml('s.yaml', '1: a\nb: 1e-6\nc: 0x10\nd: 9007199254740991\n').value).toEqual({
      '1': 'a',
      b: 1e-6,
      c: 16,
      d: 9007199254740991,
    })
    expect(problems('a: .inf\nb: -.inf\nc: .nan\n')).toEqual([
      '1:4 SCHEMA: .inf is not a finite number; specs take finite numbers only (write a finite number (e.g. 1e9), or leave the key out)',
      '2:4 SCHEMA: -.inf is not a finite number; specs take finite numbers only (write a finite number (e.g. 1e9), or leave the key out)',
      '3:4 SCHEMA: .nan is not a finite number; specs take finite numbers only (write a finite number (e.g. 1e9), or leave the key out)',
    ])
    expect(problems('a: 9007199254740993\n')).toEqual([
      '1:4 SCHEMA: 9007199254740993 is too large to be carried exactly (the largest is 9007199254740991) (write a smaller number, or put it in quotes if it is meant as text)',
    ])
    expect(problems('a: 1e300\n')[0]).toMatch(/^1:4 SCHEMA: 1e300 is too large to be carried exactly/)
  })

  it('a key without a value is refused at the key; null deletes explicitly', () => {
    expect(problems('a:\nb: null\nc: ~\n')).toEqual([
      '1:1 EMPTY_VALUE: `a` has no value (give it a value, or write `null` to delete the value inherited from the parent)',
    ])
    expect(parseYaml('s.yaml', 'b: null\nc: ~\nd: ""\n').value).toEqual({ b: null, c: null, d: '' })
  })
})

describe('parsing a spec file: what it refuses, where, and what to do', () => {
  it('an empty file, or one that is not a map', () => {
    expect(problems('')).toEqual([
      '1:1 NOT_A_MAP: the file is empty; a spec is a map of settings (add at least `extends:` or the settings of this layer)',
    ])
    expect(problems('# only a comment\n')).toHaveLength(1)
    expect(problems('\n- a\n')).toEqual([
      '2:1 NOT_A_MAP: a spec must be a map of settings, found a list (write one `key: value` setting per line at the top level, e.g. `extends: ../base.yaml`)',
    ])
    expect(problems('\n  hello\n')).toEqual([
      '2:3 NOT_A_MAP: a spec must be a map of settings, found a scalar (write one `key: value` setting per line at the top level, e.g. `extends: ../base.yaml`)',
    ])
    expect(parseYaml('s.yaml', '- a\n').value).toEqual({})
  })

  it('YAML errors: each in finqa’s words with a suggestion, and the file’s value is empty', () => {
    expect(problems('a: 1\na: 2\n')).toEqual([
      '2:1 YAML_SYNTAX: duplicate key: each key may appear once in a map (remove one of the two entries)',
    ])
    expect(problems('a:\n\tb: 1\n')[0]).toMatch(
      /^2:1 YAML_SYNTAX: tabs are not allowed for indentation in YAML \(indent with spaces\)$/,
    )
    expect(problems('a: 1\n---\nb: 2\n')).toEqual([
      '2:1 YAML_SYNTAX: YAML syntax error: the file holds several documents (a `---` line starts another) (keep one spec per file: remove the `---` line, or move what follows it to a file of its own)',
    ])
    expect(problems('a: "open\n')[0]).toMatch(/ \(close the quote or bracket that this value opens\)$/)
    expect(problems('a: "\\q"\n')[0]).toMatch(
      / \(in double quotes write a backslash as \\\\, or use single quotes\)$/,
    )
    expect(problems('a: @x\n')[0]).toMatch(
      /^1:4 YAML_SYNTAX: YAML syntax error: .* \(put the value in quotes\)$/,
    )
    expect(parseYaml('s.yaml', 'a: 1\na: 2\n').value).toEqual({})
  })

  it('the library’s text without its own "at line L, column C"', () => {
    for (const p of problems('a: [1, 2\nb: 3\n')) expect(p).not.toMatch(/at line \d+, column \d+/)
  })

  it('tags other than the core ones are refused, on values and on keys; core tags are read as meant', () => {
    expect(problems('a: !env HOME\nb: !!python/object x\n')).toEqual([
      '1:9 YAML_SYNTAX: YAML tags (!env) are not supported in specs; a value is plain text, a number, a boolean, a list or a map (remove the tag; a value from the environment goes in at run time (e.g. `ROLLOUT_N=16 bash run_4b.sh`), not in a spec)',
      '2:20 YAML_SYNTAX: YAML tags (!!python/object) are not supported in specs; a value is plain text, a number, a boolean, a list or a map (remove the tag; a value from the environment goes in at run time (e.g. `ROLLOUT_N=16 bash run_4b.sh`), not in a spec)',
    ])
    expect(problems('!k a: 1\n')).toEqual([
      '1:4 YAML_SYNTAX: YAML tags (!k) are not supported in specs (remove the tag)',
    ])
    expect(parseYaml('s.yaml', 'a: !!str 1e-6\nb: !!int "3"\n').value).toEqual({ a: '1e-6', b: 3 })
  })

  it('anchors, aliases and merge keys are refused; many are said once, with how many more', () => {
    // At the value, after the tag or anchor.
    expect(problems('a: &x 1\n')).toEqual([
      '1:7 YAML_ALIAS: YAML anchors (&x) are not supported in specs (use `extends:` to share settings between files)',
    ])
    expect(problems('a: &x 1\nb: *x\nc: *x\n')).toEqual([
      '1:7 YAML_ALIAS: YAML anchors (&x) are not supported in specs (and 2 more anchors/aliases) (use `extends:` to share settings between files)',
    ])
    expect(problems('b:\n  <<: {c: 1}\n')).toEqual([
      '2:3 YAML_ALIAS: YAML merge keys (<<) are not supported in specs (use `extends:` to share settings between files)',
    ])
    expect(parseYaml('s.yaml', 'a: &x 1\nb: *x\n').value).toEqual({})
  })

  it('map keys must be plain strings (or numbers)', () => {
    expect(problems('[a]: 1\n? {b: 1}\n: 2\ntrue: 3\n')).toEqual([
      '1:1 YAML_SYNTAX: map keys must be plain strings',
      '2:3 YAML_SYNTAX: map keys must be plain strings',
      '4:1 YAML_SYNTAX: map keys must be plain strings',
    ])
  })
})

describe('parsing a spec file: more of the library’s errors, in finqa’s words', () => {
  it('each error’s message (without the library’s "at line L, column C") and what to do', () => {
    expect(problems('a: @x\n')).toEqual([
      '1:4 YAML_SYNTAX: YAML syntax error: Plain value cannot start with reserved character @ (put the value in quotes)',
    ])
    expect(problems('a:\n  b: 1\n c: 2\n')).toEqual([
      '3:1 YAML_SYNTAX: YAML syntax error: All mapping items must start at the same column (indent the entries of one map alike, and close a [ or { on the line it opens, or indent its lines more)',
    ])
    expect(problems('a: b: c\n')).toEqual([
      '1:4 YAML_SYNTAX: YAML syntax error: Nested mappings are not allowed in compact mappings (one `key: value` per line; a map value goes on the lines below its key, indented)',
    ])
    expect(problems('a b\nc: 1\n')).toEqual([
      '1:1 YAML_SYNTAX: YAML syntax error: Implicit keys need to be on a single line (one `key: value` per line; a map value goes on the lines below its key, indented)',
    ])
    expect(problems('a: "x" y\n')).toEqual([
      '1:8 YAML_SYNTAX: YAML syntax error: Unexpected scalar at node end (remove the stray character, or put the value in quotes)',
    ])
  })

  it('an empty value in a flow map, or after a bare tag or a ? key, has no value', () => {
    const empty = (name: string) =>
      `EMPTY_VALUE: \`${name}\` has no value (give it a value, or write \`null\` to delete the value inherited from the parent)`
    expect(problems('b: {a: }\n')).toEqual([`1:5 ${empty('a')}`])
    expect(problems('a: !!str\n')).toEqual([`1:1 ${empty('a')}`])
    expect(problems('x: 1\n? a\n')).toEqual([`2:3 ${empty('a')}`])
  })

  it('every diagnostic is an error; one at a point has no end', () => {
    const [d] = parseYaml('s.yaml', 'a: 1\na: 2\n').diagnostics
    expect(d).toEqual({
      file: 's.yaml',
      line: 2,
      col: 1,
      endLine: undefined,
      endCol: undefined,
      severity: 'error',
      code: 'YAML_SYNTAX',
      message: 'duplicate key: each key may appear once in a map',
      suggestion: 'remove one of the two entries',
    })
    const texts = [
      '',
      '- a\n',
      'a: !env x\n',
      '!k a: 1\n',
      'a: &x 1\n',
      'b:\n  <<: {c: 1}\n',
      '[a]: 1\n',
      'a:\n',
      'a: .inf\n',
      'a: 9007199254740993\n',
    ]
    for (const text of texts)
      expect(parseYaml('s.yaml', text).diagnostics.map((x) => x.severity)).toEqual(['error'])
  })

  it('when anchors are said once, the other errors of the file stay', () => {
    expect(problems('a: &x 1\nb: *x\nc: !env y\n')).toEqual([
      '3:9 YAML_SYNTAX: YAML tags (!env) are not supported in specs; a value is plain text, a number, a boolean, a list or a map (remove the tag; a value from the environment goes in at run time (e.g. `ROLLOUT_N=16 bash run_4b.sh`), not in a spec)',
      '1:7 YAML_ALIAS: YAML anchors (&x) are not supported in specs (and 1 more anchors/aliases) (use `extends:` to share settings between files)',
    ])
  })
})
