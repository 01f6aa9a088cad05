import type { Experiment } from '../generated/experiment.js'
import { docsViewOf } from '../report/docs-view.js'
import type { ResolvedSpec } from '../resolve/merge.js'
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
import { UPLOAD_SCRIPT, uploadViewOf } from './render-upload.js'

/** A validated, concrete experiment with the layers behind it. */
export interface CompiledExperiment {
  readonly experiment: Experiment
  readonly spec: ResolvedSpec
}

export interface RenderContext {
  /** Sorted by script name. */
  readonly experiments: readonly CompiledExperiment[]
  readonly templates: ReadonlyMap<string, TemplateFn>
  /** The spec folder as displayed, e.g. `experiments`. */
  readonly specDir: string
  /** The experiment JSON Schema: field titles and descriptions for docs. */
  readonly schema: { readonly [key: string]: unknown }
}

/** One kind of output: launch scripts, batch files, docs... A throw becomes a TEMPLATE diagnostic. */
export interface Renderer {
  readonly name: string
  /** The template it renders, for the diagnostic's position. */
  readonly template: string
  readonly render: (ctx: RenderContext) => RenderedFile[]
}

export function templateOf(ctx: RenderContext, name: string): TemplateFn {
  const t = ctx.templates.get(name)
  if (t === undefined) throw new Error(`template ${name} is missing`)
  return t
}

/** Every output finqa produces, in order. Add a renderer here for a new kind of output. */
export const RENDERERS: readonly Renderer[] = [
  {
    name: 'launch scripts',
    template: 'launch.sh.hbs',
    render: (ctx) => {
      const launch = templateOf(ctx, 'launch.sh.hbs')
      return ctx.experiments.map(({ experiment, spec }) => ({
        path: experiment.script,
        content: launch(launchViewOf(experiment, spec.chain, ctx.specDir)),
        mode: 0o755 as const,
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
      return [
        { path: UPLOAD_SCRIPT, content: upload(uploadViewOf(inputs, ctx.specDir)), mode: 0o755 as const },
      ]
    },
  },
  {
    name: 'Slurm batch files',
    template: 'slurm.sbatch.hbs',
    render: (ctx) => {
      const batch = templateOf(ctx, 'slurm.sbatch.hbs')
      const upload = templateOf(ctx, 'slurm-upload.sbatch.hbs')
      const submit = templateOf(ctx, 'slurm-submit-all.sh.hbs')
      const files: RenderedFile[] = []
      for (const { experiment, spec } of ctx.experiments) {
        const view = slurmViewOf(experiment, spec.chain, ctx.specDir)
        files.push({ path: `${SLURM_DIR}/${view.file}`, content: batch(view), mode: 0o644 })
        if (uploadEnabled(experiment)) {
          const u = uploadJobViewOf(experiment, spec.chain, ctx.specDir)
          files.push({ path: `${SLURM_DIR}/${u.file}`, content: upload(u), mode: 0o644 })
        }
      }
      const experiments = ctx.experiments.map((c) => c.experiment)
      files.push({ path: SUBMIT_ALL, content: submit(submitViewOf(experiments, ctx.specDir)), mode: 0o755 })
      return files
    },
  },
  {
    name: 'docs README',
    template: 'README.md.hbs',
    render: (ctx) => {
      const readme = templateOf(ctx, 'README.md.hbs')
      const view = docsViewOf(ctx.experiments, { specDir: ctx.specDir, schema: ctx.schema })
      return [{ path: 'README.md', content: readme(view), mode: 0o644 as const }]
    },
  },
]
