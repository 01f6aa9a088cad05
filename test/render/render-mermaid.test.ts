import { describe, expect, it } from 'vitest'
import {
  MERMAID_LIMITS,
  type MermaidExperiment,
  renderMermaid,
  renderMermaidBlock,
} from '../../src/render/render-mermaid.js'
import { compileDir } from '../helpers/compile-repo.js'

const run = (name: string, script: string, ...chain: string[]): MermaidExperiment => ({
  experiment: { name, script },
  spec: { chain, file: (chain.at(-1) ?? '').replace(/\[.*\]$/, '') },
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

describe('renderMermaidBlock of a tree too large to draw whole', () => {
  /** The diagram inside the block, and the text before it. */
  const split = (block: string) => {
    const [preface = '', diagram = ''] = block.split('```mermaid\n')
    return { preface, diagram: diagram.replace(/```\n$/, '') }
  }
  const within = (diagram: string) => {
    expect(parse(diagram).edges.length).toBeLessThanOrEqual(MERMAID_LIMITS.maxEdges)
    expect(diagram.length).toBeLessThanOrEqual(MERMAID_LIMITS.maxTextSize)
  }
  /** `sweeps` sweep files of `size` combinations each, below one model layer. */
  const sweeps = (count: number, size: number) =>
    Array.from({ length: count }, (_, f) =>
      Array.from({ length: size }, (_, i) =>
        run(`s${f}_${i}`, `run_s${f}_${i}.sh`, 'base.yaml', 'model.yaml', `sweep${f}.yaml[i=${i}]`),
      ),
    ).flat()

  it('draws every experiment while that is within what Mermaid draws', () => {
    const small = sweeps(2, 3)
    expect(renderMermaidBlock(small)).toBe(`\`\`\`mermaid\n${renderMermaid(small)}\`\`\`\n`)
  })

  it('draws a sweep file as one node with its count when one node per experiment is too many edges', () => {
    const { preface, diagram } = split(renderMermaidBlock(sweeps(30, 20)))
    expect(preface).toMatch(/^Each sweep file is one node, with the number of experiments it makes/)
    within(diagram)
    const { nodes, edges } = parse(diagram)
    expect(nodes.get('L_sweep7')).toBe('sweep7.yaml<br/>20 experiments')
    expect(nodes.size).toBe(32)
    expect(edges).toContainEqual(['L_model', 'L_sweep7'])
  })

  it('draws less when the text alone is too long', () => {
    const long = Array.from({ length: 200 }, (_, i) =>
      run(`experiment_${'x'.repeat(200)}_${i}`, `run_${i}.sh`, 'base.yaml', 'model.yaml', `s${i}.yaml`),
    )
    expect(renderMermaid(long).length).toBeGreaterThan(MERMAID_LIMITS.maxTextSize)
    const { preface, diagram } = split(renderMermaidBlock(long))
    expect(preface).toMatch(/^Only the layers that other spec files extend are drawn/)
    within(diagram)
  })

  it('draws only the layers others extend, with the experiments below each counted, when files are too many', () => {
    const files = Array.from({ length: 600 }, (_, i) =>
      run(`e${i}`, `run_${i}.sh`, 'base.yaml', `model${i % 3}.yaml`, `e${i}.yaml`),
    )
    const { preface, diagram } = split(renderMermaidBlock([...files, ...sweeps(1, 50)]))
    expect(preface).toMatch(/^Only the layers that other spec files extend are drawn/)
    within(diagram)
    const { nodes, edges } = parse(diagram)
    expect(nodes.get('E_model0')).toBe('200 experiments in 200 spec files')
    expect(nodes.get('E_model')).toBe('50 experiments in 1 spec file')
    expect(edges).toContainEqual(['L_model0', 'E_model0'])
    expect(edges).toContainEqual(['L_base', 'L_model0'])
    expect(diagram).toContain('  class L_base,L_model,L_model0,L_model1,L_model2 abstract\n')
  })

  it('says so instead of drawing when even the layers are too many', () => {
    const wide = Array.from({ length: 600 }, (_, i) =>
      run(`e${i}`, `run_${i}.sh`, 'base.yaml', `m${i}.yaml`, `e${i}.yaml`),
    )
    const block = renderMermaidBlock(wide)
    expect(block).not.toContain('```')
    expect(block).toMatch(/^Not drawn: .* \(500 edges, 50,000 characters\)\. `npx finqa explain EXPERIMENT`/)
  })
})
