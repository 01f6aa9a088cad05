// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the texts are bash, not templates
import { describe, expect, it } from 'vitest'
import { readTemplates } from '../../src/cli/package-files.js'
import { createTemplates, isPrecompiledTemplate } from '../../src/render/handlebars-env.js'

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
