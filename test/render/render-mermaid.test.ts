import { describe, expect, it } from 'vitest'
import { type MermaidExperiment, renderMermaid, renderMermaidBlock } from '../../src/render/render-mermaid.js'
import { compileDir } from '../helpers/compile-repo.js'

const run = (name: string, script: string, ...chain: string[]): MermaidExperiment => ({
  experiment: { name, script },
  spec: { chain },
})

/** Node ids declared by `id["label"]` lines, and the `a --> b` edges. */
function parse(text: string) {
  const nodes = new Map<string, string>()
  const edges: [string, string][] = []
  for (const line of text.split('\n')) {
    const node = /^ {2}(\S+)\["(.*)"\]$/.exec(line)
    if (node) nodes.set(node[1] as string, node[2] as string)
    const edge = /^ {2}(\S+) --> (\S+)$/.exec(line)
    if (edge) edges.push([edge[1] as string, edge[2] as string])
  }
  return { nodes, edges }
}

describe('renderMermaid', () => {
  it('draws the shipped tree base → sizes → ablations, with each script on its leaf', () => {
    const { experiments } = compileDir('experiments')
    const text = renderMermaid(experiments, { specDir: 'experiments' })
    expect(text.startsWith('flowchart LR\n')).toBe(true)
    const { nodes, edges } = parse(text)
    expect(nodes.size).toBe(12)
    expect(nodes.get('L_base')).toBe('base.yaml')
    expect(nodes.get('L_4b_rollout4')).toBe('4b/rollout4.yaml<br/>qwen3_4b_rollout4 → run_4b_rollout4.sh')
    expect(edges.slice(0, 3)).toEqual([
      ['L_cluster', 'L_base'],
      ['L_base', 'L_qwen3_4b'],
      ['L_base', 'L_qwen3_8b'],
    ])
    expect(edges).toContainEqual(['L_qwen3_8b', 'L_8b_default'])
    expect(edges).toHaveLength(11)
    // Every edge joins declared nodes; roots come first.
    for (const [a, b] of edges) expect([nodes.has(a), nodes.has(b)]).toEqual([true, true])
    expect([...nodes.keys()].slice(0, 4)).toEqual(['L_cluster', 'L_base', 'L_qwen3_4b', 'L_qwen3_8b'])
    expect(text).toContain('  class L_cluster,L_base,L_qwen3_4b,L_qwen3_8b abstract\n')
  })

  it('is the same text for the same experiments in any order', () => {
    const { experiments } = compileDir('experiments')
    expect(renderMermaid([...experiments].reverse(), { specDir: 'experiments' })).toBe(
      renderMermaid(experiments, { specDir: 'experiments' }),
    )
  })

  it('gives ids Mermaid cannot misread: no keywords, no o/x edge ends, no clashes', () => {
    const text = renderMermaid([
      run('a', 'a.sh', 'specs/end.yaml', 'specs/o-x.yaml', 'specs/a-b.yaml'),
      run('b', 'b.sh', 'specs/end.yaml', 'specs/o-x.yaml', 'specs/a_b.yaml'),
      run('c', 'c.sh', 'specs/end.yaml', 'specs/x y.yaml'),
    ])
    const { nodes, edges } = parse(text)
    const ids = [...nodes.keys()]
    expect(new Set(ids).size).toBe(ids.length)
    for (const id of ids) expect(id).toMatch(/^[LE]_[A-Za-z0-9_]+$/)
    expect(ids).toContain('L_specs_a_b')
    expect(ids).toContain('L_specs_a_b_2')
    expect(edges).toContainEqual(['L_specs_end', 'L_specs_o_x'])
  })

  it('escapes what would end a label', () => {
    const text = renderMermaid([run('q"<b>#1`', 'run.sh', 'base.yaml', 'a.yaml')])
    const label = parse(text).nodes.get('L_a')
    expect(label).toBe('a.yaml<br/>q#quot;#lt;b#gt;#35;1#96; → run.sh')
  })

  it('hangs several experiments of one file below it (a sweep)', () => {
    const text = renderMermaid([
      run('lr_2', 'run_lr_2.sh', 'base.yaml', 'sweep.yaml'),
      run('lr_1', 'run_lr_1.sh', 'base.yaml', 'sweep.yaml'),
    ])
    const { nodes, edges } = parse(text)
    expect(nodes.get('L_sweep')).toBe('sweep.yaml')
    expect(nodes.get('E_run_lr_1_sh')).toBe('lr_1<br/>run_lr_1.sh')
    expect(edges).toEqual([
      ['L_base', 'L_sweep'],
      ['L_sweep', 'E_run_lr_1_sh'],
      ['L_sweep', 'E_run_lr_2_sh'],
    ])
    expect(text).toContain('  class L_base abstract\n')
  })

  it('renders an empty tree and wraps the diagram in a mermaid fence', () => {
    expect(renderMermaid([])).toBe(
      'flowchart LR\n  classDef abstract stroke-dasharray: 5 5\n  classDef experiment stroke-width: 2px\n',
    )
    const block = renderMermaidBlock([run('a', 'a.sh', 'a.yaml')], { direction: 'TD' })
    expect(block.startsWith('```mermaid\nflowchart TD\n')).toBe(true)
    expect(block.endsWith('\n```\n')).toBe(true)
  })
})
