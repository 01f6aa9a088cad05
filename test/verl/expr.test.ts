// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the texts are OmegaConf interpolations and bash, not templates
import { describe, expect, it } from 'vitest'
import { failingChecks, fill, holds, lookupWith } from '../../src/verl/evaluate.js'
import { evaluate, keysOf, numericKeysOf, parseExpr, toBash, type Value } from '../../src/verl/expr.js'
import { compileChecks, type VerlCheck, type VerlTarget } from '../../src/verl/target.js'

/** The value of `source` over `values` (a key not there is an error, as in a compile). */
function value(source: string, values: Record<string, Value> = {}): Value {
  return evaluate(parseExpr(source), (key) => {
    if (!(key in values)) throw new Error(`no ${key}`)
    return values[key] as Value
  })
}

describe('the check language: arithmetic on whole numbers', () => {
  it('* / % bind tighter than + -, which bind tighter than comparisons; parentheses group', () => {
    expect(value('1 + 2 * 3')).toBe(7)
    expect(value('(1 + 2) * 3')).toBe(9)
    expect(value('10 - 4 - 3')).toBe(3)
    expect(value('2 * 3 + 4 * 5')).toBe(26)
    expect(value('17 % 5 * 2')).toBe(4)
    expect(value('1 + 2 * 3 == 7')).toBe(true)
  })

  it('/ rounds toward zero, as bash does (not down)', () => {
    expect(value('7 / 2')).toBe(3)
    expect(value('0 - 7 / 2')).toBe(-3)
    expect(value('(0 - 7) / 2')).toBe(-3)
    expect(value('(0 - 7) % 3')).toBe(-1)
  })

  it('true and false count as 1 and 0 in arithmetic; a string is an error naming the side', () => {
    expect(value('a + 1', { a: true })).toBe(2)
    expect(value('a + 1', { a: false })).toBe(1)
    expect(() => value('a + 1', { a: 'x' })).toThrow('check expression: left side is "x", not a number')
    expect(() => value('1 + a', { a: null })).toThrow('check expression: right side is null, not a number')
  })

  it('division by zero in bare arithmetic is an error; in a comparison the comparison is false', () => {
    expect(() => value('a / b', { a: 4, b: 0 })).toThrow('check expression: division by zero')
    expect(() => value('a % b', { a: 4, b: 0 })).toThrow('check expression: division by zero')
    expect(value('a / b == 0', { a: 4, b: 0 })).toBe(false)
    expect(value('a % b == 0', { a: 4, b: 0 })).toBe(false)
    expect(value('a % b != 7', { a: 4, b: 0 })).toBe(false)
    expect(value('(a / b) + 1 > 0', { a: 4, b: 0 })).toBe(false)
    expect(value('0 < a % (b * 2)', { a: 4, b: 0 })).toBe(false)
    expect(value('a % b == 0', { a: 4, b: 2 })).toBe(true)
  })
})

describe('the check language: comparisons at their boundaries', () => {
  const at = (op: string) => [1, 2, 3].map((a) => value(`a ${op} 2`, { a }))
  it('< <= > >= == != on numbers', () => {
    expect(at('<')).toEqual([true, false, false])
    expect(at('<=')).toEqual([true, true, false])
    expect(at('>')).toEqual([false, false, true])
    expect(at('>=')).toEqual([false, true, true])
    expect(at('==')).toEqual([false, true, false])
    expect(at('!=')).toEqual([true, false, true])
  })

  it('== and != with a string, null, true or false compare values (no number conversion)', () => {
    expect(value("a == 'x'", { a: 'x' })).toBe(true)
    expect(value("a != 'x'", { a: 'x' })).toBe(false)
    expect(value('a == null', { a: null })).toBe(true)
    expect(value('a == null', { a: 0 })).toBe(false)
    expect(value('a != null', { a: 0 })).toBe(true)
    expect(value('a == true', { a: 1 })).toBe(false)
    expect(value('false == a', { a: false })).toBe(true)
  })

  it('< on a string, null or a boolean is refused when the expression is compiled', () => {
    expect(() => value("a < 'x'", { a: 'y' })).toThrow('check expression: < compares numbers only')
    expect(() => value('a >= null', { a: 1 })).toThrow('check expression: >= compares numbers only')
  })
})

describe('the check language: logic and lists', () => {
  it('! && || over truth: true and a non-zero number are true; a string, null, 0 and false are not', () => {
    expect([0, 5, true, false, null, 'x'].map((a) => value('!a', { a }))).toEqual([
      true,
      false,
      false,
      true,
      true,
      true,
    ])
    expect(value('!!a', { a: 3 })).toBe(true)
    expect(value('a && b', { a: 2, b: true })).toBe(true)
    expect(value('a && b', { a: 2, b: 'x' })).toBe(false)
    expect(value('a || b', { a: 0, b: 'x' })).toBe(false)
    expect(value('a || b', { a: 0, b: 1 })).toBe(true)
    expect(value('a || b && c', { a: true, b: false, c: false })).toBe(true)
    expect(value('(a || b) && c', { a: true, b: false, c: false })).toBe(false)
    expect(value('!a == 1', { a: 2 })).toBe(true) // ! applies to the comparison: (!a) == 1 would be false
  })

  it('`in` holds when the value is one of the listed literals (null and numbers too)', () => {
    const list = "a in ['x', null, 3, true]"
    expect(['x', null, 3, true, 'y', 4, false].map((a) => value(list, { a }))).toEqual([
      true,
      true,
      true,
      true,
      false,
      false,
      false,
    ])
    expect(value('a in []', { a: 1 })).toBe(false)
    expect(value("a + 1 in [2, 'b']", { a: 1 })).toBe(true)
  })
})

describe('the check language: what it refuses to parse', () => {
  it.each([
    ['a ==', 'check expression: expected more at token 3 of a =='],
    ['(a', 'check expression: expected ) at token 3 of (a'],
    ['a b', 'check expression: trailing b in a b'],
    ['a in [b]', 'check expression: a list holds literals only, in a in [b]'],
    ['a == @', 'check expression: unexpected " @" in a == @'],
    ['a + )', 'check expression: unexpected ) in a + )'],
  ])('%s: %s', (source, message) => {
    expect(() => parseExpr(source)).toThrow(message)
  })

  it('space around tokens and at the end is allowed; dotted keys are one token', () => {
    expect(parseExpr('  a.b_c.d   >=  12  ')).toEqual({
      kind: 'bin',
      op: '>=',
      left: { kind: 'key', key: 'a.b_c.d' },
      right: { kind: 'lit', value: 12 },
    })
    expect(parseExpr("x in ['p','q']")).toEqual({
      kind: 'in',
      arg: { kind: 'key', key: 'x' },
      list: ['p', 'q'],
    })
  })
})

describe('the check language: more rules, each at the place a mutant of it would show', () => {
  it('a key may end in digits (it is not a number)', () => {
    expect(value('a1 + 1', { a1: 2 })).toBe(3)
    expect(() => parseExpr('x in [a1]')).toThrow('check expression: a list holds literals only, in x in [a1]')
  })

  it('a closing parenthesis must be one', () => {
    expect(() => parseExpr('(a + 1]')).toThrow('check expression: expected ) at token 5 of (a + 1]')
    expect(() => parseExpr("a in ('x')")).toThrow("check expression: expected [ at token 3 of a in ('x')")
  })

  it('a numeric comparison with a string names the side it is on', () => {
    expect(() => value('a < 1', { a: 'x' })).toThrow('check expression: left side is "x", not a number')
    expect(() => value('1 < a', { a: 'x' })).toThrow('check expression: right side is "x", not a number')
  })

  it('a division below && or || in parentheses is not a guarded divisor of the comparison around it', () => {
    expect(() => value('(a / b || 1) + 1 > 0', { a: 1, b: 0 })).toThrow('check expression: division by zero')
  })
})

describe('the keys an expression reads', () => {
  it('keysOf: every key, in the order it appears', () => {
    expect([...keysOf(parseExpr("a.b + c > 0 && !d || e in [1] || f == 'x' || a.b < 2"))]).toEqual([
      'a.b',
      'c',
      'd',
      'e',
      'f',
    ])
  })

  it('numericKeysOf: only keys read in arithmetic or a numeric comparison', () => {
    const e = parseExpr("a + b > c && d == 'x' && !e && f in [1] && g && h / i == 0 && j == null")
    expect([...numericKeysOf(e)]).toEqual(['a', 'b', 'c', 'h', 'i'])
    expect([...numericKeysOf(parseExpr('!(k < 2)'))]).toEqual(['k'])
    expect([...numericKeysOf(parseExpr('x + 1 in [2]'))]).toEqual(['x'])
    expect([...numericKeysOf(parseExpr('a'))]).toEqual([])
  })
})

describe('the check language in bash (over the array C)', () => {
  const bash = (source: string) => toBash(parseExpr(source))
  it('each form, written out', () => {
    expect(bash('a')).toBe('[[ "${C[a]}" == true ]]')
    expect(bash('!a')).toBe('! { [[ "${C[a]}" == true ]]; }')
    expect(bash('a && b')).toBe('{ [[ "${C[a]}" == true ]]; } && { [[ "${C[b]}" == true ]]; }')
    expect(bash('a || b')).toBe('{ [[ "${C[a]}" == true ]]; } || { [[ "${C[b]}" == true ]]; }')
    expect(bash("a.b in ['x', null, 3]")).toBe(
      '[[ "${C[a.b]}" == \'x\' || "${C[a.b]}" == null || "${C[a.b]}" == 3 ]]',
    )
    expect(bash("a != 'x'")).toBe('[[ "${C[a]}" != \'x\' ]]')
    expect(bash('null == a')).toBe('[[ null == "${C[a]}" ]]')
    expect(bash('true')).toBe('true')
    expect(bash('1')).toBe('true')
    expect(bash('0')).toBe('false')
    expect(bash('false')).toBe('false')
  })

  it('arithmetic: operands that are expressions in parentheses, each divisor guarded against zero', () => {
    expect(bash('a >= 2')).toBe('(( ${C[a]} >= 2 ))')
    expect(bash('a.b % c == 0')).toBe('(( ${C[c]} != 0 && (${C[a.b]} % ${C[c]}) == 0 ))')
    expect(bash('(a + 1) * 2 > b / (c - 1)')).toBe(
      '(( (${C[c]} - 1) != 0 && ((${C[a]} + 1) * 2) > (${C[b]} / (${C[c]} - 1)) ))',
    )
    expect(bash('a * true < 3')).toBe('(( (${C[a]} * 1) < 3 ))')
    expect(bash('a / b + c % d == 0')).toBe(
      '(( ${C[b]} != 0 && ${C[d]} != 0 && ((${C[a]} / ${C[b]}) + (${C[c]} % ${C[d]})) == 0 ))',
    )
  })

  it('what bash cannot say is refused', () => {
    expect(() => bash("a + 1 == 'x'")).toThrow('check expression: only keys and literals compare as values')
    expect(() => bash("a in ['x'] + 1")).toThrow()
    expect(() => bash('null + 1 > 0')).toThrow('check expression: literal is null, not a number')
    expect(() => bash('(a && b) + 1 > 0')).toThrow('check expression: not arithmetic')
  })
})

const check = (c: Partial<VerlCheck> & { id: string; require: string }): VerlCheck => ({
  source: 'verl/x.py:1',
  stage: 'validate_config',
  message: `${c.id} failed`,
  fix: 'fix it',
  ...c,
})

function target(checks: VerlCheck[], defaults: Record<string, Value> = {}): VerlTarget {
  return {
    version: '9.9.9',
    tag: 'v9.9.9',
    commit: 'c',
    repo: 'r',
    keys: new Map(),
    rewardPathKey: 'p',
    rewardNameKey: 'n',
    typedKeys: new Map(),
    ignored: [],
    checks: compileChecks(checks),
    defaults: new Map(Object.entries(defaults)),
  }
}

describe('evaluating the checks of a release', () => {
  it('a check holds when its `when` is not true, else when its `require` is true', () => {
    const [c] = compileChecks([check({ id: 'c', when: 'w', require: 'r' })])
    const at = (w: Value, r: Value) => holds(c as never, (k) => (k === 'w' ? w : r))
    expect([
      at(false, false),
      at(0, false),
      at(true, false),
      at(true, true),
      at(1, 1),
      at(true, 'x'),
    ]).toEqual([true, true, false, true, true, false]) // only `true` makes `when` apply, or satisfies `require`
    const [always] = compileChecks([check({ id: 'a', require: 'r' })])
    expect(holds(always as never, () => false)).toBe(false)
    expect(holds(always as never, () => true)).toBe(true)
  })

  it('the reads of a compiled check: `when` keys first, then `require` keys, each once', () => {
    const [c] = compileChecks([check({ id: 'c', when: 'b && a', require: 'c > a' })])
    expect(c?.reads).toEqual(['b', 'a', 'c'])
  })

  it('failing checks: the messages with each {key} filled; one named in unlessFailed of a failing one is dropped', () => {
    const t = target(
      [
        check({ id: 'big', require: 'a < 10', message: 'a is {a}, over 10 (b {b}, c {c.d})' }),
        check({ id: 'even', require: 'a % 2 == 0', unlessFailed: ['big'] }),
        check({ id: 'odd-b', require: 'b % 2 == 1', unlessFailed: ['nothing'] }),
      ],
      { b: 4, 'c.d': null },
    )
    const failing = (a: Value) =>
      failingChecks(t, lookupWith(t, new Map([['a', a]]))).map((f) => `${f.check.id}: ${f.message}`)
    expect(failing(11)).toEqual(['big: a is 11, over 10 (b 4, c null)', 'odd-b: odd-b failed'])
    expect(failing(3)).toEqual(['even: even failed', 'odd-b: odd-b failed'])
    expect(failing(4)).toEqual(['odd-b: odd-b failed'])
    // The same values again: the same verdict (remembered, and still right).
    expect(failing(11)).toEqual(['big: a is 11, over 10 (b 4, c null)', 'odd-b: odd-b failed'])
  })

  it('a verdict is remembered by the values of every key the checks and their messages read', () => {
    const t = target([check({ id: 'c', require: 'a < 10', message: 'b {b}, c.d {c.d}' })])
    const failing = (a: Value, b: Value, cd: Value) =>
      failingChecks(
        t,
        lookupWith(
          t,
          new Map([
            ['a', a],
            ['b', b],
            ['c.d', cd],
          ]),
        ),
      ).map((f) => f.message)
    expect(failing(11, 1, 1)).toEqual(['b 1, c.d 1'])
    expect(failing(3, 1, 1)).toEqual([])
    expect(failing(11, 2, 1)).toEqual(['b 2, c.d 1'])
    expect(failing(11, 2, 3)).toEqual(['b 2, c.d 3'])
  })

  it('agreeing configs share one verdict (the same answer, evaluated once), up to 4096 verdicts per release', () => {
    const t = target([check({ id: 'c', require: 'a < 0' })])
    const verdict = (a: number) => failingChecks(t, lookupWith(t, new Map([['a', a]])))
    const first = verdict(0)
    expect(verdict(0)).toBe(first)
    for (let a = 1; a < 4096; a++) verdict(a)
    expect(verdict(4095)).toBe(verdict(4095)) // the 4096th verdict is remembered
    const over = verdict(4096)
    expect(over).toEqual([expect.objectContaining({ message: 'c failed' })])
    expect(verdict(4096)).not.toBe(over) // the 4097th is not
    expect(verdict(0)).toBe(first)
  })

  it('a key without a value: the checks report it as the evaluation does (an error naming the key)', () => {
    const t = target([check({ id: 'c', require: 'a < 10' })])
    const get = lookupWith(t, new Map())
    expect(() => failingChecks(t, get)).toThrow('VERL 9.9.9: no value for a')
  })

  it('a lookup: the value set, null when set to null, else the default, null when the default is null', () => {
    const t = target([], { d: 7, n: null, s: 'x' })
    const get = lookupWith(
      t,
      new Map<string, Value>([
        ['a', 0],
        ['z', null],
        ['d', false],
      ]),
    )
    expect(['a', 'z', 'd', 'n', 's'].map(get)).toEqual([0, null, false, null, 'x'])
    expect(() => get('missing')).toThrow('VERL 9.9.9: no value for missing')
  })

  it('fill: {key} becomes the value as the launch script prints it; other braces stay', () => {
    const values: Record<string, Value> = { a: 3, 'b.c_d': null, e: true, f: 'text' }
    expect(fill('{a} {b.c_d} {e} {f} {1x} {} {a', (k) => values[k] as Value)).toBe(
      '3 null true text {1x} {} {a',
    )
  })
})
