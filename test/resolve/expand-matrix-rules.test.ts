import { describe, expect, it } from 'vitest'
import { parseYaml } from '../../src/load/parse-yaml.js'
import { expandMatrix, fieldPointer, isFieldVariable, matrixText } from '../../src/resolve/expand-matrix.js'

/** expandMatrix called in-process on one parsed sweep file: each rule, with its message written out. */
const expand = (text: string) => expandMatrix(parseYaml('s.yaml', text))
const brief = (text: string) =>
  expand(text).diagnostics.map((d) => [d.code, d.severity, d.line, d.col, d.message, d.suggestion])
const labels = (text: string) => expand(text).docs.map((d) => d.sweep?.label)

describe('expandMatrix, rule by rule', () => {
  it('a matrix that is not a map is MATRIX_INVALID at its key and makes nothing', () => {
    const r = expand('name: a\nmatrix: [1, 2]\n')
    expect(r.docs).toEqual([])
    expect(r.diagnostics.map((d) => [d.code, d.line, d.col, d.message])).toEqual([
      ['MATRIX_INVALID', 2, 1, '`matrix` must be a map of axes, e.g. `rollout.n: [4, 12]`'],
    ])
  })

  it('an abstract sweep file is MATRIX_INVALID at `abstract`', () => {
    expect(brief('name: a_{x}\nabstract: true\nmatrix:\n  x: [1]\n')).toEqual([
      [
        'MATRIX_INVALID',
        'error',
        2,
        1,
        'a sweep file produces experiments, so it cannot be abstract',
        'remove `abstract: true`, or move the matrix to a file that extends this one',
      ],
    ])
    // `abstract: false` is no abstract file.
    expect(labels('name: a_{x}\nscript: a{x}.sh\nabstract: false\nmatrix:\n  x: [1]\n')).toEqual(['x=1'])
  })

  it('more than 10,000 combinations is MATRIX_TOO_LARGE; exactly 10,000 is allowed', () => {
    const list = (n: number) => `[${Array.from({ length: n }, (_, i) => i).join(', ')}]`
    const big = `name: a_{x}_{y}\nscript: a{x}_{y}.sh\nmatrix:\n  x: ${list(101)}\n  y: ${list(100)}\n`
    expect(brief(big)).toEqual([
      [
        'MATRIX_TOO_LARGE',
        'error',
        3,
        1,
        'the matrix makes 10,100 combinations (101 × 100) before `exclude`; a sweep file makes at most 10,000',
        'check its lists for a mistake, or split the sweep into several files',
      ],
    ])
    const exact = `name: a_{x}_{y}\nscript: a{x}_{y}.sh\nmatrix:\n  x: ${list(100)}\n  y: ${list(100)}\n`
    const r = expand(exact)
    expect(r.diagnostics).toEqual([])
    expect(r.docs.length).toBe(10000)
  })

  it('combinations come in matrix order, the first axis slowest, labelled by their values', () => {
    const r = expand('name: a_{x}_{y}\nscript: a{x}_{y}.sh\nmatrix:\n  x: [1, 2]\n  y: [p, q]\n')
    expect(r.diagnostics).toEqual([])
    expect(r.docs.map((d) => [d.sweep?.label, d.value.name, d.file])).toEqual([
      ['x=1,y=p', 'a_1_p', 's.yaml'],
      ['x=1,y=q', 'a_1_q', 's.yaml'],
      ['x=2,y=p', 'a_2_p', 's.yaml'],
      ['x=2,y=q', 'a_2_q', 's.yaml'],
    ])
    // The layer keeps no `matrix` key; a nested key named `matrix` is kept and filled.
    const nested = expand('name: a_{x}\nscript: a{x}.sh\nextra:\n  matrix: m{x}\nmatrix:\n  x: [1]\n')
    expect(nested.docs.map((d) => d.value)).toEqual([
      { name: 'a_1', script: 'a1.sh', extra: { matrix: 'm1' } },
    ])
    expect(nested.docs[0]?.sweep?.matrix).toEqual({ file: 's.yaml', line: 5, col: 1, endLine: 5, endCol: 7 })
  })

  it('templates fill lists and maps, spell numbers by formatNumber, and apply upper and lower', () => {
    const r = expand(
      'name: a_{x}\nscript: a{x}.sh\nlist:\n  - p{x}\n  - 3\n  - k: "{w|lower}-{w|upper}-{w}"\nmatrix:\n  x: [1e-6]\n  w: [Ab]\n',
    )
    expect(r.diagnostics).toEqual([])
    expect(r.docs.map((d) => d.value)).toEqual([
      { name: 'a_1e-6', script: 'a1e-6.sh', list: ['p1e-6', 3, { k: 'ab-AB-Ab' }] },
    ])
    expect(matrixText(true)).toBe('true')
    expect(matrixText(0.000001)).toBe('1e-6')
    expect(matrixText('x')).toBe('x')
  })

  it('an unknown variable and an unknown filter are MATRIX_TEMPLATE with the known names', () => {
    expect(brief('name: a_{x}\nscript: "{y}"\nmatrix:\n  x: [1]\n')).toEqual([
      ['MATRIX_TEMPLATE', 'error', 2, 9, '`{y}` names no variable of the matrix', 'the variables are: x'],
    ])
    expect(brief('name: a_{x|constructor}\nscript: a.sh\nmatrix:\n  x: [1]\n')).toEqual([
      [
        'MATRIX_TEMPLATE',
        'error',
        1,
        7,
        '`{x|constructor}`: unknown filter `constructor`',
        'the filters are: upper, lower',
      ],
    ])
    // With no axes at all (include only), there are no variables to suggest.
    const none = expand('name: "{z}"\nscript: a.sh\nmatrix:\n  include:\n    - { x: 1 }\n')
    expect(none.diagnostics.map((d) => [d.code, d.suggestion])).toEqual([
      ['MATRIX_TEMPLATE', 'the variables are: x'],
    ])
  })

  it('exclude: an entry names axes, drops what matches all of it, and warns when it drops nothing', () => {
    const text =
      'name: a_{x}_{y}\nscript: a{x}_{y}.sh\nmatrix:\n  x: [1, 2]\n  y: [p, q]\n  exclude:\n    - { x: 1, y: q }\n    - { x: 3 }\n    - 7\n'
    const r = expand(text)
    expect(r.docs.map((d) => d.sweep?.label)).toEqual(['x=1,y=p', 'x=2,y=p', 'x=2,y=q'])
    expect(r.diagnostics.map((d) => [d.code, d.severity, d.line, d.col, d.message, d.suggestion])).toEqual([
      [
        'MATRIX_INVALID',
        'warning',
        8,
        7,
        'this exclude entry matches no combination of the matrix',
        'check its values against the axes',
      ],
    ])
    expect(brief('name: a_{x}\nscript: a{x}.sh\nmatrix:\n  x: [1]\n  exclude:\n    - { z: 1 }\n')).toEqual([
      [
        'MATRIX_INVALID',
        'error',
        6,
        9,
        'exclude names `z`, which is not an axis of the matrix',
        'the axes are: x',
      ],
    ])
    // With no axes: exclude has nothing to remove, and says so.
    const noAxes =
      'name: a_{x}\nscript: a{x}.sh\nmatrix:\n  exclude:\n    - { z: 1 }\n  include:\n    - { x: 1 }\n'
    expect(expand(noAxes).diagnostics.map((d) => d.suggestion)).toEqual([
      'exclude removes combinations of the axes; this matrix has none',
    ])
    expect(expand(noAxes).docs.map((d) => d.sweep?.label)).toEqual(['x=1'])
  })

  it('include: every entry gives each axis and no other; without axes, the first entry sets them', () => {
    const r = expand(
      'name: a_{x}\nscript: a{x}.sh\nmatrix:\n  include:\n    - 7\n    - { x: 1 }\n    - { x: 2, y: 3 }\n    - {}\n',
    )
    expect(r.docs.map((d) => [d.sweep?.label, d.value.name])).toEqual([['x=1', 'a_1']])
    expect(r.diagnostics.map((d) => [d.code, d.line, d.col, d.message, d.suggestion])).toEqual([
      [
        'MATRIX_INVALID',
        7,
        15,
        'include names `y`, which is not an axis of the matrix',
        'an include entry gives a value for each of: x',
      ],
      [
        'MATRIX_INVALID',
        8,
        7,
        'this include entry gives no value for `x`',
        'an include entry gives a value for each of: x',
      ],
    ])
    const two = expand('name: a_{x}\nscript: a{x}.sh\nmatrix:\n  x: [1]\n  y: [2]\n  include:\n    - {}\n')
    expect(two.diagnostics.map((d) => d.message)).toEqual(['this include entry gives no value for `x`, `y`'])
  })

  it('MATRIX_EMPTY says why: an empty axis, no axes and no includes, or exclude removing all', () => {
    const why = (text: string) => expand(text).diagnostics.map((d) => [d.code, d.message, d.suggestion])
    const suggestion = 'give every axis at least one value, or remove the matrix'
    expect(why('name: a\nmatrix:\n  x: []\n  y: []\n  z: [1]\n')).toEqual([
      ['MATRIX_EMPTY', 'the matrix expands to no experiments: the axis `x`, `y` has no values', suggestion],
    ])
    expect(why('name: a\nmatrix: {}\n')).toEqual([
      [
        'MATRIX_EMPTY',
        'the matrix expands to no experiments: it has no axes and no include entries',
        suggestion,
      ],
    ])
    expect(why('name: a\nmatrix:\n  x: [1]\n  exclude:\n    - { x: 1 }\n')).toEqual([
      ['MATRIX_EMPTY', 'the matrix expands to no experiments: exclude removes every combination', suggestion],
    ])
    expect(why('name: a\nmatrix:\n  include:\n    - 7\n')).toEqual([
      ['MATRIX_EMPTY', 'the matrix expands to no experiments: exclude removes every combination', suggestion],
    ])
  })

  it('a field variable the file also sets, or sets a scalar above, is MATRIX_INVALID with the place', () => {
    const text = 'name: a_{rollout.n}\nscript: a{rollout.n}.sh\nrollout: 5\nmatrix:\n  rollout.n: [1]\n'
    const r = expand(text)
    expect(r.docs).toEqual([])
    expect(r.diagnostics.map((d) => [d.code, d.line, d.col, d.message, d.suggestion, d.related])).toEqual([
      [
        'MATRIX_INVALID',
        5,
        3,
        '`rollout.n` is both a matrix axis and set in this file',
        'remove one of the two; the matrix sets rollout.n for each combination',
        [{ file: 's.yaml', line: 3, col: 1, endLine: 3, endCol: 8, message: 'also set here' }],
      ],
    ])
    // A map above that does not set the field is no clash.
    const ok = expand(
      'name: a_{rollout.n}\nscript: a{rollout.n}.sh\nrollout:\n  m: 2\nmatrix:\n  rollout.n: [1]\n',
    )
    expect(ok.diagnostics).toEqual([])
    expect(ok.docs.map((d) => d.value.rollout)).toEqual([{ m: 2, n: 1 }])
  })

  it('a field variable sets its field, with positions at its item and the axis key for made maps', () => {
    const text = 'name: a_{training.lr}\nscript: a{training.lr}.sh\nmatrix:\n  training.lr: [1, 2]\n'
    const r = expand(text)
    expect(r.docs.map((d) => d.value.training)).toEqual([{ lr: 1 }, { lr: 2 }])
    const p = r.docs[1]?.positions
    expect(p?.get('/training/lr')).toEqual({
      value: { file: 's.yaml', line: 4, col: 20, endLine: 4, endCol: 21 },
      key: { file: 's.yaml', line: 4, col: 3, endLine: 4, endCol: 14 },
    })
    expect(p?.get('/training')).toEqual({
      value: { file: 's.yaml', line: 4, col: 3, endLine: 4, endCol: 14 },
      key: { file: 's.yaml', line: 4, col: 3, endLine: 4, endCol: 14 },
    })
    // An include value is its own position; a map the file already has keeps its position.
    const inc = expand(
      'name: a_{training.lr}\nscript: a.sh\ntraining:\n  b: 1\nmatrix:\n  include:\n    - { training.lr: 3 }\n',
    )
    expect(inc.docs.map((d) => d.value.training)).toEqual([{ b: 1, lr: 3 }])
    expect(inc.docs[0]?.positions.get('/training/lr')?.value).toMatchObject({ line: 7, col: 22 })
    expect(inc.docs[0]?.positions.get('/training')?.value).toMatchObject({ line: 4, col: 3 })
    // The sweep file itself is not changed.
    const doc = parseYaml('s.yaml', text)
    expandMatrix(doc)
    expect(doc.value.training).toBe(undefined)
  })

  it('field variables: a dot makes one; verl_overrides keeps the rest as one key', () => {
    expect(isFieldVariable('rollout.n')).toBe(true)
    expect(isFieldVariable('size')).toBe(false)
    expect(fieldPointer('rollout.n')).toBe('/rollout/n')
    expect(fieldPointer('a.b.c')).toBe('/a/b/c')
    expect(fieldPointer('verl_overrides.actor.lr')).toBe('/verl_overrides/actor.lr')
  })

  it('collisions: a shared name or an inherited script drops all but the first, one error each', () => {
    const r = expand('name: a\nscript: s{x}.sh\nmatrix:\n  x: [1, 2, 3]\n')
    expect(r.docs.map((d) => d.sweep?.label)).toEqual(['x=1'])
    expect(r.diagnostics.map((d) => [d.code, d.line, d.col, d.message, d.suggestion, d.related])).toEqual([
      [
        'MATRIX_COLLISION',
        3,
        1,
        'the matrix gives 3 combinations the same name a: x=1; x=2; x=3',
        'use the matrix variables in `name:`, e.g. qwen3_{size}_rollout{rollout.n}',
        [{ file: 's.yaml', line: 1, col: 7, endLine: 1, endCol: 8, message: 'the name template' }],
      ],
    ])
    const inherited = expand('name: a{x}\nmatrix:\n  x: [1, 2]\n')
    expect(inherited.docs.map((d) => d.sweep?.label)).toEqual(['x=1'])
    expect(inherited.diagnostics.map((d) => [d.message, d.suggestion, d.related])).toEqual([
      [
        "the matrix's combinations (x=1; x=2) all inherit the same script",
        'use the matrix variables in `script:`, e.g. run_{size}_rollout{rollout.n}.sh',
        undefined,
      ],
    ])
    // One combination collides with nothing.
    expect(expand('matrix:\n  x: [1]\n').diagnostics).toEqual([])
  })
})
