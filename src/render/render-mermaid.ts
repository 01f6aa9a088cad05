import { compareStrings } from '../diagnostics/diagnostic.js'

/** What the diagram needs of a compiled experiment (a `CompiledExperiment` fits). */
export interface MermaidExperiment {
  readonly experiment: { readonly name: string; readonly script: string }
  /** The layers, root first, the experiment's own file last (display paths). */
  readonly spec: { readonly chain: readonly string[] }
}

export interface MermaidOptions {
  /** Shown paths drop this prefix: `experiments` shows `experiments/4b/default.yaml` as `4b/default.yaml`. */
  readonly specDir?: string
  /** `LR` (default: left to right, base → sizes → ablations) or `TD`. */
  readonly direction?: 'LR' | 'TD'
}

/**
 * The inheritance tree as a Mermaid flowchart: one node per layer file, an edge from each parent to each
 * child, and each experiment's script on its leaf (or, when one file yields several experiments, one node
 * per experiment below it). Abstract layers are dashed. Deterministic: the same experiments in any order
 * give the same text. Pure.
 */
export function renderMermaid(
  experiments: readonly MermaidExperiment[],
  options: MermaidOptions = {},
): string {
  /** Each layer's depth: 0 for a root, the smallest position it has in any chain. */
  const depth = new Map<string, number>()
  const edges = new Set<string>()
  const byLeaf = new Map<string, MermaidExperiment[]>()
  for (const item of experiments) {
    const chain = item.spec.chain
    chain.forEach((file, i) => {
      depth.set(file, Math.min(i, depth.get(file) ?? i))
      const parent = chain[i - 1]
      if (parent !== undefined) edges.add(JSON.stringify([parent, file]))
    })
    const leaf = chain.at(-1)
    if (leaf === undefined) continue
    const runs = byLeaf.get(leaf)
    if (runs === undefined) byLeaf.set(leaf, [item])
    else runs.push(item)
  }

  // Roots first, then their children: Mermaid lays nodes out in the order it first meets them.
  const files = [...depth.keys()].sort(
    (a, b) => (depth.get(a) ?? 0) - (depth.get(b) ?? 0) || compareStrings(a, b),
  )
  const order = new Map(files.map((f, i) => [f, i]))
  const shown = (file: string) => shortPath(file, options.specDir)
  const newId = idAllocator()
  const ids = new Map(files.map((file) => [file, newId('L', shown(file))]))
  const lines = [`flowchart ${options.direction ?? 'LR'}`]
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
      lines.push(`  ${id}["${label(shown(file), `${only.experiment.name} → ${only.experiment.script}`)}"]`)
      concrete.push(id)
      continue
    }
    lines.push(`  ${id}["${label(shown(file))}"]`)
    if (runs.length === 0) abstract.push(id)
    else concrete.push(id)
    for (const run of runs) {
      const runId = newId('E', run.experiment.script)
      experimentNodes.push(`  ${runId}["${label(run.experiment.name, run.experiment.script)}"]`)
      experimentEdges.push(`  ${id} --> ${runId}`)
      concrete.push(runId)
    }
  }
  lines.push(...experimentNodes)
  const edgeLines = [...edges]
    .map((e) => JSON.parse(e) as [string, string])
    .sort(
      ([a1, b1], [a2, b2]) =>
        (order.get(a1) ?? 0) - (order.get(a2) ?? 0) || (order.get(b1) ?? 0) - (order.get(b2) ?? 0),
    )
    .map(([parent, child]) => `  ${ids.get(parent)} --> ${ids.get(child)}`)
  lines.push(...edgeLines, ...experimentEdges)
  lines.push('  classDef abstract stroke-dasharray: 5 5')
  lines.push('  classDef experiment stroke-width: 2px')
  if (abstract.length > 0) lines.push(`  class ${abstract.join(',')} abstract`)
  if (concrete.length > 0) lines.push(`  class ${concrete.join(',')} experiment`)
  return `${lines.join('\n')}\n`
}

/** The diagram as a fenced Markdown block, which GitHub and GitLab render as a picture. */
export function renderMermaidBlock(
  experiments: readonly MermaidExperiment[],
  options: MermaidOptions = {},
): string {
  return `\`\`\`mermaid\n${renderMermaid(experiments, options)}\`\`\`\n`
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
