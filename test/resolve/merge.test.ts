import { describe, expect, it } from 'vitest'
import { parseYaml } from '../../src/load/parse-yaml.js'
import { mergeLayers } from '../../src/resolve/merge.js'
import cases from '../fixtures/merge/cases.json' with { type: 'json' }

const layers = (texts: string[]) => texts.map((t, i) => parseYaml(`l${i}.yaml`, t))
const json = (values: unknown[]) => layers(values.map((v) => JSON.stringify(v)))

describe('mergeLayers (ADR 0001)', () => {
  it.each(cases)('$name', ({ in: input, out }) => {
    const docs = json(input)
    const { spec, diagnostics } = mergeLayers(docs)
    expect(diagnostics).toEqual([])
    expect(spec.value).toEqual(out)
    expect(docs.map((d) => d.value)).toEqual(input)
  })

  it('deleting a key no parent sets is an error at the key, with a did-you-mean', () => {
    const { diagnostics } = mergeLayers(layers(['training:\n  lr: 1\n', 'training:\n  lrr: null\n']))
    expect(diagnostics).toMatchObject([
      { code: 'UNSET_MISSING', file: 'l1.yaml', line: 2, col: 3, suggestion: 'did you mean `lr`?' },
    ])
  })

  it('records, per value, every layer that set it and where', () => {
    const { spec } = mergeLayers(
      layers(['rollout:\n  n: 8\n  engine: vllm\n', 'x: 1\n', 'rollout:\n  n: 4\n']),
    )
    expect(spec.sources.get('/rollout/n')?.history).toEqual([
      {
        action: 'set',
        position: { file: 'l0.yaml', line: 2, col: 6, endLine: 2, endCol: 7 },
        key: { file: 'l0.yaml', line: 2, col: 3, endLine: 2, endCol: 4 },
        value: 8,
      },
      {
        action: 'set',
        position: { file: 'l2.yaml', line: 2, col: 6, endLine: 2, endCol: 7 },
        key: { file: 'l2.yaml', line: 2, col: 3, endLine: 2, endCol: 4 },
        value: 4,
      },
    ])
    expect(spec.sources.get('/rollout/engine')?.history.map((h) => h.position.file)).toEqual(['l0.yaml'])
    expect(spec.chain).toEqual(['l0.yaml', 'l1.yaml', 'l2.yaml'])
  })

  it('records deletions with the layer that deleted the value', () => {
    const { spec } = mergeLayers(layers(['a:\n  b: 1\n', 'a:\n  b: null\n']))
    expect(spec.sources.has('/a/b')).toBe(false)
    expect(
      spec.deleted.get('/a/b')?.history.map((h) => [h.action, h.position.file, h.position.line]),
    ).toEqual([
      ['set', 'l0.yaml', 2],
      ['unset', 'l1.yaml', 2],
    ])
  })

  it('keeps a key named __proto__ as plain data', () => {
    const { spec } = mergeLayers(layers(['a: 1\n', '__proto__:\n  polluted: true\n']))
    expect(Object.keys(spec.value)).toEqual(['a', '__proto__'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})
