import { FINQA_VERSION } from '../generated/version.js'
import { type DocsAnalysis, docsViewOf } from '../report/docs-view.js'
import type { CompiledExperiment } from './compiled-experiment.js'
import type { TemplateFn } from './handlebars-env.js'
import { launchViewOf, type RenderedFile } from './render-experiment.js'
import {
  SLURM_DIR,
  SUBMIT_ALL,
  slurmViewOf,
  submitViewOf,
  uploadEnabled,
  uploadJobViewOf,
} from './render-slurm.js'
import { UPLOAD_KEYS, UPLOAD_SCRIPT, uploadViewOf } from './render-upload.js'
import { LAUNCH_LIB, prebuiltVerlLib, targetsOf, verlLibFile, verlLibViewOf } from './render-verl-lib.js'

/** What every renderer has: the templates, and what the generated files mention. */
export interface RenderSettings {
  readonly templates: ReadonlyMap<string, TemplateFn>
  /** The spec folder as displayed, e.g. `experiments`. */
  readonly specDir: string
  /** The experiment JSON Schema: field titles and descriptions for docs. */
  readonly schema: { readonly [key: string]: unknown }
  /** The content hash of an experiment's layers, by their ids (src/load/spec-hash.ts). */
  readonly specSha256: (chain: readonly string[]) => string
}

export interface RenderContext extends RenderSettings {
  /** Sorted by script name. */
  readonly experiments: readonly CompiledExperiment[]
  /** What the README needs of each experiment, in the same order (made while its source map was at hand). */
  readonly docs: readonly DocsAnalysis[]
  /** Under `finqa compile --watch`: see `RenderMemo`. */
  readonly memo?: RenderMemo
}

/** A file made from all experiments, with what it was made from (see `renderFrom`). */
export interface RenderedFrom {
  readonly inputs: readonly unknown[]
  readonly text: string
}

/**
 * What the compile before rendered from all experiments, by renderer (`before`), and where this compile notes
 * what it renders (`after`): a file made from the same inputs as before is not rendered again. Only for a
 * compile with the same templates and spec folder as the one before.
 */
export interface RenderMemo {
  readonly before?: ReadonlyMap<string, RenderedFrom>
  readonly after: Map<string, RenderedFrom>
}

/**
 * `render()`, or under `--watch` the text of the compile before when `inputs()` (everything `render` reads
 * of the experiments, one item per experiment) equals what it was then. `inputs` is not called without a memo.
 */
function renderFrom(
  ctx: RenderContext,
  name: string,
  inputs: () => readonly unknown[],
  render: () => string,
): string {
  const memo = ctx.memo
  if (memo === undefined) return render()
  const now = inputs()
  const known = memo.before?.get(name)
  const text = known !== undefined && sameInputs(known.inputs, now) ? known.text : render()
  memo.after.set(name, { inputs: now, text })
  return text
}

/** Deep equality of plain data; the same object is equal at once (an experiment kept from the compile before). */
function sameInputs(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!sameInputs(a[i], b[i])) return false
    return true
  }
  const ka = Object.keys(a)
  if (ka.length !== Object.keys(b).length) return false
  return ka.every(
    (k) =>
      Object.hasOwn(b, k) && sameInputs((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  )
}

/**
 * What the upload script and submit_all.sh read of one experiment, made once per experiment: an edit under
 * `--watch` compares these, not the experiments.
 */
const uploadInputs = new WeakMap<CompiledExperiment, readonly unknown[]>()
const submitInputs = new WeakMap<CompiledExperiment, readonly unknown[]>()

function inputsOf(
  cache: WeakMap<CompiledExperiment, readonly unknown[]>,
  item: CompiledExperiment,
  make: (item: CompiledExperiment) => readonly unknown[],
): readonly unknown[] {
  let inputs = cache.get(item)
  if (inputs === undefined) {
    inputs = make(item)
    cache.set(item, inputs)
  }
  return inputs
}

/** uploadViewOf reads the name, the upload settings and the sources of each setting. */
const uploadInputsOf = ({ experiment, spec }: CompiledExperiment): readonly unknown[] => [
  experiment.name,
  experiment.upload,
  ...UPLOAD_KEYS.map((key) => spec.sources.get(`/upload/${key}`)),
]

/** submitViewOf reads these. */
const submitInputsOf = ({ experiment: e }: CompiledExperiment): readonly unknown[] => [
  e.name,
  e.script,
  uploadEnabled(e),
  e.slurm?.output,
  e.slurm?.error,
]

/** The files of one experiment: its launch script, batch files... A throw becomes a TEMPLATE diagnostic. */
export interface ExperimentRenderer {
  readonly name: string
  /** The template it renders, for the diagnostic's position. */
  readonly template: string
  readonly render: (item: CompiledExperiment, settings: RenderSettings) => RenderedFile[]
}

/** One file from all experiments: the upload script, submit_all.sh, the README. */
export interface Renderer {
  readonly name: string
  readonly template: string
  readonly render: (ctx: RenderContext) => RenderedFile[]
}

/**
 * The text of a file that depends only on its template and a few settings, not on the experiments (the
 * shared lib/ files): made (`render`) once per template and `key` (what the view reads: the spec folder, or
 * the VERL release), so that a watching process, which keeps its templates, neither renders nor reads
 * 70 KB of VERL checks again after every edit.
 */
const settingsOnly = new WeakMap<TemplateFn, Map<string, string>>()

function renderOnce(template: TemplateFn, key: string, render: () => string): string {
  let texts = settingsOnly.get(template)
  if (texts === undefined) {
    texts = new Map()
    settingsOnly.set(template, texts)
  }
  let text = texts.get(key)
  if (text === undefined) {
    text = render()
    texts.set(key, text)
  }
  return text
}

export function templateOf(settings: RenderSettings, name: string): TemplateFn {
  const t = settings.templates.get(name)
  if (t === undefined) throw new Error(`template ${name} is missing`)
  return t
}

/**
 * The files each experiment produces on its own. A compile renders them one experiment at a time, so that
 * it never holds every experiment's source map or every file at once. Add a renderer here for a new kind.
 */
export const EXPERIMENT_RENDERERS: readonly ExperimentRenderer[] = [
  {
    name: 'launch scripts',
    template: 'launch.sh.hbs',
    render: ({ experiment, spec }, settings) => [
      {
        path: experiment.script,
        content: templateOf(
          settings,
          'launch.sh.hbs',
        )(launchViewOf(experiment, spec.chain, settings.specDir, settings.specSha256(spec.chain))),
        mode: 0o755,
      },
    ],
  },
  {
    name: 'Slurm batch files',
    template: 'slurm.sbatch.hbs',
    render: ({ experiment, spec }, settings) => {
      const view = slurmViewOf(experiment, spec.chain, settings.specDir)
      const files: RenderedFile[] = [
        {
          path: `${SLURM_DIR}/${view.file}`,
          content: templateOf(settings, 'slurm.sbatch.hbs')(view),
          mode: 0o644,
        },
      ]
      if (uploadEnabled(experiment)) {
        const u = uploadJobViewOf(experiment, spec.chain, settings.specDir)
        const upload = templateOf(settings, 'slurm-upload.sbatch.hbs')
        files.push({ path: `${SLURM_DIR}/${u.file}`, content: upload(u), mode: 0o644 })
      }
      return files
    },
  },
]

/** The files made from all experiments together, rendered once every experiment has been. */
export const RENDERERS: readonly Renderer[] = [
  {
    name: 'launch script helpers',
    template: 'launch-lib.sh.hbs',
    render: (ctx) => {
      if (ctx.experiments.length === 0) return []
      const launchLib = templateOf(ctx, 'launch-lib.sh.hbs')
      // finqa's version is fixed for a process: the spec folder is all the view reads.
      const content = renderOnce(launchLib, ctx.specDir, () =>
        launchLib({ specDir: ctx.specDir, finqaVersion: FINQA_VERSION }),
      )
      return [{ path: LAUNCH_LIB, content, mode: 0o644 }]
    },
  },
  {
    name: 'VERL key lists and start-up checks',
    template: 'verl-lib.sh.hbs',
    render: (ctx) => {
      const lib = templateOf(ctx, 'verl-lib.sh.hbs')
      return targetsOf(ctx.experiments.map((c) => c.experiment)).map((t) => ({
        path: verlLibFile(t.version),
        // The shipped template's text for a release is made by the build; another template renders here.
        content: renderOnce(
          lib,
          t.version,
          () => (lib.shipped ? prebuiltVerlLib(t.version) : undefined) ?? lib(verlLibViewOf(t)),
        ),
        mode: 0o644 as const,
      }))
    },
  },
  {
    name: 'checkpoint upload script',
    template: 'upload_to_hf.sh.hbs',
    render: (ctx) => {
      const inputs = ctx.experiments.flatMap(({ experiment, spec }) =>
        experiment.upload === undefined ? [] : [{ name: experiment.name, upload: experiment.upload, spec }],
      )
      if (inputs.length === 0) return []
      const upload = templateOf(ctx, 'upload_to_hf.sh.hbs')
      const content = renderFrom(
        ctx,
        'upload',
        () => ctx.experiments.map((item) => inputsOf(uploadInputs, item, uploadInputsOf)),
        () => upload(uploadViewOf(inputs, ctx.specDir)),
      )
      return [{ path: UPLOAD_SCRIPT, content, mode: 0o755 as const }]
    },
  },
  {
    name: 'Slurm submit script',
    template: 'slurm-submit-all.sh.hbs',
    render: (ctx) => {
      const submit = templateOf(ctx, 'slurm-submit-all.sh.hbs')
      const content = renderFrom(
        ctx,
        'submit',
        () => ctx.experiments.map((item) => inputsOf(submitInputs, item, submitInputsOf)),
        () =>
          submit(
            submitViewOf(
              ctx.experiments.map((c) => c.experiment),
              ctx.specDir,
            ),
          ),
      )
      return [{ path: SUBMIT_ALL, content, mode: 0o755 }]
    },
  },
  {
    name: 'docs README',
    template: 'README.md.hbs',
    render: (ctx) => {
      const readme = templateOf(ctx, 'README.md.hbs')
      const view = docsViewOf(ctx.experiments, { specDir: ctx.specDir, schema: ctx.schema }, ctx.docs)
      return [{ path: 'README.md', content: readme(view), mode: 0o644 as const }]
    },
  },
]
