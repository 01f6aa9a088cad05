import type { Experiment } from '../generated/experiment.js'
import { docsViewOf } from '../report/docs-view.js'
import type { ResolvedSpec } from '../resolve/merge.js'
import type { TemplateFn } from './handlebars-env.js'
import { launchViewOf, type RenderedFile } from './render-experiment.js'

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
    name: 'docs README',
    template: 'README.md.hbs',
    render: (ctx) => {
      const readme = templateOf(ctx, 'README.md.hbs')
      const view = docsViewOf(ctx.experiments, { specDir: ctx.specDir, schema: ctx.schema })
      return [{ path: 'README.md', content: readme(view), mode: 0o644 as const }]
    },
  },
]
