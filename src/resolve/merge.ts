import type { Diagnostic, Position } from '../diagnostics/diagnostic.js'
import { didYouMean } from '../diagnostics/did-you-mean.js'
import {
  isPlainMap,
  layerId,
  type PlainMap,
  type PlainValue,
  type Pointer,
  pointerJoin,
  type SourceDoc,
  setOwn,
} from '../load/parse-yaml.js'

/** One layer's word on a value: it set it, or deleted it with `null`. */
export interface LayerEntry {
  readonly action: 'set' | 'unset'
  readonly position: Position
  /** The key's position, when the layer wrote one (not for list items). */
  readonly key?: Position
  readonly value?: PlainValue
}

/** Where a resolved value came from: every layer that set or deleted it, root first; the last one won. */
export interface SourceEntry {
  readonly history: readonly LayerEntry[]
}

/** A layer after `extends`: the merged value and, per JSON Pointer, the layers behind it. */
export interface ResolvedSpec {
  /** The leaf layer's file. */
  readonly file: string
  /** The leaf layer's id: its file, or `file[size=4b,...]` for a sweep's combination (see `layerId`). */
  readonly id: string
  /** Layer ids, root first, the leaf last. */
  readonly chain: readonly string[]
  /** Files of the chain's layers that are not abstract: the experiment's own settings come from these. */
  readonly concreteFiles: ReadonlySet<string>
  readonly abstract: boolean
  readonly value: PlainMap
  readonly sources: ReadonlyMap<Pointer, SourceEntry>
  /** Values a layer deleted, with their history (for `explain`). */
  readonly deleted: ReadonlyMap<Pointer, SourceEntry>
}

/** Keys about the layer itself; never inherited. */
export const LAYER_KEYS: ReadonlySet<string> = new Set(['extends', 'abstract', 'matrix'])

/**
 * A merge in progress: the value so far and, per pointer, the layers behind it.
 *
 * Values are shared, never copied whole: a layer's maps, lists and scalars go into the merged value as they
 * are, and the merge of a chain's parents is shared by every experiment below them. Nothing may change a
 * value it did not make: before a layer changes a map, that map is copied (`owned` holds the maps this merge
 * made, which it may change). Everything downstream only reads values.
 */
interface MergeState {
  readonly value: PlainMap
  readonly sources: Map<Pointer, SourceEntry>
  readonly deleted: Map<Pointer, SourceEntry>
  readonly diagnostics: Diagnostic[]
  readonly owned: WeakSet<PlainMap>
}

// `owned` never needs the root: only maps below it are looked up (the root is always the merge's own).
const emptyState = (): MergeState => ({
  value: {},
  sources: new Map(),
  deleted: new Map(),
  diagnostics: [],
  owned: new WeakSet(),
})

/** A copy to apply more layers to: new maps at the top, the value shared below its root. */
const copyState = (state: MergeState): MergeState => ({
  value: { ...state.value },
  sources: new Map(state.sources),
  deleted: new Map(state.deleted),
  diagnostics: [...state.diagnostics],
  owned: new WeakSet(),
})

type Merge = (layers: readonly SourceDoc[]) => { spec: ResolvedSpec; diagnostics: Diagnostic[] }

/**
 * Merges a chain of layers, root first (ADR 0001): maps merge key by key; a child's scalars and lists
 * replace the parent's; `null` deletes the inherited key, and is an error when no parent set it.
 */
export const mergeLayers: Merge = (layers) => createMerger()(layers)

/**
 * `mergeLayers` for many chains that share parents (every experiment of a family extends the same model
 * layer): the merge of each chain's parents is made once and copied, not replayed per experiment.
 */
export function createMerger(): Merge {
  // By the id of a chain's last layer: a layer has one parent, so its id names the whole chain above it.
  const memo = new Map<string, MergeState>()
  /** The merge of the first `n` layers; cached, so callers must copy it before applying more. */
  const prefix = (layers: readonly SourceDoc[], n: number): MergeState => {
    const last = layers[n - 1]
    if (last === undefined) return emptyState()
    let state = memo.get(layerId(last))
    if (state === undefined) {
      state = copyState(prefix(layers, n - 1))
      applyLayer(state, last)
      memo.set(layerId(last), state)
    }
    return state
  }
  return (layers) => {
    const leaf = layers.at(-1)
    if (leaf === undefined) throw new Error('mergeLayers needs at least one layer')
    const state = copyState(prefix(layers, layers.length - 1))
    applyLayer(state, leaf)
    return resolved(state, leaf, layers)
  }
}

function resolved(
  state: MergeState,
  leaf: SourceDoc,
  layers: readonly SourceDoc[],
): { spec: ResolvedSpec; diagnostics: Diagnostic[] } {
  const abstract = leaf.value.abstract === true
  const concreteFiles = new Set(layers.filter((l) => l.value.abstract !== true).map((l) => l.file))
  return {
    spec: {
      file: leaf.file,
      id: layerId(leaf),
      chain: layers.map(layerId),
      concreteFiles,
      abstract,
      value: state.value,
      sources: state.sources,
      deleted: state.deleted,
    },
    diagnostics: state.diagnostics,
  }
}

/** Applies one layer on top of a merge in progress. */
function applyLayer(state: MergeState, doc: SourceDoc): void {
  const { sources, deleted, diagnostics, owned } = state
  const record = (pointer: Pointer, entry: LayerEntry): void => {
    const before = sources.get(pointer)?.history ?? deleted.get(pointer)?.history ?? []
    deleted.delete(pointer)
    sources.set(pointer, { history: [...before, entry] })
  }
  const dropBelow = (pointer: Pointer): void => {
    for (const key of [...sources.keys()]) if (key.startsWith(`${pointer}/`)) sources.delete(key)
  }
  // Each recorded value is the layer's own subtree (shared, never changed), so a tree of n nodes costs n
  // entries, not a copy per node of everything below it.
  const recordTree = (v: PlainValue, pointer: Pointer): void => {
    const at = doc.positions.get(pointer)
    const position = at?.value ?? { file: doc.file, line: 1, col: 1 }
    record(pointer, { action: 'set', position, key: at?.key, value: v })
    if (isPlainMap(v)) for (const [k, child] of Object.entries(v)) recordTree(child, pointerJoin(pointer, k))
    else if (Array.isArray(v)) {
      for (const [i, child] of v.entries()) recordTree(child, pointerJoin(pointer, i))
    }
  }

  const apply = (target: PlainMap, layer: PlainMap, pointer: Pointer, top: boolean): void => {
    for (const [key, v] of Object.entries(layer)) {
      if (top && LAYER_KEYS.has(key)) continue
      const at = pointerJoin(pointer, key)
      const positions = doc.positions.get(at)
      const position = positions?.value ?? { file: doc.file, line: 1, col: 1 }
      if (v === null) {
        if (!Object.hasOwn(target, key)) {
          const near = didYouMean(key, Object.keys(target))
          diagnostics.push({
            ...(positions?.key ?? position),
            severity: 'error',
            code: 'UNSET_MISSING',
            message: `\`${key}: null\` deletes an inherited value, but no parent layer sets ${at}`,
            suggestion: near ? `did you mean \`${near}\`?` : 'remove this line',
          })
          continue
        }
        const before = sources.get(at)?.history ?? []
        dropBelow(at)
        sources.delete(at)
        deleted.set(at, { history: [...before, { action: 'unset', position, key: positions?.key }] })
        delete target[key]
        continue
      }
      const existing = Object.hasOwn(target, key) ? target[key] : undefined
      if (isPlainMap(v) && isPlainMap(existing)) {
        record(at, { action: 'set', position, key: positions?.key, value: undefined })
        let own = existing
        if (!owned.has(own)) {
          own = { ...existing }
          owned.add(own)
          setOwn(target, key, own)
        }
        apply(own, v, at, false)
        continue
      }
      // Only a replaced map or list has recorded children to forget.
      if (isPlainMap(existing) || Array.isArray(existing)) dropBelow(at)
      setOwn(target, key, v)
      recordTree(v, at)
    }
  }

  apply(state.value, doc.value, '', true)
}
