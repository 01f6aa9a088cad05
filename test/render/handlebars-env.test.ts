// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the texts are bash, not templates
import { describe, expect, it } from 'vitest'
import { readTemplates } from '../../src/cli/package-files.js'
import {
  createTemplates,
  isPrecompiledTemplate,
  setUpOnce,
  withoutHelperLocations,
} from '../../src/render/handlebars-env.js'

describe('createTemplates: the shipped templates precompiled, any other text compiled on first use', () => {
  it('knows a template as precompiled only under its name and with exactly its shipped text', () => {
    const text = readTemplates().get('launch-lib.sh.hbs') as string
    expect(isPrecompiledTemplate('launch-lib.sh.hbs', text)).toBe(true)
    expect(isPrecompiledTemplate('launch-lib.sh.hbs', `${text}\n`)).toBe(false)
    expect(isPrecompiledTemplate('other.sh.hbs', text)).toBe(false)
  })

  it('renders a partial of changed text, compiled with its slots encoded', () => {
    const templates = createTemplates(
      new Map([
        ['partials/slurm-scripts-dir.hbs', 'dir={{target}}\n'],
        ['slurm.sbatch.hbs', '# {{name}}\n{{> slurm-scripts-dir target=script}}'],
      ]),
    )
    expect([...templates.keys()]).toEqual(['slurm.sbatch.hbs'])
    expect(templates.get('slurm.sbatch.hbs')?.({ name: 'x', script: 'run_x.sh' })).toBe('# x\ndir=run_x.sh\n')
    expect(() => templates.get('slurm.sbatch.hbs')?.({ name: 'x', script: 'a b' })).toThrow()
  })

  it('renders the shipped partial precompiled inside a changed template', () => {
    const shipped = readTemplates().get('partials/slurm-scripts-dir.hbs') as string
    const templates = createTemplates(
      new Map([
        ['partials/slurm-scripts-dir.hbs', shipped],
        ['slurm.sbatch.hbs', '{{> slurm-scripts-dir target=script}}'],
      ]),
    )
    const text = templates.get('slurm.sbatch.hbs')?.({ script: 'run_x.sh' })
    expect(text).toContain(
      '[[ -f $scripts_dir/run_x.sh ]] || scripts_dir=${SLURM_SUBMIT_DIR:-$PWD}/dist-scripts\n',
    )
  })

  it('a broken template fails when it is rendered, not when the set is made', () => {
    const templates = createTemplates(new Map([['launch.sh.hbs', '{{#each name}}\n']]))
    expect(() => templates.get('launch.sh.hbs')?.({ name: [] })).toThrow(/Parse error|Expecting/)
  })
})

describe('setUpOnce: a template sets up its helpers and partials on its first render only', () => {
  it('runs the runtime set-up once for its own renders, and for each render as a partial', () => {
    const calls: boolean[] = []
    const template = Object.assign((view: object) => JSON.stringify(view), {
      _setup: (options: { partial?: boolean }) => void calls.push(options.partial === true),
    })
    const once = setUpOnce(template)
    for (let i = 0; i < 3; i++) template._setup({})
    template._setup({ partial: true })
    template._setup({ partial: true })
    expect(calls).toEqual([false, true, true])
    expect(once).toBe(template)
  })

  it('leaves a template without a set-up as it is', () => {
    const template = (view: object) => JSON.stringify(view)
    expect(setUpOnce(template)).toBe(template)
    expect(Object.keys(template)).toEqual([])
  })
})

describe('setUpOnce with the Handlebars runtime', () => {
  it('renders a template and its partial the same on later renders as on the first', async () => {
    const { default: Handlebars } = await import('handlebars')
    const hb = Handlebars.create()
    hb.registerHelper('up', (s: string) => s.toUpperCase())
    const spec = (text: string) => new Function(`return ${hb.precompile(text, { strict: true })}`)()
    hb.registerPartial('p', hb.template(spec('[{{up x}}]')))
    const once = setUpOnce(hb.template(spec('{{#each xs}}{{up this}}{{> p x=this}}{{/each}}')))
    const renders = [['a'], ['b', 'c'], ['d']].map((xs) => once({ xs }))
    expect(renders).toEqual(['A[A]', 'B[B]C[C]', 'D[D]'])
  })
})

describe('withoutHelperLocations: helper calls pass no source location', () => {
  it('gives helpers, in blocks too, options without loc, and still names the line of a missing field', async () => {
    const { default: Handlebars } = await import('handlebars')
    const hb = withoutHelperLocations(Handlebars.create())
    const seen: unknown[] = []
    hb.registerHelper('see', (x: string, options: { loc?: unknown; hash: object }) => {
      seen.push(options.loc, options.hash)
      return x
    })
    const text = '{{see top}}{{#each xs}}{{see this n=1}}{{/each}}\n{{missing}}'
    const render = hb.compile(text, { strict: true })
    expect(() => render({ top: 't', xs: ['a'] })).toThrow('"missing" not defined in [object Object] - 2:2')
    expect(seen).toEqual([undefined, {}, undefined, { n: 1 }])
    const spec = new Function(`return ${hb.precompile(text, { strict: true })}`)()
    expect(hb.template(spec)({ top: 'T', xs: ['b'], missing: '!' })).toBe('Tb\n!')
  })
})
