import {
  compareStrings,
  type Diagnostic,
  hasErrors,
  type Position,
  type RelatedPosition,
  sortDiagnostics,
} from './diagnostics/diagnostic.js'
import type { Experiment } from './generated/experiment.js'
import {
  isPlainMap,
  layerId,
  type PlainMap,
  type Pointer,
  parseYaml,
  type SourceDoc,
} from './load/parse-yaml.js'
import { createSpecHasher } from './load/spec-hash.js'
import type { CompiledExperiment } from './render/compiled-experiment.js'
import { createTemplates } from './render/handlebars-env.js'
import type { RenderedFile } from './render/render-experiment.js'
import {
  EXPERIMENT_RENDERERS,
  RENDERERS,
  type RenderContext,
  type RenderMemo,
  type RenderSettings,
} from './render/renderers.js'
import { checkpointDir } from './report/diff.js'
import { type DocsAnalysis, docsAnalysisOf } from './report/docs-view.js'

export type { CompiledExperiment }

import { expandMatrix, isSweep } from './resolve/expand-matrix.js'
import { createMerger, type ResolvedSpec, type SourceEntry } from './resolve/merge.js'
import { resolveExtends } from './resolve/resolve-extends.js'
import { checkDuplicateTraining, type TrainingSubject } from './validate/duplicate-training.js'
import { RULES } from './validate/rules.js'
import {
  ajvToDiagnostics,
  createValidators,
  type Locate,
  type SchemaValidators,
  schemaText,
} from './validate/schema.js'
import { checkSecrets } from './validate/secrets.js'
import { checkSlurm } from './validate/slurm-rules.js'
import { checkVerlOverrides, checkVerlRules } from './validate/verl-rules.js'

export interface CompileInput {
  /** Spec files by display path (forward slashes, e.g. `experiments/base.yaml`) to their text. */
  readonly specs: ReadonlyMap<string, string>
  /** The spec folder as displayed, e.g. `experiments`; `extends` may not leave it. */
  readonly specDir: string
  /** Template files by name relative to templates/ (e.g. `launch.sh.hbs`, `partials/x.hbs`). */
  readonly templates: ReadonlyMap<string, string>
  /** The experiment JSON Schema. */
  readonly schema: { [key: string]: unknown }
}

export interface CompileResult {
  readonly files: readonly RenderedFile[]
  readonly experiments: readonly CompiledExperiment[]
  readonly diagnostics: readonly Diagnostic[]
}

/** What `compileFiles` returns once it has yielded every file. */
export interface CompileSummary {
  /** Sorted by script name. */
  readonly experiments: readonly CompiledExperiment[]
  /** Sorted; when any is an error, the files yielded are not a valid output (see `compileFiles`). */
  readonly diagnostics: readonly Diagnostic[]
}

export interface CompileOptions {
  /**
   * Keep each experiment's whole source map (explain, plan and diff read it). Without it, an experiment keeps
   * only the sources the files rendered from all experiments need, once its own files are rendered: memory
   * then stays near the size of the resolved values, not of every layer's history of every field.
   */
  readonly keepSources?: boolean
}

/** load → resolve → validate → render, in memory. Pure: no disk, environment or clock. */
export function compile(input: CompileInput, options: CompileOptions = { keepSources: true }): CompileResult {
  const files: RenderedFile[] = []
  const run = compileFiles(input, options)
  let step = run.next()
  while (step.done !== true) {
    files.push(step.value)
    step = run.next()
  }
  const { experiments, diagnostics } = step.value
  files.sort((a, b) => compareStrings(a.path, b.path))
  return { files: hasErrors(diagnostics) ? [] : files, experiments, diagnostics }
}

/**
 * The same pipeline, one experiment at a time: yields each file as soon as it is rendered (an experiment's
 * own files right after it validates, the files made from all experiments last), then returns the experiments
 * and the diagnostics. Once an error is found it renders nothing more; files yielded before are not a valid
 * output when the summary has errors, so a caller that writes them must stage them until then. Pure.
 */
export function* compileFiles(
  input: CompileInput,
  options: CompileOptions = {},
): Generator<RenderedFile, CompileSummary, void> {
  // Without a memo nothing is kept: every item is a rendered file.
  const {
    memo: _memo,
    kept: _kept,
    ...summary
  } = yield* compileWith(input, options, undefined) as Generator<RenderedFile, ChangesSummary, void>
  return summary
}

/**
 * A file an earlier compile rendered from the same layers (see `compileChanges`): the caller leaves what that
 * compile wrote at `path` as it is.
 */
export interface KeptFile {
  readonly path: string
  readonly kept: true
}

/**
 * What `compileChanges` remembers of a compile for the next: each spec file as parsed, each experiment as
 * compiled (with the paths of its files). Opaque to callers, who only hand it back.
 */
export interface CompileMemo {
  readonly specDir: string
  readonly schema: CompileInput['schema']
  readonly schemaText: string
  readonly templateTexts: ReadonlyMap<string, string>
  readonly validators: SchemaValidators
  readonly templates: RenderSettings['templates']
  readonly files: ReadonlyMap<string, LoadedFile>
  readonly experiments: ReadonlyMap<string, ExperimentMemo>
  /** The files made from all experiments, with what each was made from (`RenderMemo`). */
  readonly renders: RenderMemo['after']
  /** The files made from all experiments, by path, as this compile made them. */
  readonly shared: ReadonlyMap<string, RenderedFile>
}

/** One spec file as loaded: its layers by id (one, or a sweep's combinations) and their diagnostics. */
interface LoadedFile {
  readonly text: string
  readonly sweep: boolean
  readonly layers: readonly (readonly [id: string, doc: SourceDoc])[]
  readonly diagnostics: readonly Diagnostic[]
}

/** One layer's chain as compiled: the layers it merged (compared by identity) and what came of them. */
interface ExperimentMemo {
  readonly layers: readonly SourceDoc[]
  readonly diagnostics: readonly Diagnostic[]
  /** Absent for an abstract layer (or one that did not compile: such a memo is never handed back). */
  readonly compiled?: {
    readonly item: CompiledExperiment
    readonly docs: DocsAnalysis
    readonly paths: readonly string[]
    /** The paths in lower case, as `OutputPaths` compares them. */
    readonly folded: readonly string[]
    readonly facts: ExperimentFacts
  }
}

/** What the checks of all experiments read of one, made once per experiment (a memo keeps it). */
interface ExperimentFacts {
  /** Who claims its output paths. */
  readonly owner: OutputOwner
  /** For the duplicate-training check: the experiment, and where its name is set. */
  readonly subject: TrainingSubject
  /** Its checkpoint folder. */
  readonly dir: string
}

function factsOf(item: CompiledExperiment): ExperimentFacts {
  return {
    owner: experimentOwner(item),
    subject: { experiment: item.experiment, nameAt: nameAt(item) },
    dir: checkpointDir(item.experiment),
  }
}

/** What `compileChanges` returns once it has yielded every file. */
export interface ChangesSummary extends CompileSummary {
  /** This compile's memo, when it had no error. */
  readonly memo?: CompileMemo
  /** How many of the experiments were kept from the memo (not compiled again). */
  readonly kept: number
}

/**
 * `compileFiles` for a compile that follows another (`finqa compile --watch`): each experiment whose layers
 * are the same as in `memo` (the same files, the same texts) is not merged, validated or rendered again; its
 * files are yielded as `KeptFile`s. The files made from all experiments are made every time, from what the
 * memo kept of each experiment (`RenderMemo`), and yielded as `KeptFile`s when their text is the memo's.
 * Returns, with the summary, the memo of this compile: hand it to the next one only once this one's files
 * were written (a compile with errors writes nothing, so its memo must not be used). Pure.
 */
export function compileChanges(
  input: CompileInput,
  memo: CompileMemo | undefined,
): Generator<RenderedFile | KeptFile, ChangesSummary, void> {
  return compileWith(input, {}, memo ?? null)
}

/** The pipeline; `memo` null: remember this compile (nothing before it); undefined: remember nothing. */
function* compileWith(
  input: CompileInput,
  options: CompileOptions,
  memo: CompileMemo | null | undefined,
): Generator<RenderedFile | KeptFile, ChangesSummary, void> {
  const diagnostics: Diagnostic[] = []
  if (input.specs.size === 0) {
    return {
      kept: 0,
      experiments: [],
      diagnostics: [
        {
          file: input.specDir,
          line: 1,
          col: 1,
          severity: 'error',
          code: 'NO_SPECS',
          message: `no spec files (*.yaml) in ${input.specDir}`,
          suggestion: 'point finqa at the folder holding your experiment specs',
        },
      ],
    }
  }

  const remember = memo !== undefined
  // A memo of other templates, another schema or another spec folder is of no use.
  const before = memo !== null && memo !== undefined && sameSetting(memo, input) ? memo : undefined
  const validators = before?.validators ?? createValidators(input.schema)
  const templates = before?.templates ?? createTemplates(input.templates)
  const loadedFiles = new Map<string, LoadedFile>()
  const memoExperiments = new Map<string, ExperimentMemo>()

  // load; a sweep file becomes one layer per combination of its matrix, keyed by layer id
  const docs = new Map<string, SourceDoc>()
  const sweepFiles = new Set<string>()
  for (const file of [...input.specs.keys()].sort()) {
    const text = input.specs.get(file) ?? ''
    const known = before?.files.get(file)
    const loaded = known !== undefined && known.text === text ? known : loadFile(file, text, validators)
    if (remember) loadedFiles.set(file, loaded)
    for (const d of loaded.diagnostics) diagnostics.push(d) // a loop: one per combination, maybe more than a call takes
    if (loaded.sweep) sweepFiles.add(file)
    for (const [id, doc] of loaded.layers) docs.set(id, doc)
  }

  // resolve
  const { chains, diagnostics: extendsDiagnostics } = resolveExtends(docs, {
    specRoot: input.specDir,
    sweepFiles,
  })
  for (const d of extendsDiagnostics) diagnostics.push(d) // a loop: one per layer at most
  const hashSpecs = createSpecHasher(input.specs)
  const settings: RenderSettings = {
    templates,
    specDir: input.specDir,
    schema: input.schema,
    specSha256: (chain) => hashSpecs(chain.map((id) => ({ id, file: (docs.get(id) as SourceDoc).file }))),
  }
  const failed = new Set<string>()
  // Whether any diagnostic so far is an error, looking at each once (warnings can be one per experiment).
  let seen = 0
  let anyError = false
  const errorsSoFar = (): boolean => {
    for (; seen < diagnostics.length && !anyError; seen++) anyError = diagnostics[seen]?.severity === 'error'
    return anyError
  }
  // Each experiment as kept (see `slim`), with what the README needs of it while nothing has failed.
  const compiled: { item: CompiledExperiment; facts: ExperimentFacts; docs?: DocsAnalysis }[] = []
  const mergeLayers = createMerger()
  const outputs = new OutputPaths()
  const renders: RenderMemo['after'] = new Map()
  const shared = new Map<string, RenderedFile>()
  let kept = 0
  for (const { file: id, chain } of chains) {
    if (chain === undefined) continue
    const layers = chain.map((layer) => docs.get(layer) as SourceDoc)
    const unchanged = before?.experiments.get(id)
    if (unchanged !== undefined && sameLayers(unchanged.layers, layers)) {
      // Compiled from these very layers before, and written: claim its paths, keep its files.
      memoExperiments.set(id, unchanged)
      for (const d of unchanged.diagnostics) diagnostics.push(d)
      if (unchanged.compiled === undefined) continue
      kept++
      const yielding = !errorsSoFar()
      const { item, docs, paths, folded, facts } = unchanged.compiled
      for (const [i, path] of paths.entries()) {
        if (outputs.claim(path, facts.owner, diagnostics, folded[i]) && yielding) yield { path, kept: true }
      }
      compiled.push({ item, facts, docs })
      continue
    }
    const own: Diagnostic[] = []
    const note = (found: readonly Diagnostic[]) => {
      for (const d of found) {
        diagnostics.push(d)
        if (remember) own.push(d)
      }
    }
    const remembered = (compiledMemo?: ExperimentMemo['compiled']) => {
      if (remember) memoExperiments.set(id, { layers, diagnostics: own, compiled: compiledMemo })
    }
    const { spec, diagnostics: mergeDiagnostics } = mergeLayers(layers)
    note(mergeDiagnostics)
    if (spec.abstract || mergeDiagnostics.length > 0) {
      remembered()
      continue
    }

    // validate
    const locate = locatorFor(spec, docs)
    const value = withoutLayerKeys(spec.value)
    if (!validators.experiment(value)) {
      note(ajvToDiagnostics(validators.experiment.errors ?? [], input.schema, value, locate))
      remembered()
      continue
    }
    const experiment = value as unknown as Experiment
    const ruleDiagnostics = [
      ...checkVerlOverrides(experiment, locate),
      ...checkVerlRules(experiment, locate),
      ...RULES.flatMap((r) => r.check(experiment, locate)),
      ...checkSlurm(experiment, locate),
    ]
    note(ruleDiagnostics)
    if (hasErrors(ruleDiagnostics)) {
      remembered()
      continue
    }

    // render this experiment's own files; drop its source map unless asked to keep it
    const item: CompiledExperiment = { experiment, spec }
    const slimmed = options.keepSources === true ? item : { experiment, spec: slim(spec) }
    // After an error nothing is yielded, but the files are still rendered for their paths, so that one run
    // reports every clash of output paths.
    const yielding = !errorsSoFar()
    const facts = factsOf(slimmed)
    const paths: string[] = []
    const folded: string[] = []
    for (const renderer of EXPERIMENT_RENDERERS) {
      if (failed.has(renderer.name)) continue
      let files: RenderedFile[]
      try {
        files = renderer.render(item, settings)
      } catch (error) {
        failed.add(renderer.name)
        note([templateDiagnostic(renderer, error)])
        continue
      }
      for (const file of files) {
        const lower = file.path.toLowerCase()
        if (remember) {
          paths.push(file.path)
          folded.push(lower)
        }
        if (outputs.claim(file.path, facts.owner, diagnostics, lower) && yielding) yield file
      }
    }
    const docsAnalysis = yielding || remember ? docsAnalysisOf(item) : undefined
    remembered(
      docsAnalysis === undefined ? undefined : { item: slimmed, docs: docsAnalysis, paths, folded, facts },
    )
    compiled.push(yielding ? { item: slimmed, facts, docs: docsAnalysis } : { item: slimmed, facts })
  }
  // Every layer as parsed is no longer needed (each experiment kept what it needs): let the memory go before
  // the files made from all experiments, the most a large compile holds at once. (A memo keeps them.)
  docs.clear()
  for (const d of checkUniqueCheckpoints(compiled)) diagnostics.push(d) // a loop: one per experiment at most
  // Only for a compile that makes scripts: two experiments that clash already (a name, a script, a
  // checkpoint folder) would be reported twice over.
  if (!hasErrors(diagnostics)) {
    const subjects = compiled.map((c) => c.facts.subject)
    for (const d of checkDuplicateTraining(subjects)) diagnostics.push(d) // a loop: one per experiment at most
  }
  compiled.sort((a, b) => compareStrings(a.item.experiment.script, b.item.experiment.script))
  const experiments = compiled.map((c) => c.item)

  // render the files made from all experiments; with no error, every experiment has its README analysis
  if (!hasErrors(diagnostics)) {
    const ctx: RenderContext = {
      ...settings,
      experiments,
      docs: compiled.map((c) => c.docs as DocsAnalysis),
      ...(remember ? { memo: { before: before?.renders, after: renders } } : {}),
    }
    for (const renderer of RENDERERS) {
      let files: RenderedFile[]
      try {
        files = renderer.render(ctx)
      } catch (error) {
        diagnostics.push(templateDiagnostic(renderer, error))
        continue
      }
      for (const file of files) {
        if (!outputs.claim(file.path, { label: `the ${renderer.name}` }, diagnostics)) continue
        if (remember) shared.set(file.path, file)
        // The same text as the compile before wrote: the writer need not read it to find so.
        const known = before?.shared.get(file.path)
        const same = known !== undefined && known.content === file.content && known.mode === file.mode
        yield same ? { path: file.path, kept: true } : file
      }
    }
  }
  const summary = { experiments, diagnostics: sortDiagnostics(diagnostics), kept }
  if (!remember || hasErrors(summary.diagnostics)) return summary
  return {
    ...summary,
    memo: {
      specDir: input.specDir,
      schema: input.schema,
      schemaText: before?.schemaText ?? schemaText(input.schema),
      templateTexts: input.templates,
      validators,
      templates,
      files: loadedFiles,
      experiments: memoExperiments,
      renders,
      shared,
    },
  }
}

/** Whether a memo was made with the same schema, templates and spec folder as `input`. */
function sameSetting(memo: CompileMemo, input: CompileInput): boolean {
  if (memo.specDir !== input.specDir) return false
  // The same objects (a watching process reads them once): no need to compare their texts.
  if (memo.schema === input.schema && memo.templateTexts === input.templates) return true
  if (memo.templateTexts.size !== input.templates.size) return false
  for (const [name, text] of input.templates) if (memo.templateTexts.get(name) !== text) return false
  return memo.schemaText === schemaText(input.schema)
}

function sameLayers(a: readonly SourceDoc[], b: readonly SourceDoc[]): boolean {
  return a.length === b.length && a.every((doc, i) => doc === b[i])
}

/** Parses one spec file and checks each of its layers alone (a sweep file: its matrix, then each combination). */
function loadFile(file: string, text: string, validators: SchemaValidators): LoadedFile {
  const diagnostics: Diagnostic[] = []
  const doc = parseYaml(file, text)
  for (const d of doc.diagnostics) diagnostics.push(d)
  if (doc.diagnostics.length > 0 || !isSweep(doc)) {
    if (doc.diagnostics.length === 0)
      diagnostics.push(...validateLayer(doc, validators), ...checkSecrets(doc))
    return { text, sweep: false, layers: [[file, doc]], diagnostics }
  }
  const matrixDiagnostics = validateLayer({ ...doc, value: { matrix: doc.value.matrix ?? null } }, validators)
  diagnostics.push(...matrixDiagnostics)
  if (matrixDiagnostics.length > 0) return { text, sweep: true, layers: [], diagnostics }
  const expansion = expandMatrix(doc)
  for (const d of expansion.diagnostics) diagnostics.push(d) // a loop: one per combination, maybe more than a call takes
  const layers: [string, SourceDoc][] = []
  for (const layer of expansion.docs) {
    layers.push([layerId(layer), layer])
    diagnostics.push(...validateLayer(layer, validators), ...checkSecrets(layer))
  }
  return { text, sweep: true, layers, diagnostics }
}

function templateDiagnostic(renderer: { name: string; template: string }, error: unknown): Diagnostic {
  return {
    file: `templates/${renderer.template}`,
    line: 1,
    col: 1,
    severity: 'error',
    code: 'TEMPLATE',
    message: `rendering the ${renderer.name} failed: ${(error as Error).message}`,
  }
}

/** The sources the files rendered from all experiments, and the uniqueness check, read. */
const KEPT_SOURCES: readonly Pointer[] = [
  '/name',
  '/script',
  '/upload/namespace',
  '/upload/backend',
  '/upload/private',
  '/verl/config_dir',
]

function slim(spec: ResolvedSpec): ResolvedSpec {
  const sources = new Map<Pointer, SourceEntry>()
  for (const pointer of KEPT_SOURCES) {
    const entry = spec.sources.get(pointer)
    if (entry !== undefined) sources.set(pointer, entry)
  }
  return { ...spec, sources, deleted: new Map() }
}

function validateLayer(doc: SourceDoc, validators: SchemaValidators): Diagnostic[] {
  const withoutNulls = stripNulls(doc.value)
  const errors = validators.layer(withoutNulls)
  if (errors.length === 0) return []
  const locate: Locate = (pointer) => {
    const at = doc.positions.get(pointer)
    return { value: at?.value ?? { file: doc.file, line: 1, col: 1 }, key: at?.key }
  }
  return ajvToDiagnostics(errors, validators.schema, withoutNulls, locate)
}

/** `null` marks a deletion; the layer schema checks what is left. */
export function stripNulls(value: PlainMap): PlainMap {
  const out: PlainMap = {}
  for (const [k, v] of Object.entries(value)) {
    if (v === null) continue
    Object.defineProperty(out, k, { value: isPlainMap(v) ? stripNulls(v) : v, enumerable: true })
  }
  return out
}

function withoutLayerKeys(value: PlainMap): PlainMap {
  const { extends: _e, abstract: _a, matrix: _m, ...rest } = value
  return rest
}

/**
 * Locates a pointer of a resolved experiment: at the layer that set the value; `related` names the other
 * layers that set it before and the experiment that inherited it.
 */
export function locatorFor(spec: ResolvedSpec, docs: ReadonlyMap<string, SourceDoc>): Locate {
  return (pointer: Pointer) => {
    const deletion = spec.deleted.get(pointer)?.history
    const deletedBy = deletion?.at(-1)
    if (deletion !== undefined && deletedBy !== undefined) {
      return {
        value: deletedBy.key ?? deletedBy.position,
        deletedAt: deletedBy.key ?? deletedBy.position,
        related: deletion.slice(0, -1).map((h) => ({ ...h.position, message: 'set here before' })),
      }
    }
    let p = pointer
    while (p !== '' && !spec.sources.has(p)) p = p.slice(0, p.lastIndexOf('/'))
    const history = spec.sources.get(p)?.history ?? []
    const winner = history.at(-1)
    if (winner === undefined) return { value: leafPosition(spec, docs) }
    const key = winner.key ?? docs.get(winner.position.file)?.positions.get(p)?.key
    const related: RelatedPosition[] = history
      .slice(0, -1)
      .map((h) => ({ ...h.position, message: 'overridden here' }))
    if (winner.position.file !== spec.file) {
      related.push({
        ...leafPosition(spec, docs),
        message: `inherited by ${spec.id} (${spec.chain.join(' > ')})`,
        inheritedBy: typeof spec.value.name === 'string' ? spec.value.name : spec.id,
      })
    }
    return { value: winner.position, key, related: related.length > 0 ? related : undefined }
  }
}

function leafPosition(spec: ResolvedSpec, docs: ReadonlyMap<string, SourceDoc>): Position {
  const leaf = docs.get(spec.id)
  return leaf?.sweep?.matrix ?? leaf?.positions.get('')?.value ?? { file: spec.file, line: 1, col: 1 }
}

/**
 * Two experiments may not train into the same checkpoint folder. (Two output files at one path, scripts
 * included: `OutputPaths`.)
 */
function checkUniqueCheckpoints(
  experiments: readonly { readonly item: CompiledExperiment; readonly facts: ExperimentFacts }[],
): Diagnostic[] {
  const out: Diagnostic[] = []
  const seen = new Map<string, CompiledExperiment>()
  for (const { item, facts } of experiments) {
    const { dir } = facts
    const first = seen.get(dir)
    if (first === undefined) {
      seen.set(dir, item)
      continue
    }
    out.push({
      ...nameAt(item),
      severity: 'error',
      code: 'DUPLICATE_OUTPUT',
      message: `${item.spec.id} and ${first.spec.id} have the same checkpoint folder ${dir}`,
      suggestion: `give ${item.spec.id} its own name`,
      related: [{ ...nameAt(first), message: `${first.spec.id} sets it here` }],
    })
  }
  return out
}

/** Where an experiment's `name` is set. */
function nameAt(item: CompiledExperiment): Position {
  return item.spec.sources.get('/name')?.history.at(-1)?.position ?? { file: item.spec.file, line: 1, col: 1 }
}

/** What made an output file: an experiment (with where its script is named), or a renderer of all of them. */
interface OutputOwner {
  /** `experiments/a.yaml`, or `the checkpoint upload script`. */
  readonly label: string
  /** For an experiment: where its `script` is set (every path it makes follows from it). */
  readonly at?: Position
}

function experimentOwner(item: CompiledExperiment): OutputOwner {
  const at = item.spec.sources.get('/script')?.history.at(-1)?.position ?? {
    file: item.spec.file,
    line: 1,
    col: 1,
  }
  return { label: item.spec.id, at }
}

/**
 * Every path a compile writes, whatever renders it: two files at one path (`script: run_4b.upload.sh` makes
 * the batch file `slurm/run_4b.upload.sbatch` that `run_4b.sh`'s upload job also is), or at paths that differ
 * only in case (one file on macOS and Windows, and in a git checkout there), or a file where another needs
 * a folder, are `DUPLICATE_OUTPUT`: one file would silently replace the other. One diagnostic per pair of
 * owners, at the side that is an experiment (the later one when both are).
 */
class OutputPaths {
  /** By case-folded path. */
  readonly #files = new Map<string, { readonly path: string; readonly owner: OutputOwner }>()
  /** Case-folded folders that files stand in, with the first file in each. */
  readonly #folders = new Map<string, { readonly path: string; readonly owner: OutputOwner }>()
  readonly #reported = new Set<string>()

  /**
   * Records `path` (`folded`: it in lower case, when the caller has it) for `owner`; false, with a
   * diagnostic (one per pair of owners), when it clashes with a path claimed before: then the file must not
   * be written.
   */
  claim(path: string, owner: OutputOwner, diagnostics: Diagnostic[], folded = path.toLowerCase()): boolean {
    const clash = this.#check(path, folded, owner)
    if (clash === undefined) return true
    if (clash !== null) diagnostics.push(clash)
    return false
  }

  /** undefined: no clash (and the path is recorded); null: a clash of a pair already reported. */
  #check(path: string, folded: string, owner: OutputOwner): Diagnostic | null | undefined {
    const same = this.#files.get(folded)
    if (same !== undefined) {
      const how =
        same.path === path
          ? `both make ${path}`
          : `make ${same.path} and ${path}, which differ only in case: one file on macOS and Windows`
      return this.#clash(same, { path, owner }, how)
    }
    const folder = this.#folders.get(folded)
    if (folder !== undefined)
      return this.#clash(folder, { path, owner }, `make ${path}, and ${folder.path} in a folder of that name`)
    // Each folder above it, as the path up to each `/`.
    for (let i = folded.indexOf('/'); i !== -1; i = folded.indexOf('/', i + 1)) {
      const above = this.#files.get(folded.slice(0, i))
      if (above !== undefined)
        return this.#clash(
          above,
          { path, owner },
          `make the file ${above.path}, and ${path} in a folder of that name`,
        )
    }
    const claim = { path, owner }
    this.#files.set(folded, claim)
    for (let i = folded.indexOf('/'); i !== -1; i = folded.indexOf('/', i + 1)) {
      const dir = folded.slice(0, i)
      if (!this.#folders.has(dir)) this.#folders.set(dir, claim)
    }
    return undefined
  }

  #clash(
    first: { path: string; owner: OutputOwner },
    second: { path: string; owner: OutputOwner },
    how: string,
  ): Diagnostic | null {
    const pair = `${first.owner.label}\0${second.owner.label}`
    if (this.#reported.has(pair)) return null
    this.#reported.add(pair)
    const [here, other] = second.owner.at !== undefined ? [second, first] : [first, second]
    const at = here.owner.at ?? { file: 'templates', line: 1, col: 1 }
    const who =
      first.owner.label === second.owner.label
        ? `${first.owner.label} makes two files that clash: they ${how.replace(/^both /, '')}`
        : `${first.owner.label} and ${second.owner.label} ${how}`
    return {
      ...at,
      severity: 'error',
      code: 'DUPLICATE_OUTPUT',
      message: `${who}; one would replace the other`,
      suggestion: `give ${here.owner.label} another script name`,
      related:
        other.owner.at === undefined || other === here
          ? undefined
          : [{ ...other.owner.at, message: `${other.owner.label} sets its script here` }],
    }
  }
}
