import { describe, expect, it } from 'vitest'
import { readSchema, readTemplates } from '../../src/cli/package-files.js'
import { compile } from '../../src/compile.js'
import { formatDiagnostic } from '../../src/diagnostics/format.js'
import { readSpecs } from '../../src/load/read-specs.js'
import { compileDir, REPO } from '../helpers/compile-repo.js'

const shipped = readSpecs('experiments', REPO)
const withChange = (file: string, from: string, to: string) => {
  const specs = new Map(shipped.specs)
  const text = specs.get(file) ?? ''
  if (!text.includes(from)) throw new Error(`${file} has no ${from}`)
  specs.set(file, text.replace(from, to))
  return compile({ specs, specDir: 'experiments', templates: readTemplates(), schema: readSchema() })
}

describe('diagnostics carry what the user needs', () => {
  it('an unknown key suggests the closest known one', () => {
    const { diagnostics } = withChange(
      'experiments/4b/rollout4.yaml',
      'rollout:\n  n: 4',
      'rollout:\n  nn: 4',
    )
    expect(diagnostics).toMatchObject([
      {
        code: 'UNKNOWN_KEY',
        file: 'experiments/4b/rollout4.yaml',
        line: 9,
        col: 3,
        suggestion: 'did you mean `n`?',
      },
    ])
  })

  it('a misspelt required key is one error: its missing-key errors fold into it, also in a nested map', () => {
    const { diagnostics } = withChange('experiments/base.yaml', '  engine: vllm', '  engnie: vllm')
    expect(diagnostics).toMatchObject([
      {
        code: 'UNKNOWN_KEY',
        file: 'experiments/base.yaml',
        suggestion: 'did you mean `engine`?',
        folded: ['rollout.engine'],
      },
    ])
    expect(diagnostics).toHaveLength(1)
  })

  it('a misspelt key that no required key is missing under stays alone, and other errors stay', () => {
    const { diagnostics } = withChange(
      'experiments/4b/rollout4.yaml',
      'rollout:\n  n: 4',
      'rollout:\n  nn: 4\n  engine: 3',
    )
    expect(diagnostics.map((d) => [d.code, d.folded])).toEqual([
      ['UNKNOWN_KEY', undefined],
      ['SCHEMA', undefined],
    ])
  })

  it('a value of the wrong type says how to write it: what YAML made of it, or an example', () => {
    const cases: [from: string, to: string, suggestion: string][] = [
      ['project: fin_text_qa', 'project: 123', 'put it in quotes to make it text: "123"'],
      ['epochs: 10', 'epochs: 1_000', 'write 1000: a YAML number has no separators'],
      ['use_uncertainty: true', 'use_uncertainty: yes', 'write true or false: YAML 1.2 reads yes as text'],
      ['batch_size: 64', 'batch_size: "64"', 'write the number without quotes'],
      ['logger: [console, wandb]', 'logger: console', 'for example: [console, wandb]'],
      ['kl_coef: 0.001', 'kl_coef: -1', 'for example: 0.001'],
    ]
    for (const [from, to, suggestion] of cases) {
      const { diagnostics } = withChange('experiments/base.yaml', from, to)
      expect(diagnostics.map((d) => d.suggestion)).toEqual([suggestion])
    }
  })

  it('an error in the base is reported once, at the base, naming every experiment that inherits it', () => {
    const { diagnostics, files } = withChange('experiments/base.yaml', 'kl_coef: 0.001', 'kl_coef: -1')
    expect(files).toEqual([])
    expect(diagnostics).toHaveLength(1)
    const [d] = diagnostics
    expect(d).toMatchObject({ code: 'SCHEMA', file: 'experiments/base.yaml', line: 22, col: 12 })
    expect(d?.related?.map((r) => r.message)).toContain(
      'inherited by experiments/4b/default.yaml (experiments/cluster.yaml > experiments/base.yaml > experiments/qwen3-4b.yaml > experiments/4b/default.yaml)',
    )
    expect(d?.related).toHaveLength(8)
  })

  it('a cross-field rule on an overridden value points at the override and names the overridden layer', () => {
    const { diagnostics } = withChange(
      'experiments/4b/rollout4.yaml',
      '  n: 4',
      '  n: 3\ntraining:\n  batch_size: 20',
    )
    expect(diagnostics).toMatchObject([
      {
        code: 'VERL_CHECK',
        file: 'experiments/4b/rollout4.yaml',
        line: 11,
        col: 15,
        related: [{ file: 'experiments/base.yaml', line: 23, col: 15, message: 'overridden here' }],
      },
    ])
  })

  it.each([
    [
      'matrix:\n  bad-key: [1, 2]\nrollout:\n  n: 4',
      'key `bad-key` in `matrix` must be a variable of letters, digits and `_` (e.g. `size`) or the dotted path of a field (e.g. `rollout.n`)',
    ],
    [
      'rollout:\n  n: 4\nverl_overrides:\n  trainer.val before: false',
      'key `trainer.val before` in `verl_overrides` must be a dotted key of letters, digits and `_` (a `+` prefix adds a key VERL lacks)',
    ],
  ])('a bad key is told the rule of its own map (%#: a matrix key, a VERL key)', (change, message) => {
    const { diagnostics } = withChange('experiments/4b/rollout4.yaml', 'rollout:\n  n: 4', change)
    expect(diagnostics).toMatchObject([{ code: 'SCHEMA', file: 'experiments/4b/rollout4.yaml', message }])
  })

  it('an extends cycle prints the chain', () => {
    const result = compile({
      specs: new Map([
        ['x/a.yaml', 'extends: ./b.yaml\n'],
        ['x/b.yaml', 'extends: ./a.yaml\n'],
      ]),
      specDir: 'x',
      templates: readTemplates(),
      schema: readSchema(),
    })
    expect(result.diagnostics.map((d) => d.message)).toEqual([
      'extends cycle: x/a.yaml → x/b.yaml → x/a.yaml',
    ])
  })

  it('frames a long line around the column, not whole, with the caret under the value', () => {
    const line = `verl_overrides: {${Array.from({ length: 60 }, (_, i) => `k${i}: ${i}`).join(', ')}, bad: !x}`
    const col = line.indexOf('bad') + 1
    const framed = formatDiagnostic(
      {
        file: 'a.yaml',
        line: 1,
        col,
        endLine: 1,
        endCol: col + 3,
        severity: 'error',
        code: 'SCHEMA',
        message: 'm',
      },
      { sources: new Map([['a.yaml', line]]) },
    )
    const [, source, caret] = framed.split('\n')
    expect(line.length).toBeGreaterThan(300)
    expect(source?.length).toBeLessThan(120)
    expect(source).toMatch(/^ {2}1 \| ….*, bad: !x}$/)
    // The caret stands under `bad`.
    expect(source?.slice((caret ?? '').indexOf('^'), (caret ?? '').indexOf('^') + 3)).toBe('bad')
    expect(caret).toMatch(/ \^{3}$/)
  })

  it('a value nested thousands deep is a YAML_SYNTAX error that says so, not a stack overflow', () => {
    const { diagnostics } = withChange(
      'experiments/4b/rollout4.yaml',
      'rollout:\n  n: 4',
      `rollout:\n  n: ${'['.repeat(20_000)}${']'.repeat(20_000)}`,
    )
    expect(diagnostics).toMatchObject([
      {
        code: 'YAML_SYNTAX',
        message: 'YAML syntax error: the values nest too deep to read',
        suggestion: 'a spec nests a few maps deep: flatten this value',
      },
    ])
  })

  it('formats file:line:col, code, a code frame with a caret under the value, and the suggestion', () => {
    const { diagnostics } = withChange('experiments/base.yaml', 'engine: vllm', 'engine: vlm')
    const text = formatDiagnostic(diagnostics[0] ?? expect.fail('no diagnostic'), {
      sources: new Map([['experiments/base.yaml', 'x']]),
    })
    expect(text.split('\n')[0]).toBe(
      'experiments/base.yaml:30:11 error SCHEMA `rollout.engine` must be one of: "vllm", "sglang", "hf"',
    )
    const framed = formatDiagnostic(diagnostics[0] ?? expect.fail('no diagnostic'), {
      sources: new Map([
        ['experiments/base.yaml', withChangeText('experiments/base.yaml', 'engine: vllm', 'engine: vlm')],
      ]),
    })
    expect(framed).toContain('  30 |   engine: vlm\n     |           ^^^\n  suggestion: did you mean "vllm"?')
  })

  it('a template that reads a missing field is a TEMPLATE diagnostic, not a crash', () => {
    const templates = new Map(readTemplates())
    templates.set('launch.sh.hbs', '#!/usr/bin/env bash\n{{noSuchField}}\n')
    const result = compile({ specs: shipped.specs, specDir: 'experiments', templates, schema: readSchema() })
    expect(result.files).toEqual([])
    expect(result.diagnostics).toMatchObject([{ code: 'TEMPLATE', file: 'templates/launch.sh.hbs' }])
  })

  it('the shipped experiments compile cleanly', () => {
    expect(compileDir().diagnostics).toEqual([])
  })
})

function withChangeText(file: string, from: string, to: string): string {
  return (shipped.specs.get(file) ?? '').replace(from, to)
}
