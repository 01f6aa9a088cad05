import { describe, expect, it } from 'vitest'
import { formatNumber } from '../../src/load/format-number.js'
import {
  hasControlCharacter,
  maskControlCharacters,
  sbatchQuote,
  shellQuote,
  UnencodableValue,
} from '../../src/render/shell.js'

/** The quoting and number rules of generated scripts (src/render/shell.ts), with the expected text written out. */
describe('control characters (C0, DEL, C1) never reach a one-line place', () => {
  it('hasControlCharacter finds C0, DEL and C1 anywhere in the text, and nothing else', () => {
    for (const c of ['\u0000', '\u0001', '\n', '\u001f', '\u007f', '\u0080', '\u009f'])
      expect(hasControlCharacter(`ab${c}cd`), JSON.stringify(c)).toBe(true)
    for (const c of [' ', '~', '\u00a0', 'é', '✓', ''])
      expect(hasControlCharacter(`ab${c}cd`), JSON.stringify(c)).toBe(false)
  })

  it('maskControlCharacters shows each control character as ?, and leaves the rest', () => {
    expect(maskControlCharacters('a\u0000b\u001fc\u007fd\u009fe\u00a0f ~\n')).toBe('a?b?c?d?e\u00a0f ~?')
    expect(maskControlCharacters('\t\t')).toBe('??')
    expect(maskControlCharacters('plain text')).toBe('plain text')
  })
})

describe('shellQuote: one bash word', () => {
  it('leaves words of the safe characters bare', () => {
    expect(shellQuote('AZaz09_./:@%+=,-')).toBe('AZaz09_./:@%+=,-')
    expect(shellQuote('x')).toBe('x')
  })

  it('single-quotes everything else, the empty word included', () => {
    expect(shellQuote('')).toBe("''")
    expect(shellQuote('a b')).toBe("'a b'")
    expect(shellQuote(' ab')).toBe("' ab'")
    expect(shellQuote('ab ')).toBe("'ab '")
    expect(shellQuote('$HOME')).toBe("'$HOME'")
    expect(shellQuote('~')).toBe("'~'")
    expect(shellQuote('a\nb')).toBe("'a\nb'")
  })

  it("writes each single quote as '\\''", () => {
    expect(shellQuote("it's")).toBe("'it'\\''s'")
    expect(shellQuote("'a'b'")).toBe("''\\''a'\\''b'\\'''")
  })

  it('refuses a NUL, which no bash word carries', () => {
    expect(() => shellQuote('a\0b')).toThrow(UnencodableValue)
    expect(() => shellQuote('a\0b')).toThrow('a NUL character cannot be passed to bash: "a\\u0000b"')
  })
})

describe('sbatchQuote: one #SBATCH value', () => {
  it('leaves words of the safe characters bare, double-quotes the rest with \\ " # escaped', () => {
    expect(sbatchQuote('AZaz09_./:@%+=,-')).toBe('AZaz09_./:@%+=,-')
    expect(sbatchQuote('')).toBe('""')
    expect(sbatchQuote(' a')).toBe('" a"')
    expect(sbatchQuote('a ')).toBe('"a "')
    expect(sbatchQuote('a#b#c')).toBe('"a\\#b\\#c"')
    expect(sbatchQuote('\\"')).toBe('"\\\\\\""')
    expect(sbatchQuote("it's")).toBe('"it\'s"')
  })

  it('refuses a control character, which would end the #SBATCH line', () => {
    expect(() => sbatchQuote('a\nb')).toThrow(UnencodableValue)
    expect(() => sbatchQuote('a\u007fb')).toThrow(
      'an #SBATCH line cannot hold a control character: "a\u007fb"',
    )
  })
})

describe('formatNumber: numbers as a researcher writes them', () => {
  it('integers as they are', () => {
    expect(formatNumber(0)).toBe('0')
    expect(formatNumber(64)).toBe('64')
    expect(formatNumber(-3)).toBe('-3')
  })

  it('fractions from 0.001 up as decimals', () => {
    expect(formatNumber(0.001)).toBe('0.001')
    expect(formatNumber(0.6)).toBe('0.6')
    expect(formatNumber(-0.25)).toBe('-0.25')
    expect(formatNumber(1.5)).toBe('1.5')
  })

  it('fractions below 0.001 in exponent form, without a plus sign', () => {
    expect(formatNumber(0.00099)).toBe('9.9e-4')
    expect(formatNumber(1e-6)).toBe('1e-6')
    expect(formatNumber(-5e-4)).toBe('-5e-4')
  })

  it('refuses what is not a finite number', () => {
    expect(() => formatNumber(Number.NaN)).toThrow('not a finite number: NaN')
    expect(() => formatNumber(Number.POSITIVE_INFINITY)).toThrow('not a finite number: Infinity')
  })
})
