import { compareStrings } from '../diagnostics/diagnostic.js'
import type { Experiment } from '../generated/experiment.js'
import { isPlainMap, type PlainValue } from '../load/parse-yaml.js'
import type { CompiledExperiment } from '../render/compiled-experiment.js'
import { type MarkdownTable, markdownCode, markdownText } from '../render/encoders.js'
import { type Knob, knobsOf } from '../render/render-experiment.js'
import { renderMermaidBlock } from '../render/render-mermaid.js'
import { uploadEnabled } from '../render/render-slurm.js'
import { checkpointDir } from './diff.js'
import {
  displayKey,
  formatValue,
  pointerOfKey,
  sameValue,
  schemaFieldAt,
  schemaOrder,
  valueAt,
} from './fields.js'
import { countCells, formatHours, type PlanRow, planRowsAlone, totalCell } from './plan.js'
import { countCell, groupDigits } from './text-table.js'

type Schema = { readonly [key: string]: unknown }

export interface AblationView {
  /** `Rollouts per prompt`: the schema titles of the fields it changes. */
  readonly title: string
  /** One sentence: what it sets, against what the base configurations use, and in which spec files. */
  readonly summary: string
  readonly table: MarkdownTable
}

/**
 * What templates/README.md.hbs renders: one property per section. A new section is a builder here plus a
 * block in the template.
 */
export interface DocsView {
  readonly specDir: string
  readonly modelList: string
  readonly quickStart: { readonly base: readonly string[]; readonly ablation?: string }
  readonly baseTable: MarkdownTable
  readonly ablations: readonly AblationView[]
  readonly hyperparameters: MarkdownTable
  readonly settings: MarkdownTable
  readonly data: { readonly table: MarkdownTable; readonly dirs: string }
  readonly rewards: { readonly table: MarkdownTable; readonly dirs: string; readonly functions: string }
  readonly matrix: { readonly table: MarkdownTable; readonly total: number }
  readonly estimates: MarkdownTable
  /** Two scripts for the examples, and the first one's name without `.sh` (submit_all.sh takes that). */
  readonly examples: { readonly first: string; readonly second: string; readonly firstStem: string }
  readonly projects: string
  readonly checkpoints: CheckpointsView
  /** Present when any experiment has `upload` settings (and so upload_to_hf.sh is generated). */
  readonly upload?: UploadDocsView
  /** Some experiment submits an upload job after training (`slurm.upload.enabled`). */
  readonly uploadJobs: boolean
  /** The inheritance tree as a Mermaid flowchart, fenced. */
  readonly mermaid: string
}

/** The checkpoint layout, shown for the first experiment (VERL's FSDP layout, NOTES.md). */
export interface CheckpointsView {
  readonly script: string
  /** Its checkpoint folder: CHECKPOINT_ROOT/EXP_NAME. */
  readonly dir: string
  /** The steps of its first two checkpoints (every SAVE_FREQ steps). */
  readonly steps: readonly [number, number]
  /** nodes x GPUs per node: the W of `model_world_size_W_rank_R.pt`. */
  readonly worldSize: number
}

/** How upload_to_hf.sh names and converts checkpoints, with the first uploadable experiment as example. */
export interface UploadDocsView {
  /** Its checkpoint folder. */
  readonly dir: string
  readonly step: number
  /** `afeng`, or several namespaces, code-formatted. */
  readonly namespaces: string
  /** The Hub repo of its checkpoint at `step`. */
  readonly repo: string
  readonly backend: string
}

export interface DocsOptions {
  readonly specDir: string
  readonly schema: Schema
}

/** Fields that name or document an experiment, or only feed estimates: setting them is no ablation. */
const NEUTRAL = ['name', 'script', 'description', 'model.label', 'estimate']
const isNeutral = (key: string): boolean => NEUTRAL.some((n) => key === n || key.startsWith(`${n}.`))

/** Settings a launch script fixes (no environment variable), for the settings table. */
const FIXED_FIELDS = [
  'project',
  'reward.function',
  'rollout.engine',
  'rollout.tensor_parallel_size',
  'rollout.gpu_memory_utilization',
  'trainer.nodes',
  'trainer.gpus_per_node',
  'trainer.logger',
]

/**
 * What the README needs of one experiment. Built while its source map is at hand (`docsAnalysisOf`), so that a
 * compile can drop the source map before the README is rendered from all experiments.
 */
export interface DocsAnalysis {
  /** The experiment's own spec file. */
  readonly file: string
  readonly e: Experiment
  readonly model: string
  /** Fields its own (non-abstract) layers set, other than names, docs and estimates: what it changes. */
  readonly changes: ReadonlyMap<string, PlainValue>
  /** What the README's tables show of it, made when first asked (`cellsOf`). */
  readonly memo: { cells?: Cells }
}

const code = markdownCode
/** A model's label (or path) as a table cell or in text. */
const modelText = (a: { readonly model: string }): string => markdownText(a.model)

/**
 * What the README's tables show of one experiment, made once per analysis: a watching process keeps the
 * analyses of the experiments an edit did not touch, and so their cells. Nothing here depends on the schema.
 */
interface Cells {
  readonly script: string
  readonly model: string
  readonly dir: string
  readonly description: string
  readonly knobs: readonly Knob[]
  /** The keys of `changes`, in its order, joined by `\0`: which ablation group it is in. */
  readonly changeKeys: string
  /** Its train and test files and model path, joined by `\0`: its row of the data table. */
  readonly dataFiles: string
  /** Its `verl_overrides` keys as `verl_overrides.KEY`. */
  readonly overrides: readonly string[]
  /** `fieldValue` by key, as asked. */
  fields?: Map<string, PlainValue | undefined>
  /** `formatValue(fieldValue(key))` by key, as asked. */
  formatted?: Map<string, string>
  /** A changed field's value as a table cell, by key, as asked. */
  changed?: Map<string, string>
  /** A changed field's value as a code span, by key, as asked. */
  changedCode?: Map<string, string>
  /** Its row of an ablation table and its variant's key in the matrix, by the table's keys joined by `\0`. */
  rows?: Map<string, readonly string[]>
  variants?: Map<string, string>
  /** Its values of the changed keys joined by `\0` (`once`). */
  changeValues?: { readonly id: string; readonly value: readonly (PlainValue | undefined)[] }
  /** Its row of the matrix when it is a variant alone, for what else the row shows (`once`). */
  matrixRow?: { readonly id: string; readonly value: readonly string[] }
  /** `formatValue(fieldValue(key))` of the settings table's keys (joined by `\0`), in their order. */
  settings?: { readonly keys: string; readonly values: readonly string[] }
  /** Its `settings` row text (`value (model)`) when alone with its value, by key. */
  settingAlone?: Map<string, string>
}

function cellsOf(a: DocsAnalysis): Cells {
  let cells = a.memo.cells
  if (cells === undefined) {
    cells = {
      script: code(a.e.script),
      model: modelText(a),
      dir: code(checkpointDir(a.e)),
      description: markdownText(a.e.description ?? ''),
      knobs: knobsOf(a.e),
      changeKeys: [...a.changes.keys()].join('\0'),
      dataFiles: `${a.e.data.train_file}\0${a.e.data.val_file}\0${a.e.model.path}`,
      overrides: Object.keys(a.e.verl_overrides ?? {}).map((k) => `verl_overrides.${k}`),
    }
    a.memo.cells = cells
  }
  return cells
}

type CellMaps = 'fields' | 'formatted' | 'changed' | 'changedCode' | 'rows' | 'variants' | 'settingAlone'

/** One of the maps of `cells`, made when first asked (most experiments need few of them). */
function mapIn<K extends CellMaps>(cells: Cells, name: K): NonNullable<Cells[K]> {
  const known = cells[name]
  if (known !== undefined) return known as NonNullable<Cells[K]>
  const map = new Map() as NonNullable<Cells[K]>
  cells[name] = map
  return map
}

/** `get(key)` of a map of cells, made by `make` the first time. */
function cached<T>(map: Map<string, T>, key: string, make: () => T): T {
  if (map.has(key)) return map.get(key) as T
  const value = make()
  map.set(key, value)
  return value
}

/**
 * `cells[name]` when it was made for `id`, else made by `make` (and kept for `id`): one value per experiment,
 * made again only when what it depends on changes.
 */
function once<K extends 'matrixRow' | 'changeValues'>(
  cells: Cells,
  name: K,
  id: string,
  make: () => NonNullable<Cells[K]>['value'],
): NonNullable<Cells[K]>['value'] {
  const known = cells[name]
  if (known?.id === id) return known.value
  const value = make()
  cells[name] = { id, value } as Cells[K]
  return value
}

/** Its values of `keys` (joined by `\0` in `keysId`), in their order. */
const changeValues = (a: DocsAnalysis, keys: readonly string[], keysId: string) =>
  once(cellsOf(a), 'changeValues', keysId, () => keys.map((k) => a.changes.get(k)))

/** A changed field's value as a Markdown table cell. */
const changedCell = (a: DocsAnalysis, key: string): string =>
  cached(mapIn(cellsOf(a), 'changed'), key, () => markdownText(formatValue(a.changes.get(key))))

/** A changed field's value as a code span. */
const changedCode = (a: DocsAnalysis, key: string): string =>
  cached(mapIn(cellsOf(a), 'changedCode'), key, () => code(formatValue(a.changes.get(key))))

/** `formatValue(fieldValue(a, key))`. */
const formattedField = (a: DocsAnalysis, key: string): string =>
  cached(mapIn(cellsOf(a), 'formatted'), key, () => formatValue(fieldValue(a, key)))

const scriptCode = (a: DocsAnalysis): string => cellsOf(a).script

/**
 * The view of the generated README. Pure: built from the compiled experiments and the schema; `analysed`
 * (one `docsAnalysisOf` per experiment, in the same order) when the caller made it already.
 */
export function docsViewOf(
  experiments: readonly CompiledExperiment[],
  options: DocsOptions,
  analysed: readonly DocsAnalysis[] = experiments.map(docsAnalysisOf),
): DocsView {
  const order = schemaOrder(options.schema)
  const models = [...new Set(analysed.map((a) => a.model))]
  const bases = analysed.filter((a) => a.changes.size === 0)
  const ablated = analysed.filter((a) => a.changes.size > 0)
  // Members with the same keys changed: their keys sorted once per group, not once per member.
  const groupKeys = new Map<string, string>()
  const groups = groupBy(ablated, (a) =>
    cached(groupKeys, cellsOf(a).changeKeys, () => [...a.changes.keys()].sort(order).join(' + ')),
  )
  const changedKeys = [
    ...new Set([...groups.values()].flatMap((members) => [...(members[0]?.changes.keys() ?? [])])),
  ].sort(order)
  const titles = new Map<string, string>()
  const title = (key: string): string =>
    cached(titles, key, () => markdownText(schemaFieldAt(options.schema, pointerOfKey(key))?.title ?? key))
  const modelIndex = new Map(models.map((m, i) => [m, i]))
  const baseByModel = new Map<string, DocsAnalysis>()
  for (const b of bases) if (!baseByModel.has(b.model)) baseByModel.set(b.model, b)
  const baseOf = (a: DocsAnalysis): DocsAnalysis | undefined => baseByModel.get(a.model)

  const baseTable: MarkdownTable = {
    header: ['Script', 'Model', ...changedKeys.map(title), 'Output Dir', 'Description'],
    rows: bases.map((a) => [
      scriptCode(a),
      cellsOf(a).model,
      ...changedKeys.map((k) => `**${markdownText(formattedField(a, k))}**`),
      cellsOf(a).dir,
      cellsOf(a).description,
    ]),
  }

  const ablations: AblationView[] = [...groups].map(([, members]) => {
    const keys = [...(members[0]?.changes.keys() ?? [])].sort(order)
    const keysId = keys.join('\0')
    // Each row's model and values of the keys, taken once rather than in every comparison of the sort.
    const rows = members
      .map((a) => ({ a, model: modelIndex.get(a.model) as number, values: changeValues(a, keys, keysId) }))
      .sort((x, y) => x.model - y.model || compareTuples(x.values, y.values))
      .map((r) => r.a)
    const sets = keys.map((k) => {
      const values = distinctOf(rows, (r) => r.changes.get(k)).map((r) => changedCode(r, k))
      const baseValues = distinct(bases.map((b) => fieldValue(b, k)))
      const was = baseValues.length > 0 ? `; the base configurations use ${list(baseValues)}` : ''
      return `${code(k)} to ${joinList(values)}${was}`
    })
    const files = [...new Set(rows.map((r) => r.file))].map(code).join(', ')
    return {
      title: keys.map(title).join(' + '),
      summary: `Sets ${sets.join('. Sets ')}. Spec${files.includes(',') ? 's' : ''}: ${files}.`,
      table: {
        header: ['Script', 'Model', ...keys.map(title), 'Output Dir', 'Description'],
        rows: rows.map((a) =>
          cached(mapIn(cellsOf(a), 'rows'), keysId, () => [
            scriptCode(a),
            cellsOf(a).model,
            ...keys.map((k) => changedCell(a, k)),
            cellsOf(a).dir,
            cellsOf(a).description,
          ]),
        ),
      },
    }
  })

  const plan = planRowsAlone(experiments)
  const t = plan.totals
  // A total of the rows that are known says so (`N + ?`), and `?` when none is: never a partial sum as the whole.
  const known = (text: string, unknown: readonly string[]) => totalCell(text, unknown, t.experiments)
  const estimates: MarkdownTable = {
    header: [
      'Script',
      'Model',
      'Train Rows',
      'Batch',
      'Steps/Epoch',
      'Epochs',
      'Total Steps',
      'Checkpoints',
      'Validations',
      'GPUs',
      'Est. Time',
      'GPU-hours',
    ],
    rows: [
      ...plan.rows.map(estimateRow),
      [
        `**Total (${plan.totals.experiments})**`,
        '',
        '',
        '',
        '',
        '',
        `**${known(groupDigits(t.totalSteps), t.withoutSteps)}**`,
        `**${known(groupDigits(t.checkpoints), t.withoutSteps)}**`,
        `**${known(groupDigits(t.validations), t.withoutSteps)}**`,
        `**${groupDigits(t.gpus)}**`,
        `**${known(`~${formatHours(t.estimatedHours)}`, t.withoutTime)}**`,
        `**${known(groupDigits(Math.round(t.gpuHours)), t.withoutTime)}**`,
      ],
    ],
  }

  const matrixRows: (readonly string[])[] = []
  if (bases.length > 0) matrixRows.push(['Base configuration', ...models.map((m) => cell(bases, m))])
  for (const [, members] of groups) {
    const keys = [...(members[0]?.changes.keys() ?? [])].sort(order)
    const keysId = keys.join('\0')
    // What a row of one experiment depends on besides it: the keys, their titles and the models.
    const rowId = [keysId, ...keys.map(title), ...models].join('\0')
    const variants = groupBy(members, (a) =>
      cached(mapIn(cellsOf(a), 'variants'), keysId, () =>
        keys.map((k) => formatValue(a.changes.get(k))).join(', '),
      ),
    )
    // Each variant's values, taken once rather than in every comparison of the sort.
    const sorted = [...variants]
      .map(([, v]) => ({ v, values: changeValues(v[0] as DocsAnalysis, keys, keysId) }))
      .sort((x, y) => compareTuples(x.values, y.values))
      .map((x) => x.v)
    for (const variant of sorted) {
      const first = variant[0] as DocsAnalysis
      const row = () => [
        keys.map((k) => `${title(k)} = ${changedCell(first, k)}`).join(', '),
        ...models.map((m) => cell(variant, m)),
      ]
      // A variant of one experiment (each point of a sweep): its row is made once.
      matrixRows.push(variant.length === 1 ? once(cellsOf(first), 'matrixRow', rowId, row) : row())
    }
  }

  const first = bases[0] ?? analysed[0]
  const second = bases[1] ?? analysed[1] ?? first
  return {
    mermaid: renderMermaidBlock(experiments, { specDir: options.specDir }),
    specDir: options.specDir,
    modelList: models.join(' and '),
    quickStart: {
      base: bases.map((a) => a.e.script),
      ablation: ablated[0]?.e.script,
    },
    baseTable,
    ablations,
    hyperparameters: hyperparameters(analysed, baseOf),
    settings: settings(analysed, options.schema, order, baseOf),
    data: dataSection(analysed, models),
    rewards: rewardSection(analysed, bases),
    matrix: {
      table: { header: ['Experiment', ...models.map(markdownText)], rows: matrixRows },
      total: analysed.length,
    },
    estimates,
    examples: {
      first: first?.e.script ?? 'run.sh',
      second: second?.e.script ?? 'run.sh',
      firstStem: (first?.e.script ?? 'run.sh').replace(/\.sh$/, ''),
    },
    projects: distinct(analysed.map((a) => a.e.project))
      .map((p) => code(String(p)))
      .join(', '),
    checkpoints: checkpointsSection(first),
    upload: uploadSection(analysed),
    uploadJobs: analysed.some((a) => uploadEnabled(a.e)),
  }
}

function checkpointsSection(a: DocsAnalysis | undefined): CheckpointsView {
  const every = a?.e.training.save_freq ?? 100
  return {
    script: a?.e.script ?? 'run.sh',
    dir: a === undefined ? '/checkpoints/experiment' : checkpointDir(a.e),
    steps: [every, 2 * every],
    worldSize: a === undefined ? 8 : a.e.trainer.nodes * a.e.trainer.gpus_per_node,
  }
}

function uploadSection(analysed: readonly DocsAnalysis[]): UploadDocsView | undefined {
  const uploading = analysed.filter((a) => a.e.upload !== undefined)
  const first = uploading[0]
  const upload = first?.e.upload
  if (first === undefined || upload === undefined) return undefined
  const dir = checkpointDir(first.e)
  const step = first.e.training.save_freq
  return {
    dir,
    step,
    namespaces: distinct(uploading.map((a) => a.e.upload?.namespace))
      .map((n) => code(String(n)))
      .join(', '),
    repo: `${upload.namespace}/${first.e.name}_step-${step}`,
    backend: upload.backend,
  }
}

/** What the README needs of one experiment (see `DocsAnalysis`). */
export function docsAnalysisOf(item: CompiledExperiment): DocsAnalysis {
  // The fields (as `fieldsOf` walks them: scalars, lists, empty maps) whose value a concrete layer gave. Only
  // the few sources such a layer won are looked at, not every field.
  const { spec } = item
  const changes = new Map<string, PlainValue>()
  for (const [pointer, entry] of spec.sources) {
    const winner = entry.history.at(-1)
    if (winner === undefined || !spec.concreteFiles.has(winner.position.file)) continue
    const value = valueAt(spec.value, pointer)
    if (value === undefined || (isPlainMap(value) && Object.keys(value).length > 0)) continue
    if (Array.isArray(valueAt(spec.value, pointer.slice(0, pointer.lastIndexOf('/'))))) continue
    const key = displayKey(pointer)
    if (!isNeutral(key)) changes.set(key, value)
  }
  return {
    file: spec.file,
    e: item.experiment,
    model: item.experiment.model.label ?? item.experiment.model.path,
    changes,
    memo: {},
  }
}

/**
 * The resolved value of a field (a dotted key, as `fieldsOf` names it): a scalar, a list or an empty map;
 * undefined when the experiment does not set it or it is a map with fields.
 */
function fieldValue(a: DocsAnalysis, key: string): PlainValue | undefined {
  const fields = mapIn(cellsOf(a), 'fields')
  if (fields.has(key)) return fields.get(key)
  const value = fieldValueOf(a, key)
  fields.set(key, value)
  return value
}

function fieldValueOf(a: DocsAnalysis, key: string): PlainValue | undefined {
  const value = valueAt(a.e as unknown as PlainValue, pointerOfKey(key))
  return isPlainMap(value) && Object.keys(value).length > 0 ? undefined : value
}

/** The environment knobs: the base configurations' value and which experiments change it. */
function hyperparameters(
  analysed: readonly DocsAnalysis[],
  baseOf: (a: DocsAnalysis) => DocsAnalysis | undefined,
): MarkdownTable {
  const knobs = analysed.map((a) => cellsOf(a).knobs)
  // Each experiment's base configuration's knobs, when it is not one: looked up once, not once per knob.
  const baseKnobs = analysed.map((a) => {
    const base = baseOf(a)
    return base === undefined || base === a ? undefined : cellsOf(base).knobs
  })
  // The base configurations, and the experiments that have one (not being it), by index.
  const baseIndexes: number[] = []
  const withBaseIndexes: number[] = []
  for (const [j, a] of analysed.entries()) {
    if (baseKnobs[j] !== undefined) withBaseIndexes.push(j)
    else if (baseOf(a) === a) baseIndexes.push(j)
  }
  const first = knobs[0] ?? []
  const rows = first.map((knob, i) => {
    const name = knob.alias === '' ? code(knob.env) : `${code(knob.env)} (or ${code(knob.alias)})`
    const knobValue = (of: readonly Knob[]): string => of[i]?.default ?? ''
    if (knobs.length > 1 && allDifferent(knobs, knobValue)) {
      return [name, '_one per experiment_', knob.description, '']
    }
    const defaults = new Map<string, DocsAnalysis[]>()
    for (const j of baseIndexes) {
      addTo(defaults, knobValue(knobs[j] as readonly Knob[]), analysed[j] as DocsAnalysis)
    }
    const changed = new Map<string, DocsAnalysis[]>()
    for (const j of withBaseIndexes) {
      const value = knobValue(knobs[j] as readonly Knob[])
      if (knobValue(baseKnobs[j] as readonly Knob[]) !== value)
        addTo(changed, value, analysed[j] as DocsAnalysis)
    }
    const defaultText =
      defaults.size <= 1
        ? [...defaults.keys()].map(code).join('') || '—'
        : [...defaults]
            .map(([v, as]) => `${code(v)} (${as.map((a) => cellsOf(a).model).join(', ')})`)
            .join(', ')
    const changedText = [...changed]
      .sort(([x], [y]) => compareText(x, y))
      .map(([v, as]) => `${code(v)}: ${as.map(scriptCode).join(', ')}`)
      .join('; ')
    return [name, defaultText, knob.description, changedText]
  })
  return { header: ['Variable', 'Default', 'Description', 'Other values in'], rows }
}

/** Settings the scripts fix: change them in the specs. */
function settings(
  analysed: readonly DocsAnalysis[],
  schema: Schema,
  order: (a: string, b: string) => number,
  baseOf: (a: DocsAnalysis) => DocsAnalysis | undefined,
): MarkdownTable {
  const overrides = new Set<string>()
  for (const a of analysed) for (const key of cellsOf(a).overrides) overrides.add(key)
  const keys = [...FIXED_FIELDS, ...[...overrides].sort()].sort(order)
  const bases = analysed.filter((a) => baseOf(a) === a)
  const source = bases.length > 0 ? bases : analysed
  // Each experiment's values of the keys, as one list: looked up once per experiment, not once per key.
  const keysId = keys.join('\0')
  const values = source.map((a) => {
    const cells = cellsOf(a)
    if (cells.settings?.keys !== keysId)
      cells.settings = { keys: keysId, values: keys.map((k) => formatValue(fieldValueOf(a, k))) }
    return cells.settings.values
  })
  const rows = keys.map((key, i) => {
    const valueAt = (j: number): string => values[j]?.[i] as string
    // Most settings have one value: grouped only when they do not.
    let one = true
    for (let j = 1; j < source.length && one; j++) one = valueAt(j) === valueAt(0)
    let value: string
    if (one) value = code(source.length === 0 ? '' : valueAt(0))
    else {
      const byValue = new Map<string, DocsAnalysis[]>()
      for (const [j, a] of source.entries()) addTo(byValue, valueAt(j), a)
      value = [...byValue].map(([v, as]) => settingText(key, v, as)).join(', ')
    }
    const name = key.startsWith('verl_overrides.') ? key.slice('verl_overrides.'.length) : key
    const what = key.startsWith('verl_overrides.')
      ? 'VERL override'
      : (schemaFieldAt(schema, pointerOfKey(key))?.title ?? '')
    return [code(name), value, what]
  })
  return { header: ['Setting', 'Value', 'What'], rows }
}

/** `value (models)` of a settings row: made once per experiment for a value that only it has. */
function settingText(key: string, value: string, members: readonly DocsAnalysis[]): string {
  const text = () => `${code(value)} (${members.map((a) => cellsOf(a).model).join(', ')})`
  const [only] = members
  return members.length === 1 && only !== undefined
    ? cached(mapIn(cellsOf(only), 'settingAlone'), key, text)
    : text()
}

function dataSection(
  analysed: readonly DocsAnalysis[],
  models: readonly string[],
): { table: MarkdownTable; dirs: string } {
  const rows = models.flatMap((m) => {
    const members = analysed.filter((a) => a.model === m)
    const files = groupBy(members, (a) => cellsOf(a).dataFiles)
    return [...files.values()].map((as) => {
      const e = (as[0] as DocsAnalysis).e
      return [
        markdownText(m),
        code(e.model.path),
        code(e.data.train_file),
        countCell(e.data.train_rows ?? null),
        code(e.data.val_file),
      ]
    })
  })
  return {
    table: { header: ['Model', 'Model Path (HuggingFace)', 'Train File', 'Train Rows', 'Test File'], rows },
    dirs: distinct(analysed.map((a) => a.e.data.dir))
      .map((d) => code(`${String(d)}/`))
      .join(', '),
  }
}

function rewardSection(
  analysed: readonly DocsAnalysis[],
  bases: readonly DocsAnalysis[],
): { table: MarkdownTable; dirs: string; functions: string } {
  const defaultOn = bases.length > 0 && bases.every((b) => b.e.reward.use_uncertainty)
  const defaultOff = bases.length > 0 && bases.every((b) => !b.e.reward.use_uncertainty)
  const files = new Map<string, { uncertain: boolean; users: DocsAnalysis[] }>()
  for (const a of analysed) {
    for (const uncertain of [true, false]) {
      const file = uncertain ? a.e.reward.uncertain_file : a.e.reward.plain_file
      const entry = files.get(file) ?? { uncertain, users: [] }
      if (a.e.reward.use_uncertainty === uncertain) entry.users.push(a)
      files.set(file, entry)
    }
  }
  const rows = [...files].map(([file, { uncertain, users }]) => [
    code(file),
    uncertain
      ? `With uncertainty weighting${defaultOn ? ' (default)' : ''}`
      : `Without uncertainty weighting${defaultOff ? ' (default)' : ''}`,
    code(`USE_UNCERTAINTY=${uncertain}`),
    users.length === 0 ? '—' : users.map(scriptCode).join(', '),
  ])
  return {
    table: { header: ['File', 'Description', 'Chosen by', 'Used by'], rows },
    dirs: distinct(analysed.map((a) => a.e.reward.dir))
      .map((d) => code(`${String(d)}/`))
      .join(', '),
    functions: distinct(analysed.map((a) => a.e.reward.function))
      .map((f) => code(String(f)))
      .join(', '),
  }
}

function cell(members: readonly DocsAnalysis[], model: string): string {
  const found = members.filter((a) => a.model === model)
  return found.length === 0 ? '—' : found.map(scriptCode).join(', ')
}

function list(values: readonly PlainValue[]): string {
  return joinList(values.map((v) => code(formatValue(v))))
}

function joinList(texts: readonly string[]): string {
  return texts.join(texts.length === 2 ? ' and ' : ', ')
}

/** A README row of the plan, made once per row (`planRowsAlone` makes a row once per experiment). */
const estimateRows = new WeakMap<PlanRow, readonly string[]>()

function estimateRow(r: PlanRow): readonly string[] {
  let row = estimateRows.get(r)
  if (row === undefined) {
    row = [
      code(r.script),
      markdownText(r.model),
      countCell(r.trainRows),
      ...countCells(r),
      r.estimatedHours === null ? '?' : `~${formatHours(r.estimatedHours)}`,
      r.gpuHours === null ? '?' : groupDigits(Math.round(r.gpuHours)),
    ]
    estimateRows.set(r, row)
  }
  return row
}

/**
 * `distinct(items.map(valueAtItem))`, as the first item with each value: the same values in the same order (the
 * caller then uses what it cached of each item).
 */
function distinctOf<T>(items: readonly T[], valueAtItem: (item: T) => PlainValue | undefined): T[] {
  const scalars = new Set<PlainValue>()
  const out: { item: T; value: PlainValue }[] = []
  for (const item of items) {
    const v = valueAtItem(item)
    if (v === undefined) continue
    if (v === null || typeof v !== 'object') {
      if (!scalars.has(v)) out.push({ item, value: v })
      scalars.add(v)
    } else if (!out.some((o) => sameValue(o.value, v))) out.push({ item, value: v })
  }
  return out.sort((a, b) => compareValues(a.value, b.value)).map((o) => o.item)
}

function distinct(values: readonly (PlainValue | undefined)[]): PlainValue[] {
  // Scalars by a Set (a sweep over 10,000 seeds has 10,000 of them); lists and maps compared as values.
  const scalars = new Set<PlainValue>()
  const out: PlainValue[] = []
  for (const v of values) {
    if (v === undefined) continue
    if (v === null || typeof v !== 'object') {
      if (!scalars.has(v)) out.push(v)
      scalars.add(v)
    } else if (!out.some((o) => sameValue(o, v))) out.push(v)
  }
  return out.sort((a, b) => compareValues(a, b))
}

/** Whether no two items have the same key (stops at the first two that do). */
function allDifferent<T>(items: readonly T[], keyOf: (item: T) => string): boolean {
  const seen = new Set<string>()
  for (const item of items) {
    const key = keyOf(item)
    if (seen.has(key)) return false
    seen.add(key)
  }
  return true
}

function addTo<T>(groups: Map<string, T[]>, key: string, item: T): void {
  const group = groups.get(key)
  if (group === undefined) groups.set(key, [item])
  else group.push(item)
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>()
  for (const item of items) {
    const key = keyOf(item)
    const group = out.get(key)
    if (group === undefined) out.set(key, [item])
    else group.push(item)
  }
  return out
}

function compareValues(a: PlainValue | undefined, b: PlainValue | undefined): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  const x = formatValue(a)
  const y = formatValue(b)
  return compareStrings(x, y)
}

/** Numbers by value (`4` before `12`), the rest as text. */
function compareText(a: string, b: string): number {
  const x = Number(a)
  const y = Number(b)
  if (a !== '' && b !== '' && Number.isFinite(x) && Number.isFinite(y)) return x - y
  return compareStrings(a, b)
}

function compareTuples(
  a: readonly (PlainValue | undefined)[],
  b: readonly (PlainValue | undefined)[],
): number {
  for (const [i, x] of a.entries()) {
    const c = compareValues(x, b[i])
    if (c !== 0) return c
  }
  return 0
}
