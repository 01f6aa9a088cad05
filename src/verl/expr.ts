/**
 * The small language VERL's start-up checks are written in, so that one definition is both made at compile
 * time (`evaluate`, over the resolved spec) and written into the launch scripts (`toBash`, over the values
 * in effect at run time: environment overrides and extra arguments). Identifiers are VERL's dotted keys.
 *
 *   expr  := or
 *   or    := and ('||' and)*          and := not ('&&' not)*          not := '!' not | cmp
 *   cmp   := sum (('=='|'!='|'<'|'<='|'>'|'>=') sum | 'in' list)?
 *   sum   := prod (('+'|'-') prod)*   prod := atom (('*'|'/'|'%') atom)*
 *   atom  := KEY | INT | 'STRING' | true | false | null | '(' expr ')'
 *
 * Arithmetic is on whole numbers (`/` rounds toward zero, as bash does). A comparison with a string,
 * `null`, `true` or `false` compares values; anything else compares numbers, and is false when it would
 * divide by zero (the check cannot hold: a zero size is itself wrong).
 */

export type Value = number | boolean | string | null

export type Expr =
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'lit'; readonly value: Value }
  | { readonly kind: 'not'; readonly arg: Expr }
  | { readonly kind: 'bin'; readonly op: string; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'in'; readonly arg: Expr; readonly list: readonly Value[] }

const TOKEN =
  /\s*(\|\||&&|==|!=|<=|>=|[-+*/%()<>![\],]|'[^']*'|[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*|\d+)/y

function tokenize(source: string): string[] {
  const tokens: string[] = []
  TOKEN.lastIndex = 0
  while (TOKEN.lastIndex < source.length) {
    const at = TOKEN.lastIndex
    const m = TOKEN.exec(source)
    if (m === null) {
      if (source.slice(at).trim() === '') break
      throw new Error(`check expression: unexpected ${JSON.stringify(source.slice(at))} in ${source}`)
    }
    tokens.push(m[1] as string)
  }
  return tokens
}

const literal = (t: string): Value | undefined => {
  if (/^\d+$/.test(t)) return Number(t)
  if (t.startsWith("'")) return t.slice(1, -1)
  if (t === 'true') return true
  if (t === 'false') return false
  if (t === 'null') return null
  return undefined
}

export function parseExpr(source: string): Expr {
  const tokens = tokenize(source)
  let i = 0
  const peek = () => tokens[i]
  const take = (want?: string): string => {
    const t = tokens[i++]
    if (t === undefined || (want !== undefined && t !== want)) {
      throw new Error(`check expression: expected ${want ?? 'more'} at token ${i} of ${source}`)
    }
    return t
  }
  const binary = (next: () => Expr, ops: readonly string[]) => (): Expr => {
    let left = next()
    while (ops.includes(peek() ?? '')) {
      const op = take()
      left = { kind: 'bin', op, left, right: next() }
    }
    return left
  }
  const atom = (): Expr => {
    const t = take()
    if (t === '(') {
      const e = or()
      take(')')
      return e
    }
    const lit = literal(t)
    if (lit !== undefined) return { kind: 'lit', value: lit }
    if (/^[A-Za-z_]/.test(t)) return { kind: 'key', key: t }
    throw new Error(`check expression: unexpected ${t} in ${source}`)
  }
  const prod = binary(atom, ['*', '/', '%'])
  const sum = binary(prod, ['+', '-'])
  const cmp = (): Expr => {
    const left = sum()
    const op = peek()
    if (op === 'in') {
      take()
      take('[')
      const list: Value[] = []
      while (peek() !== ']') {
        const v = literal(take())
        if (v === undefined) throw new Error(`check expression: a list holds literals only, in ${source}`)
        list.push(v)
        if (peek() === ',') take()
      }
      take(']')
      return { kind: 'in', arg: left, list }
    }
    if (op !== undefined && ['==', '!=', '<', '<=', '>', '>='].includes(op)) {
      take()
      return { kind: 'bin', op, left, right: sum() }
    }
    return left
  }
  const not = (): Expr => {
    if (peek() === '!') {
      take()
      return { kind: 'not', arg: not() }
    }
    return cmp()
  }
  const and = binary(not, ['&&'])
  const or = binary(and, ['||'])
  const e = or()
  if (i !== tokens.length) throw new Error(`check expression: trailing ${tokens[i]} in ${source}`)
  return e
}

/** The keys an expression reads. */
export function keysOf(e: Expr, into: Set<string> = new Set()): Set<string> {
  if (e.kind === 'key') into.add(e.key)
  else if (e.kind === 'not' || e.kind === 'in') keysOf(e.arg, into)
  else if (e.kind === 'bin') {
    keysOf(e.left, into)
    keysOf(e.right, into)
  }
  return into
}

const ARITH = new Set(['+', '-', '*', '/', '%'])
const COMPARE = new Set(['==', '!=', '<', '<=', '>', '>='])

/** Is this a comparison of values (strings, null, booleans) rather than of numbers? */
function isValueComparison(e: { left: Expr; right: Expr }): boolean {
  return [e.left, e.right].some((x) => x.kind === 'lit' && typeof x.value !== 'number')
}

const num = (v: Value, key: string): number => {
  if (typeof v === 'number') return v
  if (typeof v === 'boolean') return v ? 1 : 0
  throw new Error(`check expression: ${key} is ${JSON.stringify(v)}, not a number`)
}

type Compiled = (get: (key: string) => Value) => Value
const COMPILED = new WeakMap<Expr, Compiled>()

/**
 * Evaluates an expression over a config (a key's value in effect). Each expression is turned into closures
 * once (a compile evaluates every check of the release for every experiment).
 */
export function evaluate(e: Expr, get: (key: string) => Value): Value {
  return compiled(e)(get)
}

function compiled(e: Expr): Compiled {
  let fn = COMPILED.get(e)
  if (fn === undefined) {
    fn = compile(e)
    COMPILED.set(e, fn)
  }
  return fn
}

function compile(e: Expr): Compiled {
  switch (e.kind) {
    case 'key': {
      const key = e.key
      return (get) => get(key)
    }
    case 'lit': {
      const value = e.value
      return () => value
    }
    case 'not': {
      const arg = compiled(e.arg)
      return (get) => !truthy(arg(get))
    }
    case 'in': {
      const arg = compiled(e.arg)
      const list = e.list
      return (get) => list.includes(arg(get))
    }
    case 'bin':
      return compileBin(e)
  }
}

function compileBin(e: Expr & { kind: 'bin' }): Compiled {
  const left = compiled(e.left)
  const right = compiled(e.right)
  if (e.op === '&&') return (get) => truthy(left(get)) && truthy(right(get))
  if (e.op === '||') return (get) => truthy(left(get)) || truthy(right(get))
  const compare = COMPARE.has(e.op)
  if (compare && isValueComparison(e)) {
    if (e.op === '==') return (get) => left(get) === right(get)
    if (e.op === '!=') return (get) => left(get) !== right(get)
    throw new Error(`check expression: ${e.op} compares numbers only`)
  }
  const op = arithmetic(e.op)
  if (!compare) return (get) => op(num(left(get), 'left side'), num(right(get), 'right side'))
  // A comparison of numbers is false when it would divide by zero: the check cannot hold.
  const divs = divisors(e).map(compiled)
  return (get) => {
    for (const d of divs) if (d(get) === 0) return false
    return op(num(left(get), 'left side'), num(right(get), 'right side'))
  }
}

function arithmetic(op: string): (a: number, b: number) => Value {
  switch (op) {
    case '+':
      return (a, b) => a + b
    case '-':
      return (a, b) => a - b
    case '*':
      return (a, b) => a * b
    case '/':
      return (a, b) => {
        if (b === 0) throw new Error('check expression: division by zero')
        return Math.trunc(a / b)
      }
    case '%':
      return (a, b) => {
        if (b === 0) throw new Error('check expression: division by zero')
        return a % b
      }
    case '==':
      return (a, b) => a === b
    case '!=':
      return (a, b) => a !== b
    case '<':
      return (a, b) => a < b
    case '<=':
      return (a, b) => a <= b
    case '>':
      return (a, b) => a > b
    case '>=':
      return (a, b) => a >= b
    default:
      throw new Error(`check expression: unknown operator ${op}`)
  }
}

/** The right-hand sides of every `/` and `%` below an arithmetic expression. */
function divisors(e: Expr, into: Expr[] = []): Expr[] {
  if (e.kind === 'bin' && (ARITH.has(e.op) || COMPARE.has(e.op))) {
    divisors(e.left, into)
    divisors(e.right, into)
    if (e.op === '/' || e.op === '%') into.push(e.right)
  }
  return into
}

function truthy(v: Value): boolean {
  return v === true || (typeof v === 'number' && v !== 0)
}

/**
 * The expression as a bash condition over the associative array `C` (key -> value as text: whole numbers in
 * decimal, booleans `true`/`false`, `null`, strings as they are). The launch script has checked each value
 * read in arithmetic to be a whole number (or `null`, which a guard before it excludes).
 */
export function toBash(e: Expr): string {
  switch (e.kind) {
    case 'not':
      return `! { ${toBash(e.arg)}; }`
    case 'in':
      return `[[ ${e.list.map((v) => `${word(e.arg)} == ${bashLiteral(v)}`).join(' || ')} ]]`
    case 'key':
      return `[[ ${word(e)} == true ]]`
    case 'lit':
      return truthy(e.value) ? 'true' : 'false'
    case 'bin': {
      if (e.op === '&&' || e.op === '||') return `{ ${toBash(e.left)}; } ${e.op} { ${toBash(e.right)}; }`
      if (COMPARE.has(e.op) && isValueComparison(e)) {
        return `[[ ${word(e.left)} ${e.op} ${word(e.right)} ]]`
      }
      const guards = divisors(e).map((d) => `${arithOperand(d)} != 0 && `)
      return `(( ${guards.join('')}${arith(e)} ))`
    }
  }
}

/** `'text'` for a string; `null`, `true`, `false` and numbers as String writes them. */
const bashLiteral = (v: Value): string => (typeof v === 'string' ? `'${v}'` : String(v))

function word(e: Expr): string {
  if (e.kind === 'key') return `"\${C[${e.key}]}"`
  if (e.kind === 'lit') return bashLiteral(e.value)
  throw new Error('check expression: only keys and literals compare as values')
}

function arith(e: Expr): string {
  // Expanded (`${C[key]}`): shellcheck cannot parse dotted subscripts inside (( )); the script checked
  // each value read here to be a whole number.
  if (e.kind === 'key') return `\${C[${e.key}]}`
  if (e.kind === 'lit') return String(num(e.value, 'literal'))
  if (e.kind === 'bin' && (ARITH.has(e.op) || COMPARE.has(e.op))) {
    return `${arithOperand(e.left)} ${e.op} ${arithOperand(e.right)}`
  }
  throw new Error('check expression: not arithmetic')
}

const arithOperand = (e: Expr): string => (e.kind === 'bin' ? `(${arith(e)})` : arith(e))

/** The keys an expression reads as numbers (in arithmetic or a numeric comparison), which must be whole. */
export function numericKeysOf(e: Expr, into: Set<string> = new Set(), numeric = false): Set<string> {
  if (e.kind === 'key') {
    if (numeric) into.add(e.key)
  } else if (e.kind === 'not' || e.kind === 'in') numericKeysOf(e.arg, into, false)
  else if (e.kind === 'bin') {
    const inner = ARITH.has(e.op) || (COMPARE.has(e.op) && !isValueComparison(e))
    numericKeysOf(e.left, into, inner)
    numericKeysOf(e.right, into, inner)
  }
  return into
}
