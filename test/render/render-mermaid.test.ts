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

describe('renderMermaid, whole texts of each detail', () => {
  /** Two sweep combinations, a layer that is also an experiment's own file, and a root experiment. */
  const tree = () => [
    run('s0', 'run_s0.sh', 'specs/base.yaml', 'specs/m.yaml', 'specs/sweep.yaml[i=0]'),
    run('s1', 'run_s1.sh', 'specs/base.yaml', 'specs/m.yaml', 'specs/sweep.yaml[i=1]'),
    run('b', 'run_b.sh', 'specs/base.yaml', 'specs/m.yaml', 'specs/b.yaml'),
    run('m', 'run_m.sh', 'specs/base.yaml', 'specs/m.yaml'),
    run('r', 'run_r.sh', 'specs/root.yaml'),
  ]

  it('experiments: every layer, each combination of a sweep its own node', () => {
    expect(renderMermaid(tree(), { specDir: 'specs' })).toBe(
      [
        'flowchart LR',
        '  L_base["base.yaml"]',
        '  L_root["root.yaml<br/>r → run_r.sh"]',
        '  L_m["m.yaml<br/>m → run_m.sh"]',
        '  L_b["b.yaml<br/>b → run_b.sh"]',
        '  L_sweep_yaml_i_0_["sweep.yaml[i=0]<br/>s0 → run_s0.sh"]',
        '  L_sweep_yaml_i_1_["sweep.yaml[i=1]<br/>s1 → run_s1.sh"]',
        '  L_base --> L_m',
        '  L_m --> L_b',
        '  L_m --> L_sweep_yaml_i_0_',
        '  L_m --> L_sweep_yaml_i_1_',
        '  classDef abstract stroke-dasharray: 5 5',
        '  classDef experiment stroke-width: 2px',
        '  class L_base abstract',
        '  class L_root,L_m,L_b,L_sweep_yaml_i_0_,L_sweep_yaml_i_1_ experiment',
        '',
      ].join('\n'),
    )
  })

  it('files: one node per spec file, a sweep file with the number of experiments it makes', () => {
    expect(renderMermaid(tree(), { specDir: 'specs/', detail: 'files', direction: 'TD' })).toBe(
      [
        'flowchart TD',
        '  L_base["base.yaml"]',
        '  L_root["root.yaml<br/>r → run_r.sh"]',
        '  L_m["m.yaml<br/>m → run_m.sh"]',
        '  L_b["b.yaml<br/>b → run_b.sh"]',
        '  L_sweep["sweep.yaml<br/>2 experiments"]',
        '  L_base --> L_m',
        '  L_m --> L_b',
        '  L_m --> L_sweep',
        '  classDef abstract stroke-dasharray: 5 5',
        '  classDef experiment stroke-width: 2px',
        '  class L_base abstract',
        '  class L_root,L_m,L_b,L_sweep experiment',
        '',
      ].join('\n'),
    )
  })

  it('layers: the layers others extend, then per layer (and for roots) a node counting the experiments below', () => {
    expect(renderMermaid(tree(), { specDir: 'specs//', detail: 'layers' })).toBe(
      [
        'flowchart LR',
        '  L_base["base.yaml"]',
        '  L_m["m.yaml"]',
        '  E_experiments["1 experiment in 1 spec file"]',
        '  E_base["1 experiment in 1 spec file"]',
        '  E_m["3 experiments in 2 spec files"]',
        '  L_base --> L_m',
        '  L_base --> E_base',
        '  L_m --> E_m',
        '  classDef abstract stroke-dasharray: 5 5',
        '  classDef experiment stroke-width: 2px',
        '  class L_base abstract',
        '  class L_m,E_experiments,E_base,E_m experiment',
        '',
      ].join('\n'),
    )
  })

  it('places a layer at the smallest depth it has in any chain, whatever the order of the experiments', () => {
    const a = run('a', 'run_a.sh', 'x.yaml', 'y.yaml', 'z.yaml')
    const b = run('b', 'run_b.sh', 'y.yaml', 'w.yaml')
    expect([...parse(renderMermaid([a, b])).nodes.keys()]).toEqual(['L_x', 'L_y', 'L_w', 'L_z'])
    expect([...parse(renderMermaid([b, a])).nodes.keys()]).toEqual(['L_x', 'L_y', 'L_w', 'L_z'])
  })

  it('makes ids of .yml and .yaml files alike, one _ per run of other characters, _2 and _3 on clashes', () => {
    const text = renderMermaid([
      run('a', 'run_a.sh', 'old.yml/a--b.yml'),
      run('b', 'run_b.sh', 'old.yml/a.b.yaml'),
      run('c', 'run_c.sh', 'old.yml/a_b.yaml'),
    ])
    expect([...parse(text).nodes.keys()]).toEqual(['L_old_yml_a_b', 'L_old_yml_a_b_2', 'L_old_yml_a_b_3'])
  })
})

describe('renderMermaidBlock at the edge limit', () => {
  const fence = (block: string) => block.startsWith('```mermaid\n')
  /** `n` experiments, each its own file below one base. */
  const files = (n: number) =>
    Array.from({ length: n }, (_, i) => run(`e${i}`, `run_${i}.sh`, 'base.yaml', `e${i}.yaml`))
  /** One sweep file below the base, with `n` combinations. */
  const sweep = (n: number) =>
    Array.from({ length: n }, (_, i) => run(`s${i}`, `run_s${i}.sh`, 'base.yaml', 'sweep.yaml'))
  /** `n` layers below the base, each with two experiments; `extra` experiments directly below the base. */
  const layers = (n: number, extra: number) => [
    ...Array.from({ length: n }, (_, i) => [
      run(`a${i}`, `run_a${i}.sh`, 'base.yaml', `m${i}.yaml`, `a${i}.yaml`),
      run(`b${i}`, `run_b${i}.sh`, 'base.yaml', `m${i}.yaml`, `b${i}.yaml`),
    ]).flat(),
    ...Array.from({ length: extra }, (_, i) => run(`x${i}`, `run_x${i}.sh`, 'base.yaml', `x${i}.yaml`)),
  ]

  it('draws every experiment with exactly 500 edges, and falls back to fewer nodes with 501', () => {
    expect(fence(renderMermaidBlock(files(500)))).toBe(true)
    expect(renderMermaidBlock(files(501))).toMatch(/^Only the layers that other spec files extend are drawn/)
  })

  it('counts the edges to the experiments of a sweep file: 1 + 499 is drawn whole, 1 + 500 is not', () => {
    expect(fence(renderMermaidBlock(sweep(499)))).toBe(true)
    expect(renderMermaidBlock(sweep(500))).toMatch(/^Each sweep file is one node/)
  })

  it('draws the layers with exactly 500 edges (counting the edges to the count nodes), and not with 501', () => {
    expect(renderMermaidBlock(layers(250, 0))).toMatch(
      /^Only the layers that other spec files extend are drawn/,
    )
    // An experiment of a root file hangs below no layer: its count node adds no edge.
    const root = run('r', 'run_r.sh', 'r.yaml')
    expect(renderMermaidBlock([...layers(250, 0), root])).toMatch(
      /^Only the layers that other spec files extend/,
    )
    expect(renderMermaidBlock(layers(250, 1))).toMatch(/^Not drawn: /)
  })

  it('draws a diagram of exactly 50,000 characters whole, and one of 50,001 with less detail', () => {
    // 148 characters besides the name: `flowchart LR`, the node `L_a["a.yaml<br/>NAME → run.sh"]`, the class lines.
    const one = (n: number) => [run('x'.repeat(n), 'run.sh', 'a.yaml')]
    expect(renderMermaid(one(49_852))).toHaveLength(50_000)
    expect(fence(renderMermaidBlock(one(49_852)))).toBe(true)
    expect(renderMermaidBlock(one(49_853))).toMatch(/^Only the layers that other spec files extend are drawn/)
  })

  it('shows paths below the spec folder without it; a folder of `.` or nothing drops nothing', () => {
    const ids = (specDir: string, file: string) => [
      ...parse(renderMermaid([run('a', 'run_a.sh', file)], { specDir })).nodes.values(),
    ]
    expect(ids('exp/specs//', 'exp/specs/a.yaml')).toEqual(['a.yaml<br/>a → run_a.sh'])
    expect(ids('.', './a.yaml')).toEqual(['./a.yaml<br/>a → run_a.sh'])
    expect(ids('', '/a.yaml')).toEqual(['/a.yaml<br/>a → run_a.sh'])
  })

  it('layers: the count node of root experiments comes first, before those of the layers, whatever the order', () => {
    const text = renderMermaid(
      [
        run('a', 'run_a.sh', 'base.yaml', 'a.yaml'),
        run('r', 'run_r.sh', 'r.yaml'),
        run('b', 'run_b.sh', 'base.yaml', 'b.yaml'),
      ],
      { detail: 'layers' },
    )
    expect([...parse(text).nodes.keys()]).toEqual(['L_base', 'E_experiments', 'E_base'])
  })
})
