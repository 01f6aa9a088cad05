import { describe, expect, it } from 'vitest'
import type { CompiledExperiment } from '../../src/render/compiled-experiment.js'
import type { TemplateFn } from '../../src/render/handlebars-env.js'
import {
  EXPERIMENT_RENDERERS,
  RENDERERS,
  type RenderContext,
  type RenderMemo,
  templateOf,
} from '../../src/render/renderers.js'
import { compileTexts } from '../helpers/compile-repo.js'
import { BASE } from '../helpers/inline-specs.js'

const UPLOAD = 'upload:\n  namespace: afeng\n  backend: fsdp\n'

/**
 * Experiments a and b below the inline base, with an upload section unless `upload` is false; `a` adds to
 * a's layer.
 */
function experiments(upload = true, a = ''): readonly CompiledExperiment[] {
  const result = compileTexts({
    'experiments/base.yaml': upload ? BASE + UPLOAD : BASE,
    'experiments/a.yaml': `extends: ./base.yaml\nname: a\nscript: run_a.sh\ntraining:\n  epochs: 1\n${a}`,
    'experiments/b.yaml': 'extends: ./base.yaml\nname: b\nscript: run_b.sh\ntraining:\n  epochs: 2\n',
  })
  expect(result.diagnostics).toEqual([])
  return result.experiments
}

/** A template that returns `<name> <n>` for its n-th call, and counts its calls. */
function counting(name: string): TemplateFn & { calls: number } {
  const t = Object.assign(
    () => {
      t.calls++
      return `${name} ${t.calls}`
    },
    { calls: 0 },
  )
  return t
}

function renderer(name: string) {
  const r = RENDERERS.find((x) => x.name === name)
  if (r === undefined) throw new Error(name)
  return r
}

function contextOf(
  items: readonly CompiledExperiment[],
  templates: Record<string, TemplateFn>,
  memo?: RenderMemo,
  specDir = 'experiments',
): RenderContext {
  return {
    templates: new Map(Object.entries(templates)),
    specDir,
    schema: {},
    specSha256: () => '0',
    experiments: items,
    docs: [],
    ...(memo === undefined ? {} : { memo }),
  }
}

describe('RENDERERS: the files made from all experiments', () => {
  it('names a missing template', () => {
    expect(() => templateOf(contextOf([], {}), 'README.md.hbs')).toThrow('template README.md.hbs is missing')
  })

  it('makes no launch helpers without experiments, and no upload script when no experiment uploads', () => {
    const lib = counting('lib')
    expect(renderer('launch script helpers').render(contextOf([], { 'launch-lib.sh.hbs': lib }))).toEqual([])
    const upload = counting('upload')
    const items = experiments(false)
    expect(
      renderer('checkpoint upload script').render(contextOf(items, { 'upload_to_hf.sh.hbs': upload })),
    ).toEqual([])
    expect(upload.calls).toBe(0)
  })

  it('renders the launch helpers once per template and spec folder', () => {
    const lib = counting('lib')
    const items = experiments()
    const render = (specDir: string) =>
      renderer('launch script helpers').render(
        contextOf(items, { 'launch-lib.sh.hbs': lib }, undefined, specDir),
      )
    expect(render('experiments')).toEqual([{ path: 'lib/finqa-launch.sh', content: 'lib 1', mode: 0o644 }])
    expect(render('experiments')).toEqual([{ path: 'lib/finqa-launch.sh', content: 'lib 1', mode: 0o644 }])
    expect(render('specs')).toEqual([{ path: 'lib/finqa-launch.sh', content: 'lib 2', mode: 0o644 }])
    expect(lib.calls).toBe(2)
  })
})

describe('RENDERERS under --watch (RenderMemo): a file whose inputs equal the compile before keeps its text', () => {
  /** What the upload renderer read this time, from a memo of a first render. */
  function inputsNow(items: readonly CompiledExperiment[]): unknown[] {
    const after = new Map()
    renderer('checkpoint upload script').render(
      contextOf(items, { 'upload_to_hf.sh.hbs': counting('first') }, { after }),
    )
    return structuredClone(after.get('upload').inputs)
  }

  /** The upload script's text when the compile before read `before` and left `old`. */
  function uploadText(items: readonly CompiledExperiment[], before: unknown[]) {
    const after = new Map()
    const upload = counting('upload')
    const memo: RenderMemo = { before: new Map([['upload', { inputs: before, text: 'old' }]]), after }
    const [file] = renderer('checkpoint upload script').render(
      contextOf(items, { 'upload_to_hf.sh.hbs': upload }, memo),
    )
    expect(after.get('upload').text).toBe(file?.content)
    return file?.content
  }

  it('keeps the text when the inputs are equal (a deep copy, not the same objects)', () => {
    const items = experiments()
    expect(uploadText(items, inputsNow(items))).toBe('old')
  })

  it('renders again when a value, a list length, a key, an object for a list or null for an object differs', () => {
    const items = experiments()
    type Item = [string, Record<string, unknown>, ...unknown[]]
    type Inputs = [Item, Item]
    const changed = (change: (inputs: Inputs) => void) => {
      const inputs = inputsNow(items) as Inputs
      change(inputs)
      return uploadText(items, inputs)
    }
    expect(
      changed((i) => {
        i[1][0] = 'c'
      }),
    ).toBe('upload 1')
    expect(changed((i) => i.pop())).toBe('upload 1')
    expect(changed((i) => i[0]?.push('more'))).toBe('upload 1')
    expect(
      changed((i) => {
        i[0][1] = { ...i[0][1], extra: 1 }
      }),
    ).toBe('upload 1')
    expect(
      changed((i) => {
        const { namespace, ...rest } = i[0][1]
        i[0][1] = { ...rest, namespaces: namespace }
      }),
    ).toBe('upload 1')
    expect(
      changed((i) => {
        i[0][1] = { ...i[0][1], backend: 'megatron' }
      }),
    ).toBe('upload 1')
    expect(
      changed((i) => {
        const { namespace: _, ...fewer } = i[0][1]
        i[0][1] = fewer
      }),
    ).toBe('upload 1')
    expect(
      changed((i) => {
        ;(i as unknown[])[0] = { ...i[0] }
      }),
    ).toBe('upload 1')
    expect(
      changed((i) => {
        i[0][1] = null as unknown as Record<string, unknown>
      }),
    ).toBe('upload 1')
  })

  it('keeps submit_all.sh when what it reads is equal, and renders it again when not', () => {
    const items = experiments()
    const after = new Map()
    const submit = counting('submit')
    const render = (memo: RenderMemo) =>
      renderer('Slurm submit script').render(contextOf(items, { 'slurm-submit-all.sh.hbs': submit }, memo))
    expect(render({ after })).toEqual([{ path: 'slurm/submit_all.sh', content: 'submit 1', mode: 0o755 }])
    expect(render({ before: after, after: new Map() })[0]?.content).toBe('submit 1')
    const inputs = structuredClone(after.get('submit').inputs)
    inputs[1][1] = 'run_other.sh'
    const before = new Map([['submit', { inputs, text: 'old' }]])
    expect(render({ before, after: new Map() })[0]?.content).toBe('submit 2')
  })

  it('renders the upload script again when only the file that sets a setting changed (its header names them)', () => {
    const after = new Map()
    const upload = counting('upload')
    const render = (items: readonly CompiledExperiment[], memo: RenderMemo) =>
      renderer('checkpoint upload script').render(contextOf(items, { 'upload_to_hf.sh.hbs': upload }, memo))
    expect(render(experiments(), { after })[0]?.content).toBe('upload 1')
    const sameValue = experiments(true, 'upload:\n  namespace: afeng\n')
    expect(render(sameValue, { before: after, after: new Map() })[0]?.content).toBe('upload 2')
  })
})

describe('EXPERIMENT_RENDERERS and the VERL lib', () => {
  it('makes an upload batch file only for an experiment whose upload job is enabled', () => {
    const slurm = EXPERIMENT_RENDERERS.find((r) => r.name === 'Slurm batch files')
    const templates = { 'slurm.sbatch.hbs': counting('train'), 'slurm-upload.sbatch.hbs': counting('upload') }
    const [a, b] = experiments(true, 'slurm:\n  upload:\n    enabled: true\n')
    if (a === undefined || b === undefined || slurm === undefined) throw new Error('missing')
    expect(slurm.render(a, contextOf([], templates)).map((f) => f.path)).toEqual([
      'slurm/run_a.sbatch',
      'slurm/run_a.upload.sbatch',
    ])
    expect(slurm.render(b, contextOf([], templates)).map((f) => f.path)).toEqual(['slurm/run_b.sbatch'])
  })

  it('renders a VERL lib once per release, whatever the spec folder (it names none)', () => {
    const lib = counting('verl')
    const items = experiments(true, "verl:\n  version: '0.8.0'\n")
    const render = (specDir: string) =>
      renderer('VERL key lists and start-up checks')
        .render(contextOf(items, { 'verl-lib.sh.hbs': lib }, undefined, specDir))
        .map((f) => `${f.path} ${f.content}`)
    expect(render('experiments')).toEqual(['lib/verl-0.8.0.sh verl 1', 'lib/verl-0.9.0.sh verl 2'])
    expect(render('experiments')).toEqual(['lib/verl-0.8.0.sh verl 1', 'lib/verl-0.9.0.sh verl 2'])
    expect(render('specs')).toEqual(['lib/verl-0.8.0.sh verl 1', 'lib/verl-0.9.0.sh verl 2'])
  })
})
