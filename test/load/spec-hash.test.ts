import { describe, expect, it } from 'vitest'
import { formatNumber } from '../../src/load/format-number.js'
import { createSpecHasher } from '../../src/load/spec-hash.js'

describe('the spec hash a run record names (spec_sha256)', () => {
  it('SHA-256 over each layer: its id, a NUL, the SHA-256 of its file, a newline (values from sha256sum)', () => {
    // printf 'a: 1\n' | sha256sum; printf '' | sha256sum; then the lines below through sha256sum.
    const hash = createSpecHasher(new Map([['base.yaml', 'a: 1\n']]))
    // base.yaml\0 37b1...eae\n x.yaml[size=4b]\0 e3b0...855\n (x.yaml's text is unknown: hashed as empty)
    expect(
      hash([
        { id: 'base.yaml', file: 'base.yaml' },
        { id: 'x.yaml[size=4b]', file: 'x.yaml' },
      ]),
    ).toBe('83912102229c7a9470a8f98cc2eb06e6fd02506407bc331a367d5d8c0394cb20')
    expect(hash([])).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
    // The same file again (its hash is kept): the same answer.
    expect(
      hash([
        { id: 'base.yaml', file: 'base.yaml' },
        { id: 'x.yaml[size=4b]', file: 'x.yaml' },
      ]),
    ).toBe('83912102229c7a9470a8f98cc2eb06e6fd02506407bc331a367d5d8c0394cb20')
  })
})

describe('formatNumber: one spelling of a number', () => {
  it('whole numbers as they are, fractions from 0.001 up as they are, smaller ones as e-', () => {
    expect([12, -3, 0, 0.5, 0.001, -0.001, 0.00099, 1e-6, -2.5e-7, 123.25].map(formatNumber)).toEqual([
      '12',
      '-3',
      '0',
      '0.5',
      '0.001',
      '-0.001',
      '9.9e-4',
      '1e-6',
      '-2.5e-7',
      '123.25',
    ])
    expect(() => formatNumber(Number.NaN)).toThrow('not a finite number: NaN')
    expect(() => formatNumber(Number.POSITIVE_INFINITY)).toThrow('not a finite number: Infinity')
  })
})
