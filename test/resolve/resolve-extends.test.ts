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
