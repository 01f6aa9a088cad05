import { describe, expect, it } from 'vitest'
import { parseYaml } from '../../src/load/parse-yaml.js'
import { createMerger, mergeLayers } from '../../src/resolve/merge.js'
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

/** Each value's history as `action file:line`, for the pointers a merge records. */
const histories = (
  sources: ReadonlyMap<
    string,
    { history: readonly { action: string; position: { file: string; line: number } }[] }
  >,
) =>
  Object.fromEntries(
    [...sources].map(([pointer, s]) => [
      pointer,
      s.history.map((h) => `${h.action} ${h.position.file}:${h.position.line}`),
    ]),
  )

describe('mergeLayers: what each rule of the merge records', () => {
  it('a map a child replaces by a scalar forgets the sources of the values below it', () => {
    const { spec } = mergeLayers(layers(['a:\n  b: 1\n  c:\n    d: 2\n', 'a: 5\n']))
    expect(spec.value).toEqual({ a: 5 })
    expect(histories(spec.sources)).toEqual({ '/a': ['set l0.yaml:2', 'set l1.yaml:1'] })
  })

  it('a list a child replaces by a scalar forgets the sources of its items', () => {
    const { spec } = mergeLayers(layers(['a:\n  - x\n  - y\n', 'a: z\n']))
    expect(histories(spec.sources)).toEqual({ '/a': ['set l0.yaml:2', 'set l1.yaml:1'] })
  })

  it('a list replaced by a shorter list keeps the sources of the new items only', () => {
    const { spec } = mergeLayers(layers(['a: [x, y, z]\n', 'a: [w]\n']))
    expect(histories(spec.sources)).toEqual({
      '/a': ['set l0.yaml:1', 'set l1.yaml:1'],
      '/a/0': ['set l1.yaml:1'],
    })
  })

  it('a scalar replaced by a scalar keeps both layers in its history and nothing else changes', () => {
    const { spec } = mergeLayers(layers(['a: 1\nb: 2\n', 'a: 3\n']))
    expect(histories(spec.sources)).toEqual({
      '/a': ['set l0.yaml:1', 'set l1.yaml:1'],
      '/b': ['set l0.yaml:2'],
    })
  })

  it('a map merged into a map records the child layer on the map and each value it sets', () => {
    const { spec } = mergeLayers(layers(['a:\n  b: 1\n  c: 2\n', 'a:\n  c: 3\n  d: 4\n']))
    expect(spec.value).toEqual({ a: { b: 1, c: 3, d: 4 } })
    expect(histories(spec.sources)).toEqual({
      '/a': ['set l0.yaml:2', 'set l1.yaml:2'],
      '/a/b': ['set l0.yaml:2'],
      '/a/c': ['set l0.yaml:3', 'set l1.yaml:2'],
      '/a/d': ['set l1.yaml:3'],
    })
  })

  it('deleting a map forgets the sources below it and records the deletion on the map', () => {
    const { spec } = mergeLayers(layers(['a:\n  b: 1\nc: 2\n', 'a: null\n']))
    expect(spec.value).toEqual({ c: 2 })
    expect(histories(spec.sources)).toEqual({ '/c': ['set l0.yaml:3'] })
    expect(histories(spec.deleted)).toEqual({ '/a': ['set l0.yaml:2', 'unset l1.yaml:1'] })
  })

  it('a value set again after a deletion keeps the whole history and is no longer deleted', () => {
    const { spec } = mergeLayers(layers(['a: 1\n', 'a: null\n', 'a: 2\n']))
    expect(spec.value).toEqual({ a: 2 })
    expect(histories(spec.sources)).toEqual({ '/a': ['set l0.yaml:1', 'unset l1.yaml:1', 'set l2.yaml:1'] })
    expect(spec.deleted.size).toBe(0)
  })

  it('deleting a key no parent sets, with no key near it, suggests removing the line', () => {
    const { diagnostics, spec } = mergeLayers(layers(['a: 1\n', 'zzzzzz: null\n']))
    expect(diagnostics).toEqual([
      {
        file: 'l1.yaml',
        line: 1,
        col: 1,
        endLine: 1,
        endCol: 7,
        severity: 'error',
        code: 'UNSET_MISSING',
        message: '`zzzzzz: null` deletes an inherited value, but no parent layer sets /zzzzzz',
        suggestion: 'remove this line',
      },
    ])
    expect(spec.value).toEqual({ a: 1 })
    expect(spec.deleted.size).toBe(0)
  })

  it('extends, abstract and matrix are layer keys only at the top: nested ones are data', () => {
    const { spec } = mergeLayers(
      layers([
        'abstract: true\nv:\n  extends: a\n  abstract: true\n  matrix: m\n',
        'extends: ./l0.yaml\nmatrix: {}\nv:\n  extends: b\n',
      ]),
    )
    expect(spec.value).toEqual({ v: { extends: 'b', abstract: true, matrix: 'm' } })
    expect(Object.keys(histories(spec.sources)).sort()).toEqual([
      '/v',
      '/v/abstract',
      '/v/extends',
      '/v/matrix',
    ])
  })

  it('the chain is abstract when its leaf is; only concrete layers name concrete files', () => {
    const abstractLeaf = mergeLayers(layers(['a: 1\n', 'abstract: true\n'])).spec
    expect(abstractLeaf.abstract).toBe(true)
    expect([...abstractLeaf.concreteFiles]).toEqual(['l0.yaml'])
    const concreteLeaf = mergeLayers(layers(['abstract: true\na: 1\n', 'b: 2\n'])).spec
    expect(concreteLeaf.abstract).toBe(false)
    expect([...concreteLeaf.concreteFiles]).toEqual(['l1.yaml'])
    expect(concreteLeaf.file).toBe('l1.yaml')
    expect(concreteLeaf.id).toBe('l1.yaml')
  })

  it('a merger shares a parent between chains without letting one leaf change another', () => {
    const merge = createMerger()
    const [parent, left, right] = layers(['a:\n  b: 1\n  c: 2\n', 'a:\n  b: 10\n', 'a:\n  c: null\n'])
    if (parent === undefined || left === undefined || right === undefined) throw new Error('three layers')
    const l = merge([parent, left]).spec
    const r = merge([parent, right]).spec
    const again = merge([parent, left]).spec
    expect(l.value).toEqual({ a: { b: 10, c: 2 } })
    expect(r.value).toEqual({ a: { b: 1 } })
    expect(again.value).toEqual({ a: { b: 10, c: 2 } })
    expect(histories(l.sources)).toEqual({
      '/a': ['set l0.yaml:2', 'set l1.yaml:2'],
      '/a/b': ['set l0.yaml:2', 'set l1.yaml:2'],
      '/a/c': ['set l0.yaml:3'],
    })
    expect(histories(r.sources)).toEqual({
      '/a': ['set l0.yaml:2', 'set l2.yaml:2'],
      '/a/b': ['set l0.yaml:2'],
    })
    expect(histories(r.deleted)).toEqual({ '/a/c': ['set l0.yaml:3', 'unset l2.yaml:2'] })
    expect(l.deleted.size).toBe(0)
    expect(parent.value).toEqual({ a: { b: 1, c: 2 } })
  })

  it('a merge of no layers is a bug', () => {
    expect(() => mergeLayers([])).toThrow('mergeLayers needs at least one layer')
  })

  it("a parent layer's error reaches every chain below it", () => {
    const { diagnostics } = mergeLayers(layers(['a: 1\n', 'zz: null\n', 'b: 2\n']))
    expect(diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.code}`)).toEqual([
      'l1.yaml:1:1 UNSET_MISSING',
    ])
  })

  it("a merger merges shared parents once: two leaves below them share the parents' merged maps", () => {
    const merge = createMerger()
    const [root, mid, left, right] = layers(['a:\n  b: 1\n', 'a:\n  c: 2\n', 'x: 1\n', 'y: 1\n'])
    if (root === undefined || mid === undefined || left === undefined || right === undefined)
      throw new Error('four layers')
    const l = merge([root, mid, left]).spec.value
    const r = merge([root, mid, right]).spec.value
    expect(l).toEqual({ a: { b: 1, c: 2 }, x: 1 })
    expect(r).toEqual({ a: { b: 1, c: 2 }, y: 1 })
    expect(l.a).toBe(r.a)
  })

  it('a layer without positions (made in code) records the top of its file', () => {
    const doc = { file: 'made.yaml', value: { a: { b: 1 }, c: [2] }, positions: new Map(), diagnostics: [] }
    const { spec } = mergeLayers([...layers(['a:\n  z: 0\nd: 1\n']), doc, { ...doc, value: { d: null } }])
    const top = { file: 'made.yaml', line: 1, col: 1 }
    expect(spec.sources.get('/a/b')?.history).toEqual([
      { action: 'set', position: top, key: undefined, value: 1 },
    ])
    expect(spec.sources.get('/c/0')?.history).toEqual([
      { action: 'set', position: top, key: undefined, value: 2 },
    ])
    expect(spec.sources.get('/a')?.history.at(-1)).toEqual({
      action: 'set',
      position: top,
      key: undefined,
      value: undefined,
    })
    expect(spec.deleted.get('/d')?.history.at(-1)).toEqual({ action: 'unset', position: top, key: undefined })
    const missing = mergeLayers([...layers(['a: 1\n']), { ...doc, value: { zz: null } }]).diagnostics
    expect(missing).toMatchObject([{ file: 'made.yaml', line: 1, col: 1, code: 'UNSET_MISSING' }])
  })
})
