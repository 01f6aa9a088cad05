import { describe, expect, it } from 'vitest'
import { parseYaml } from '../../src/load/parse-yaml.js'
import { resolveExtends } from '../../src/resolve/resolve-extends.js'

/** The suggestion for `extends: <ext>` in x/4b/a.yaml, beside x/base.yaml, x/qwen3-4b.yaml and x/4b/b.yaml. */
function suggestionFor(ext: string): string | undefined {
  const docs = new Map(
    [
      ['x/base.yaml', 'abstract: true\n'],
      ['x/qwen3-4b.yaml', 'extends: ./base.yaml\n'],
      ['x/4b/b.yaml', 'extends: ../qwen3-4b.yaml\n'],
      ['x/4b/a.yaml', `extends: ${JSON.stringify(ext)}\n`],
    ].map(([file, text]) => [file as string, parseYaml(file as string, text as string)]),
  )
  const { diagnostics } = resolveExtends(docs, { specRoot: 'x' })
  expect(diagnostics.map((d) => d.code)).toEqual(['EXTENDS_NOT_FOUND'])
  return diagnostics[0]?.suggestion
}

describe('an extends that names no spec file', () => {
  it('suggests what was probably meant', () => {
    expect(suggestionFor('..\\qwen3-4b.yaml')).toBe('write the path with forward slashes: "../qwen3-4b.yaml"')
    expect(suggestionFor('../qwen3-4b')).toBe('did you mean "../qwen3-4b.yaml"?')
    expect(suggestionFor('./qwen3-4b.yaml')).toBe('did you mean "../qwen3-4b.yaml"?')
    expect(suggestionFor('../qwen3-4B.yaml')).toBe('did you mean "../qwen3-4b.yaml"?')
    expect(suggestionFor('../qwen-4b.yaml')).toBe('did you mean "../qwen3-4b.yaml"?')
    expect(suggestionFor('../nothing/like/this.yaml')).toBe(
      'existing layers: ../base.yaml, ../qwen3-4b.yaml, ./b.yaml',
    )
  })
})

/** resolveExtends over files (path -> text) in the spec folder `x`. */
function resolve(files: Record<string, string>, sweepFiles?: ReadonlySet<string>) {
  const docs = new Map(Object.entries(files).map(([file, text]) => [file, parseYaml(file, text)]))
  const { chains, diagnostics } = resolveExtends(docs, { specRoot: 'x', ...(sweepFiles && { sweepFiles }) })
  return {
    chains: Object.fromEntries(chains.map((c) => [c.file, c.chain])),
    diagnostics: diagnostics.map((d) => ({
      at: `${d.file}:${d.line}:${d.col}`,
      code: d.code,
      message: d.message,
      suggestion: d.suggestion,
      related: d.related?.map((r) => `${r.file}:${r.line}:${r.col} ${r.message}`),
    })),
  }
}

describe('following extends to the root', () => {
  it('each layer’s chain, root first; a layer with a parse error, or a non-text extends, has none', () => {
    expect(
      resolve({
        'x/base.yaml': 'abstract: true\n',
        'x/a.yaml': 'extends: base.yaml\n',
        'x/sub/b.yaml': 'extends: ../a.yaml\n',
        'x/bad.yaml': 'extends: base.yaml\nx: [\n',
        'x/num.yaml': 'extends: 3\n',
        'x/empty.yaml': 'extends: ""\n',
      }),
    ).toEqual({
      chains: {
        'x/a.yaml': ['x/base.yaml', 'x/a.yaml'],
        'x/bad.yaml': undefined,
        'x/base.yaml': ['x/base.yaml'],
        'x/empty.yaml': undefined,
        'x/num.yaml': undefined,
        'x/sub/b.yaml': ['x/base.yaml', 'x/a.yaml', 'x/sub/b.yaml'],
      },
      diagnostics: [],
    })
  })

  it('an extends outside the spec folder (.., absolute) is refused at its value', () => {
    const suggestion = 'extends takes a path relative to this file, to a layer inside the spec folder'
    expect(
      resolve({
        'x/a.yaml': 'extends: ../y.yaml\n',
        'x/b.yaml': 'extends: /x/a.yaml\n',
        'x/c.yaml': 'extends: ..\n',
      }).diagnostics,
    ).toEqual([
      {
        at: 'x/a.yaml:1:10',
        code: 'EXTENDS_OUTSIDE',
        message: 'extends "../y.yaml" points outside the spec folder x',
        suggestion,
        related: undefined,
      },
      {
        at: 'x/b.yaml:1:10',
        code: 'EXTENDS_OUTSIDE',
        message: 'extends "/x/a.yaml" points outside the spec folder x',
        suggestion,
        related: undefined,
      },
      {
        at: 'x/c.yaml:1:10',
        code: 'EXTENDS_OUTSIDE',
        message: 'extends ".." points outside the spec folder x',
        suggestion,
        related: undefined,
      },
    ])
  })

  it('a spec folder given as "" is the current one', () => {
    const docs = new Map([
      ['a.yaml', parseYaml('a.yaml', 'abstract: true\n')],
      ['b.yaml', parseYaml('b.yaml', 'extends: a.yaml\n')],
    ])
    expect(resolveExtends(docs, { specRoot: '' }).chains).toEqual([
      { file: 'a.yaml', chain: ['a.yaml'] },
      { file: 'b.yaml', chain: ['a.yaml', 'b.yaml'] },
    ])
  })

  it('a sweep file cannot be extended', () => {
    expect(
      resolve({ 'x/s.yaml': 'abstract: true\n', 'x/a.yaml': 'extends: s.yaml\n' }, new Set(['x/s.yaml']))
        .diagnostics,
    ).toEqual([
      {
        at: 'x/a.yaml:1:10',
        code: 'MATRIX_INVALID',
        message: 'extends "s.yaml": x/s.yaml is a sweep file (it has a matrix), which cannot be extended',
        suggestion:
          'extend the layer the sweep file extends, or move the shared settings into a layer both extend',
        related: undefined,
      },
    ])
  })

  it('a missing parent with no other layer: no suggestion; the .yml spelling is suggested too', () => {
    expect(resolve({ 'x/a.yaml': 'extends: nothing.yaml\n' }).diagnostics).toEqual([
      {
        at: 'x/a.yaml:1:10',
        code: 'EXTENDS_NOT_FOUND',
        message: 'extends "nothing.yaml": no spec file x/nothing.yaml',
        suggestion: undefined,
        related: undefined,
      },
    ])
    expect(
      resolve({ 'x/a.yaml': 'extends: b\n', 'x/b.yml': 'abstract: true\n' }).diagnostics[0]?.suggestion,
    ).toBe('did you mean "b.yml"?')
    expect(
      resolve({ 'x/a.yaml': 'extends: zz/q.yaml\n', 'x/k/q.yaml': 'abstract: true\n' }).diagnostics[0]
        ?.suggestion,
    ).toBe('did you mean "./k/q.yaml"?')
  })

  it('a cycle is said once, at its smallest file, with the others related; its layers have no chain', () => {
    expect(
      resolve({
        'x/c.yaml': 'extends: a.yaml\n',
        'x/a.yaml': 'x: 1\nextends: b.yaml\n',
        'x/b.yaml': 'extends: c.yaml\n',
        'x/d.yaml': 'extends: c.yaml\n',
      }),
    ).toEqual({
      chains: { 'x/a.yaml': undefined, 'x/b.yaml': undefined, 'x/c.yaml': undefined, 'x/d.yaml': undefined },
      diagnostics: [
        {
          at: 'x/a.yaml:2:10',
          code: 'EXTENDS_CYCLE',
          message: 'extends cycle: x/a.yaml → x/b.yaml → x/c.yaml → x/a.yaml',
          suggestion: 'a layer cannot inherit from itself; remove one of these extends',
          related: ['x/b.yaml:1:10 part of the cycle', 'x/c.yaml:1:10 part of the cycle'],
        },
      ],
    })
    expect(resolve({ 'x/a.yaml': 'extends: a.yaml\n' }).diagnostics.map((d) => d.message)).toEqual([
      'extends cycle: x/a.yaml → x/a.yaml',
    ])
  })

  it('a chain of more than 64 layers: an error at each concrete layer past the limit, none at abstract ones', () => {
    const files: Record<string, string> = { 'x/l00.yaml': 'abstract: true\n' }
    const name = (i: number) => `l${String(i).padStart(2, '0')}.yaml`
    for (let i = 1; i <= 65; i++)
      files[`x/${name(i)}`] = `extends: ${name(i - 1)}\n${i === 64 ? 'abstract: true\n' : ''}`
    const { chains, diagnostics } = resolve(files)
    expect(chains['x/l63.yaml']).toHaveLength(64)
    expect(chains['x/l64.yaml']).toBe(undefined)
    expect(chains['x/l65.yaml']).toBe(undefined)
    expect(diagnostics).toEqual([
      {
        at: 'x/l65.yaml:1:10',
        code: 'EXTENDS_DEPTH',
        message: 'the extends chain of x/l65.yaml is more than 64 layers deep (or runs into a longer cycle)',
        suggestion: 'extend a layer nearer the root, or merge layers that only pass settings on',
        related: undefined,
      },
    ])
  })
})
