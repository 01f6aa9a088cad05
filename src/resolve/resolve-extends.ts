import { posix } from 'node:path'
import type { Diagnostic } from '../diagnostics/diagnostic.js'
import { didYouMean } from '../diagnostics/did-you-mean.js'
import type { SourceDoc } from '../load/parse-yaml.js'

/** A layer's ancestry as layer ids, root first and the layer itself last; absent when the chain is broken. */
export interface ExtendsChain {
  /** The layer's id (`layerId`): its file, or `file[vars]` for a sweep's combination. */
  readonly file: string
  readonly chain: readonly string[] | undefined
}

export interface ResolveExtendsOptions {
  /** The spec folder as displayed; `extends` may not leave it. */
  readonly specRoot: string
  /** Sweep files: they expand into several layers, so no layer may extend one. */
  readonly sweepFiles?: ReadonlySet<string>
}

/**
 * Follows every layer's `extends:` to its root. `docs` is keyed by layer id (`layerId`). `extends` is a
 * path relative to the including file and must stay inside the spec folder. Missing parents, cycles and
 * escapes are diagnostics at the `extends` value.
 */
export function resolveExtends(
  docs: ReadonlyMap<string, SourceDoc>,
  options: ResolveExtendsOptions,
): { chains: ExtendsChain[]; diagnostics: Diagnostic[] } {
  const { specRoot } = options
  const sweepFiles = options.sweepFiles ?? new Set<string>()
  const diagnostics: Diagnostic[] = []
  const parentOf = new Map<string, string | null | undefined>() // null: root layer; undefined: broken
  // The spec folder as displayed (relative to cwd, or absolute; `../experiments` is fine).
  const root = posix.normalize(specRoot === '' ? '.' : specRoot)
  let files: string[] | undefined // every layer's file, for the hints of missing parents; made once
  // A sweep's combinations share their file's `extends`, and the files of a folder often extend one layer:
  // each (folder, extends) pair is resolved once.
  const targets = new Map<string, { readonly target: string; readonly inRoot: string }>()

  for (const [id, doc] of docs) {
    const file = doc.file
    const ext = doc.value.extends
    if (doc.diagnostics.some((d) => d.severity === 'error')) {
      parentOf.set(id, undefined)
      continue
    }
    if (ext === undefined) {
      parentOf.set(id, null)
      continue
    }
    const pos = doc.positions.get('/extends')?.value ?? { file, line: 1, col: 1 }
    if (typeof ext !== 'string' || ext === '') {
      parentOf.set(id, undefined) // the layer schema reports the type
      continue
    }
    const folder = posix.dirname(file)
    let resolved = targets.get(`${folder}\0${ext}`)
    if (resolved === undefined) {
      const target = posix.normalize(posix.join(folder, ext))
      resolved = { target, inRoot: posix.relative(root, target) }
      targets.set(`${folder}\0${ext}`, resolved)
    }
    const { target, inRoot } = resolved
    if (posix.isAbsolute(ext) || inRoot === '..' || inRoot.startsWith('../') || posix.isAbsolute(inRoot)) {
      diagnostics.push({
        ...pos,
        severity: 'error',
        code: 'EXTENDS_OUTSIDE',
        message: `extends "${ext}" points outside the spec folder ${specRoot}`,
        suggestion: 'extends takes a path relative to this file, to a layer inside the spec folder',
      })
      parentOf.set(id, undefined)
      continue
    }
    if (sweepFiles.has(target)) {
      diagnostics.push({
        ...pos,
        severity: 'error',
        code: 'MATRIX_INVALID',
        message: `extends "${ext}": ${target} is a sweep file (it has a matrix), which cannot be extended`,
        suggestion:
          'extend the layer the sweep file extends, or move the shared settings into a layer both extend',
      })
      parentOf.set(id, undefined)
      continue
    }
    if (!docs.has(target)) {
      files ??= [...new Set([...docs.values()].map((d) => d.file))]
      const siblings = files.filter((f) => f !== file)
      diagnostics.push({
        ...pos,
        severity: 'error',
        code: 'EXTENDS_NOT_FOUND',
        message: `extends "${ext}": no spec file ${target}`,
        suggestion: closestPathHint(ext, target, file, siblings),
      })
      parentOf.set(id, undefined)
      continue
    }
    parentOf.set(id, target)
  }

  const chains: ExtendsChain[] = []
  const reportedCycles = new Set<string>()
  for (const file of [...docs.keys()].sort()) {
    const chain: string[] = [file]
    let broken = false
    for (let current = file; ; ) {
      const parent = parentOf.get(current)
      if (parent === null) break
      if (parent === undefined) {
        broken = true
        break
      }
      if (chain.length === MAX_DEPTH) {
        broken = true
        reportTooDeep(file, docs, diagnostics)
        break
      }
      const seen = chain.indexOf(parent)
      if (seen !== -1) {
        broken = true
        reportCycle(chain.slice(seen), docs, reportedCycles, diagnostics)
        break
      }
      chain.push(parent)
      current = parent
    }
    chains.push({ file, chain: broken ? undefined : chain.reverse() })
  }
  return { chains, diagnostics }
}

/**
 * The most layers one chain may have. Real trees have a handful; a limit keeps a runaway tree (thousands of
 * layers, each extending the last) from taking minutes and gigabytes: following every layer's chain to its
 * root, checking each step for a cycle, costs the cube of the chain's length.
 */
const MAX_DEPTH = 64

/** An error at a concrete layer whose chain is too long; abstract layers below the limit's cut say nothing. */
function reportTooDeep(file: string, docs: ReadonlyMap<string, SourceDoc>, diagnostics: Diagnostic[]): void {
  const doc = docs.get(file)
  if (doc === undefined || doc.value.abstract === true) return
  diagnostics.push({
    ...(doc.positions.get('/extends')?.value ?? { file: doc.file, line: 1, col: 1 }),
    severity: 'error',
    code: 'EXTENDS_DEPTH',
    message: `the extends chain of ${file} is more than ${MAX_DEPTH} layers deep (or runs into a longer cycle)`,
    suggestion: 'extend a layer nearer the root, or merge layers that only pass settings on',
  })
}

/** `members` in extends order: each extends the next, and the last extends the first. */
function reportCycle(
  members: string[],
  docs: ReadonlyMap<string, SourceDoc>,
  reported: Set<string>,
  diagnostics: Diagnostic[],
): void {
  // Rotate so that the cycle starts at its smallest file: one cycle, one diagnostic.
  const start = members.indexOf(members.slice().sort()[0] as string)
  const rotated = [...members.slice(start), ...members.slice(0, start)]
  const key = rotated.join('\0')
  if (reported.has(key)) return
  reported.add(key)
  const first = rotated[0] as string
  const doc = docs.get(first)
  const pos = doc?.positions.get('/extends')?.value ?? { file: first, line: 1, col: 1 }
  diagnostics.push({
    ...pos,
    severity: 'error',
    code: 'EXTENDS_CYCLE',
    message: `extends cycle: ${[...rotated, first].join(' → ')}`,
    suggestion: 'a layer cannot inherit from itself; remove one of these extends',
    related: rotated.slice(1).map((f) => ({
      ...(docs.get(f)?.positions.get('/extends')?.value ?? { file: f, line: 1, col: 1 }),
      message: 'part of the cycle',
    })),
  })
}

/**
 * What `extends` probably meant: the path with forward slashes or with `.yaml` added, a file of the same
 * name elsewhere, or the nearest path by spelling (case included); else a few of the layers there are.
 */
function closestPathHint(
  ext: string,
  target: string,
  from: string,
  candidates: string[],
): string | undefined {
  const exists = (path: string) => candidates.includes(path)
  const at = (written: string) => posix.normalize(posix.join(posix.dirname(from), written))
  const slashed = ext.replaceAll('\\', '/')
  if (slashed !== ext && exists(at(slashed)))
    return `write the path with forward slashes: "${posix.normalize(slashed)}"`
  for (const suffix of ['.yaml', '.yml'])
    if (exists(`${target}${suffix}`)) return `did you mean "${ext}${suffix}"?`
  const sameName = candidates.find((c) => posix.basename(c) === posix.basename(target))
  if (sameName !== undefined) return `did you mean "${relativeTo(from, sameName)}"?`
  const near = didYouMean(
    relativeTo(from, target),
    candidates.map((c) => relativeTo(from, c)),
  )
  if (near !== undefined) return `did you mean "${near}"?`
  if (candidates.length === 0) return undefined
  return `existing layers: ${candidates
    .slice(0, 6)
    .map((c) => relativeTo(from, c))
    .join(', ')}`
}

function relativeTo(from: string, to: string): string {
  const rel = posix.relative(posix.dirname(from), to)
  return rel.startsWith('.') ? rel : `./${rel}`
}
