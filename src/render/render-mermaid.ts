import { compareStrings } from '../diagnostics/diagnostic.js'
import { groupDigits } from '../report/text-table.js'

/** What the diagram needs of a compiled experiment (a `CompiledExperiment` fits). */
export interface MermaidExperiment {
  readonly experiment: { readonly name: string; readonly script: string }
  readonly spec: {
    /** The layers, root first, the experiment's own last (display paths; a sweep's combination `file[...]`). */
    readonly chain: readonly string[]
    /** The experiment's own spec file. */
    readonly file: string
  }
}

/**
 * How much of the tree a diagram shows: every layer and experiment (`experiments`); one node per spec file, a
 * sweep file with the number of experiments it makes (`files`); or only the layers that other files extend,
 * each with one node counting the experiments of the files that extend it (`layers`).
 */
export type MermaidDetail = 'experiments' | 'files' | 'layers'

export interface MermaidOptions {
  /** Shown paths drop this prefix: `experiments` shows `experiments/4b/default.yaml` as `4b/default.yaml`. */
  readonly specDir?: string
  /** `LR` (default: left to right, base → sizes → ablations) or `TD`. */
  readonly direction?: 'LR' | 'TD'
  /** Default `experiments`. */
  readonly detail?: MermaidDetail
}

/**
 * Mermaid's defaults, which GitHub and GitLab draw with: a diagram with more edges or more text shows an error
 * ("Maximum text size in diagram exceeded") instead of the tree.
 */
export const MERMAID_LIMITS = { maxEdges: 500, maxTextSize: 50_000 } as const

/**
 * The inheritance tree as a Mermaid flowchart: one node per layer, an edge from each parent to each child,
 * and each experiment's script on its leaf (or, when one file yields several experiments, one node per
 * experiment below it). Abstract layers are dashed. `detail` draws less of a large tree. Deterministic: the
 * same experiments in any order give the same text. Pure.
 */
export function renderMermaid(
  experiments: readonly MermaidExperiment[],
  options: MermaidOptions = {},
): string {
  return draw(experiments, options, Number.POSITIVE_INFINITY) as string
}

/**
 * The diagram as a fenced Markdown block, which GitHub and GitLab render as a picture: with every experiment
 * when that is within MERMAID_LIMITS, else with less detail (saying so), else a sentence instead.
 */
export function renderMermaidBlock(
  experiments: readonly MermaidExperiment[],
  options: Omit<MermaidOptions, 'detail'> = {},
): string {
  for (const detail of ['experiments', 'files', 'layers'] as const) {
    const text = draw(experiments, { ...options, detail }, MERMAID_LIMITS.maxEdges)
    if (text !== undefined && text.length <= MERMAID_LIMITS.maxTextSize)
      return `${PREFACE[detail]}\`\`\`mermaid\n${text}\`\`\`\n`
  }
  return `Not drawn: even with only the layers that other spec files extend, the tree is more than Mermaid draws (${LIMITS_TEXT}). \`npx finqa explain EXPERIMENT\` lists the layers of one experiment.\n`
}

const LIMITS_TEXT = `${MERMAID_LIMITS.maxEdges} edges, ${groupDigits(MERMAID_LIMITS.maxTextSize)} characters`
const PREFACE: Record<MermaidDetail, string> = {
  experiments: '',
  files: `Each sweep file is one node, with the number of experiments it makes: a node per experiment would be more than Mermaid draws (${LIMITS_TEXT}).\n\n`,
  layers: `Only the layers that other spec files extend are drawn, each with the number of experiments below it: a node per spec file would be more than Mermaid draws (${LIMITS_TEXT}).\n\n`,
}

/** `renderMermaid`, or undefined as soon as the diagram is known to have more than `maxEdges` edges. */
function draw(
  experiments: readonly MermaidExperiment[],
  options: MermaidOptions,
  maxEdges: number,
): string | undefined {
  const detail = options.detail ?? 'experiments'
  if (detail === 'layers') return drawLayers(experiments, options, maxEdges)
  const chainOf = (item: MermaidExperiment): readonly string[] =>
    detail === 'files' ? [...item.spec.chain.slice(0, -1), item.spec.file] : item.spec.chain
  const depth = new Map<string, number>()
  const edges: Edges = new Map()
  const byLeaf = new Map<string, MermaidExperiment[]>()
  let edgesSoFar = 0
  for (const item of experiments) {
    const chain = chainOf(item)
    edgesSoFar += addChain(chain, depth, edges)
    // Edges are only ever added: past the limit, drawing (or counting) the rest is of no use.
    if (edgesSoFar > maxEdges) return undefined
    const leaf = chain.at(-1)
    if (leaf === undefined) continue
    const runs = byLeaf.get(leaf)
    if (runs === undefined) byLeaf.set(leaf, [item])
    else runs.push(item)
  }
  // A file with several experiments hangs one node per experiment below it, unless `files` counts them.
  let experimentEdgeCount = 0
  if (detail === 'experiments')
    for (const runs of byLeaf.values()) if (runs.length > 1) experimentEdgeCount += runs.length
  if (edgeCount(edges) + experimentEdgeCount > maxEdges) return undefined

  const { files, order, shown, newId, ids } = layout(depth, options)
  const nodes: string[] = []
  const abstract: string[] = []
  const concrete: string[] = []
  const experimentNodes: string[] = []
  const experimentEdges: string[] = []

  for (const file of files) {
    const id = ids.get(file) as string
    const runs = [...(byLeaf.get(file) ?? [])].sort((a, b) =>
      compareStrings(a.experiment.script, b.experiment.script),
    )
    const [only] = runs
    if (runs.length === 1 && only !== undefined) {
      nodes.push(`  ${id}["${label(shown(file), `${only.experiment.name} → ${only.experiment.script}`)}"]`)
      concrete.push(id)
      continue
    }
    if (runs.length > 1 && detail === 'files') {
      nodes.push(`  ${id}["${label(shown(file), count(runs.length, 'experiment'))}"]`)
      concrete.push(id)
      continue
    }
    nodes.push(`  ${id}["${label(shown(file))}"]`)
    if (runs.length === 0) abstract.push(id)
    else concrete.push(id)
    for (const run of runs) {
      const runId = newId('E', run.experiment.script)
      experimentNodes.push(`  ${runId}["${label(run.experiment.name, run.experiment.script)}"]`)
      experimentEdges.push(`  ${id} --> ${runId}`)
      concrete.push(runId)
    }
  }
  const edgeLines = edgeLinesOf(edges, order, ids)
  return flowchart(
    options,
    [...nodes, ...experimentNodes],
    [...edgeLines, ...experimentEdges],
    abstract,
    concrete,
  )
}

/**
 * The `layers` detail: the layers that other spec files extend, and below each, one node counting the
 * experiments (and their spec files) that extend it directly.
 */
function drawLayers(
  experiments: readonly MermaidExperiment[],
  options: MermaidOptions,
  maxEdges: number,
): string | undefined {
  const depth = new Map<string, number>()
  const edges: Edges = new Map()
  /** By the layer the experiment's own file extends ('' for none). */
  const below = new Map<string, { experiments: number; files: Set<string> }>()
  const ownFiles = new Set<string>()
  for (const item of experiments) {
    const layers = item.spec.chain.slice(0, -1)
    addChain(layers, depth, edges)
    const parent = layers.at(-1) ?? ''
    const group = below.get(parent) ?? { experiments: 0, files: new Set<string>() }
    group.experiments++
    group.files.add(item.spec.file)
    below.set(parent, group)
    ownFiles.add(item.spec.file)
  }
  const countEdges = [...below.keys()].filter((parent) => parent !== '').length
  if (edgeCount(edges) + countEdges > maxEdges) return undefined

  const { files, order, shown, newId, ids } = layout(depth, options)
  const nodes: string[] = []
  const abstract: string[] = []
  const concrete: string[] = []
  for (const file of files) {
    const id = ids.get(file) as string
    nodes.push(`  ${id}["${label(shown(file))}"]`)
    // A layer that is also an experiment's own file makes a script itself.
    if (ownFiles.has(file)) concrete.push(id)
    else abstract.push(id)
  }
  const edgeLines = edgeLinesOf(edges, order, ids)
  const groups = [...below].sort(([a], [b]) => (order.get(a) ?? -1) - (order.get(b) ?? -1))
  for (const [parent, group] of groups) {
    const id = newId('E', parent === '' ? 'experiments' : shown(parent))
    const text = `${count(group.experiments, 'experiment')} in ${count(group.files.size, 'spec file')}`
    nodes.push(`  ${id}["${label(text)}"]`)
    concrete.push(id)
    if (parent !== '') edgeLines.push(`  ${ids.get(parent)} --> ${id}`)
  }
  return flowchart(options, nodes, edgeLines, abstract, concrete)
}

/** Parent layer → its child layers: each edge once. */
type Edges = Map<string, Set<string>>

function edgeCount(edges: Edges): number {
  let n = 0
  for (const children of edges.values()) n += children.size
  return n
}

/** `a --> b` per edge, in the order of their layers. */
function edgeLinesOf(
  edges: Edges,
  order: ReadonlyMap<string, number>,
  ids: ReadonlyMap<string, string>,
): string[] {
  return [...edges]
    .flatMap(([parent, children]) => [...children].map((child): [string, string] => [parent, child]))
    .sort(
      ([a1, b1], [a2, b2]) =>
        (order.get(a1) ?? 0) - (order.get(a2) ?? 0) || (order.get(b1) ?? 0) - (order.get(b2) ?? 0),
    )
    .map(([parent, child]) => `  ${ids.get(parent)} --> ${ids.get(child)}`)
}

/**
 * Notes a chain of layers: each layer's depth (0 for a root, the smallest position it has in any chain) and
 * each parent → child edge. Returns how many of its edges are new.
 */
function addChain(chain: readonly string[], depth: Map<string, number>, edges: Edges): number {
  let added = 0
  for (let i = 0; i < chain.length; i++) {
    const file = chain[i] as string
    const known = depth.get(file)
    if (known === undefined || i < known) depth.set(file, i)
    const parent = chain[i - 1]
    if (parent === undefined) continue
    const children = edges.get(parent)
    if (children === undefined) {
      edges.set(parent, new Set([file]))
      added++
    } else if (!children.has(file)) {
      children.add(file)
      added++
    }
  }
  return added
}

/**
 * The layers in drawing order, roots first, then their children (Mermaid lays nodes out in the order it first
 * meets them), with their ids and shown paths, and the allocator for further ids.
 */
function layout(depth: ReadonlyMap<string, number>, options: MermaidOptions) {
  const files = [...depth.keys()].sort(
    (a, b) => (depth.get(a) ?? 0) - (depth.get(b) ?? 0) || compareStrings(a, b),
  )
  const shown = (file: string) => shortPath(file, options.specDir)
  const newId = idAllocator()
  return {
    files,
    order: new Map(files.map((f, i) => [f, i])),
    shown,
    newId,
    ids: new Map(files.map((file) => [file, newId('L', shown(file))])),
  }
}

function flowchart(
  options: MermaidOptions,
  nodes: readonly string[],
  edges: readonly string[],
  abstract: readonly string[],
  concrete: readonly string[],
): string {
  const lines = [`flowchart ${options.direction ?? 'LR'}`, ...nodes, ...edges]
  lines.push('  classDef abstract stroke-dasharray: 5 5')
  lines.push('  classDef experiment stroke-width: 2px')
  if (abstract.length > 0) lines.push(`  class ${abstract.join(',')} abstract`)
  if (concrete.length > 0) lines.push(`  class ${concrete.join(',')} experiment`)
  return `${lines.join('\n')}\n`
}

/** `1 experiment`, `10,000 experiments`. */
function count(n: number, noun: string): string {
  return `${groupDigits(n)} ${noun}${n === 1 ? '' : 's'}`
}

/**
 * Node ids Mermaid cannot misread: an upper-case prefix (so no id is a keyword such as `end`, or starts
 * with `o`/`x`, which Mermaid reads as an edge end), then the name's letters and digits; `_2`, `_3` on
 * clashes. Called in a fixed order, it gives the same ids every time.
 */
function idAllocator(): (prefix: 'L' | 'E', name: string) => string {
  const used = new Set<string>()
  return (prefix, name) => {
    const base = `${prefix}_${name.replace(/\.ya?ml$/, '').replace(/[^A-Za-z0-9]+/g, '_')}`
    let id = base
    for (let n = 2; used.has(id); n++) id = `${base}_${n}`
    used.add(id)
    return id
  }
}

function shortPath(file: string, specDir: string | undefined): string {
  if (specDir === undefined || specDir === '.' || specDir === '') return file
  const prefix = `${specDir.replace(/\/+$/, '')}/`
  return file.startsWith(prefix) ? file.slice(prefix.length) : file
}

/** Label text inside `["..."]`: Mermaid entity codes for what would end or change the label. */
function label(...parts: string[]): string {
  return parts
    .map((p) =>
      p
        .replaceAll('#', '#35;')
        .replaceAll('"', '#quot;')
        .replaceAll('<', '#lt;')
        .replaceAll('>', '#gt;')
        .replaceAll('`', '#96;'),
    )
    .join('<br/>')
}
