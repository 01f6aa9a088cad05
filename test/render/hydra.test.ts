// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the texts are OmegaConf interpolations, not templates
import { describe, expect, it } from 'vitest'
import { hydraString, hydraValue } from '../../src/render/hydra.js'

/**
 * The Hydra form of values on VERL's command line. Expected texts are written out by Hydra's rules (the
 * comment on `hydraString`): a quote inside becomes `\"`, backslashes before a quote or at the end are
 * doubled, `${` becomes `\${` (each backslash before it doubled once more); nothing else changes.
 */
describe('hydraString', () => {
  it('quotes a value with nothing to escape as it is, in the quote asked for', () => {
    expect(hydraString('qwen3_4b')).toBe('"qwen3_4b"')
    expect(hydraString('a b,c=d', "'")).toBe("'a b,c=d'")
    expect(hydraString('')).toBe('""')
    // Only characters that need escaping: no fast path.
    expect(hydraString('"')).toBe('"\\""')
    expect(hydraString('\\')).toBe('"\\\\"')
  })

  it('escapes the closing quote and only that one: a double quote in "...", a single quote in \'...\'', () => {
    expect(hydraString('say "hi"')).toBe('"say \\"hi\\""')
    expect(hydraString("it's")).toBe('"it\'s"')
    expect(hydraString("it's", "'")).toBe("'it\\'s'")
    expect(hydraString('say "hi"', "'")).toBe('\'say "hi"\'')
  })

  it('doubles the backslashes before a quote, and adds the one that escapes it', () => {
    expect(hydraString('a\\"b')).toBe('"a\\\\\\"b"')
    expect(hydraString('a\\\\"b')).toBe('"a\\\\\\\\\\"b"')
  })

  it('doubles the backslashes at the end (they would escape the closing quote), and only those', () => {
    expect(hydraString('dir\\')).toBe('"dir\\\\"')
    expect(hydraString('dir\\\\')).toBe('"dir\\\\\\\\"')
    expect(hydraString('a\\b')).toBe('"a\\b"')
    expect(hydraString('a\\b\\')).toBe('"a\\b\\\\"')
  })

  it('writes ${ as \\${ so OmegaConf reads it as text, not an interpolation; a lone $ stays', () => {
    expect(hydraString('${oc.env:HOME}')).toBe('"\\${oc.env:HOME}"')
    expect(hydraString('a${x}b${y}')).toBe('"a\\${x}b\\${y}"')
    expect(hydraString('\\${x}')).toBe('"\\\\\\${x}"')
    expect(hydraString('cost $5')).toBe('"cost $5"')
    expect(hydraString('$')).toBe('"$"')
  })
})

describe('hydraValue', () => {
  it('writes booleans as True/False, null as null, numbers as a researcher writes them', () => {
    expect(hydraValue(true)).toBe('True')
    expect(hydraValue(false)).toBe('False')
    expect(hydraValue(null)).toBe('null')
    expect(hydraValue(12)).toBe('12')
    expect(hydraValue(0.001)).toBe('0.001')
    expect(hydraValue(1e-6)).toBe('1e-6')
  })

  it('always quotes a string, so true, null, 1e5 or ~ stay strings', () => {
    expect(hydraValue('true')).toBe('"true"')
    expect(hydraValue('null')).toBe('"null"')
    expect(hydraValue('1e5')).toBe('"1e5"')
    expect(hydraValue('~')).toBe('"~"')
  })

  it('writes a list in brackets, each item in its own form, nested lists too', () => {
    expect(hydraValue([])).toBe('[]')
    expect(hydraValue([1, 'a', true, null])).toBe('[1,"a",True,null]')
    expect(hydraValue([[1, 2], ['x"y']])).toBe('[[1,2],["x\\"y"]]')
  })

  it('has no form for a map (a bug of the caller): it throws, naming the value', () => {
    expect(() => hydraValue({ a: 1 })).toThrow('no Hydra form for {"a":1}')
    expect(() => hydraValue(undefined)).toThrow('no Hydra form for undefined')
  })
})
