import { describe, expect, it } from 'vitest'
import { uploadViewOf } from '../src/render/render-upload.js'
import { compileTexts, readRepoFile } from './helpers/compile-repo.js'

const BASE = readRepoFile('experiments/base.yaml')
const MODEL = readRepoFile('experiments/qwen3-4b.yaml')
const DEFAULT = readRepoFile('experiments/4b/default.yaml')

/** The shipped base and 4B layers with the default experiment, each text changeable. */
function specs(changes: { base?: string; leaf?: string; extra?: Record<string, string> } = {}) {
  return {
    'experiments/cluster.yaml': readRepoFile('experiments/cluster.yaml'),
    'experiments/base.yaml': changes.base ?? BASE,
    'experiments/qwen3-4b.yaml': MODEL,
    'experiments/4b/default.yaml': changes.leaf ?? DEFAULT,
    ...changes.extra,
  }
}

const leaf = (name: string, upload = '') =>
  `extends: ../qwen3-4b.yaml\nname: ${name}\nscript: run_${name}.sh\n${upload}`

describe('the upload section of the specs', () => {
  it('base.yaml sets namespace afeng and merger backend fsdp for every experiment', () => {
    const result = compileTexts(specs())
    expect(result.diagnostics).toEqual([])
    expect(result.experiments.map((e) => e.experiment.upload)).toEqual([
      { namespace: 'afeng', backend: 'fsdp', private: false },
    ])
    const script = result.files.find((f) => f.path === 'upload_to_hf.sh')
    expect(script?.mode).toBe(0o755)
    expect(script?.content).toContain('spec_namespace=afeng\nbackend=fsdp\nspec_private=false\n')
    expect(script?.content).not.toContain('case $exp_name in')
  })

  it('is optional: without it no upload script is generated', () => {
    const base = BASE.replace(/\nupload:\n( {2}.*\n)+/, '\n')
    const noJob = compileTexts(specs({ base, leaf: `${DEFAULT}slurm:\n  upload:\n    enabled: false\n` }))
    expect(noJob.diagnostics).toEqual([])
    expect(noJob.files.map((f) => f.path)).not.toContain('upload_to_hf.sh')
    expect(noJob.files.map((f) => f.path)).toContain('run_4b.sh')
    // A Slurm upload job without an upload section would have nothing to run: an error, not a silent skip.
    const withJob = compileTexts(specs({ base }))
    expect(withJob.diagnostics).toMatchObject([{ code: 'RULE', file: 'experiments/cluster.yaml' }])
  })

  it('admits only a shell-safe Hub namespace', () => {
    for (const bad of ['"a$(touch x)"', "'a b'", 'a--b', '-afeng', 'afeng/x']) {
      const result = compileTexts(specs({ base: BASE.replace('namespace: afeng', `namespace: ${bad}`) }))
      expect(result.diagnostics, bad).toMatchObject([
        {
          file: 'experiments/base.yaml',
          line: 43,
          col: 14,
          code: 'SCHEMA',
          message:
            '`upload.namespace` must be a Hub namespace: letters and digits, with single `.`, `_` or `-` between them',
        },
      ])
    }
  })

  it('admits only the merger backends VERL has', () => {
    const result = compileTexts(specs({ base: BASE.replace('backend: fsdp', 'backend: deepspeed') }))
    expect(result.diagnostics).toMatchObject([
      {
        file: 'experiments/base.yaml',
        line: 44,
        col: 12,
        code: 'SCHEMA',
        message: '`upload.backend` must be one of: "fsdp", "megatron"',
      },
    ])
  })

  it('rejects unknown keys in upload', () => {
    const result = compileTexts(specs({ leaf: `${DEFAULT}upload:\n  repo: x\n` }))
    expect(result.diagnostics).toMatchObject([
      { file: 'experiments/4b/default.yaml', line: 8, col: 3, code: 'UNKNOWN_KEY' },
    ])
  })

  it('a launch script may not take the name upload_to_hf.sh', () => {
    const result = compileTexts(
      specs({ leaf: DEFAULT.replace('script: run_4b.sh', 'script: upload_to_hf.sh') }),
    )
    expect(result.diagnostics).toMatchObject([
      {
        file: 'experiments/4b/default.yaml',
        line: 5,
        col: 9,
        severity: 'error',
        code: 'DUPLICATE_OUTPUT',
        message: 'script `upload_to_hf.sh` is the name of the generated checkpoint upload script',
      },
    ])
  })

  it('warns about experiment names the Hub would refuse as repo names', () => {
    const doubled = compileTexts(
      specs({ leaf: DEFAULT.replace('name: qwen3_4b_default', 'name: qwen3--4b') }),
    )
    expect(doubled.diagnostics).toMatchObject([
      {
        file: 'experiments/4b/default.yaml',
        line: 4,
        col: 7,
        severity: 'warning',
        code: 'RULE',
        message: expect.stringContaining('contains `--` or `..`'),
      },
    ])
    const long = `q${'x'.repeat(90)}`
    const tooLong = compileTexts(specs({ leaf: DEFAULT.replace('name: qwen3_4b_default', `name: ${long}`) }))
    expect(tooLong.diagnostics).toMatchObject([
      { line: 4, col: 7, severity: 'warning', code: 'RULE', message: expect.stringContaining('is too long') },
    ])
    expect(tooLong.files.map((f) => f.path)).toContain('upload_to_hf.sh')
  })
})

describe('one script for all experiments', () => {
  it('falls back to the base layer settings even when most experiments override them', () => {
    const result = compileTexts(
      specs({
        extra: {
          'experiments/4b/a.yaml': leaf('qwen3_4b_a', 'upload:\n  namespace: other\n'),
          'experiments/4b/b.yaml': leaf('qwen3_4b_b', 'upload:\n  namespace: other\n'),
        },
      }),
    )
    // a and b train as the default does (only their upload differs): a warning each, nothing more.
    expect(result.diagnostics.map((d) => `${d.severity} ${d.code}`)).toEqual([
      'warning DUPLICATE_TRAINING',
      'warning DUPLICATE_TRAINING',
    ])
    const inputs = result.experiments.flatMap(({ experiment, spec }) =>
      experiment.upload === undefined ? [] : [{ name: experiment.name, upload: experiment.upload, spec }],
    )
    const view = uploadViewOf(inputs, 'experiments')
    expect(view.defaults).toEqual({ namespace: 'afeng', backend: 'fsdp', private: 'false' })
    expect(view.cases).toEqual([
      {
        pattern: 'qwen3_4b_a | qwen3_4b_b',
        settings: { namespace: 'other', backend: 'fsdp', private: 'false' },
      },
    ])
    expect(view.sources).toEqual(['experiments/4b/a.yaml', 'experiments/4b/b.yaml', 'experiments/base.yaml'])
  })

  it('groups experiments by their settings, one case branch per group', () => {
    const result = compileTexts(
      specs({
        extra: {
          'experiments/4b/a.yaml': leaf('qwen3_4b_a', 'upload:\n  private: true\n'),
          'experiments/4b/b.yaml': leaf('qwen3_4b_b', 'upload:\n  backend: megatron\n'),
          'experiments/4b/c.yaml': leaf('qwen3_4b_c', 'upload:\n  private: true\n'),
        },
      }),
    )
    const content = result.files.find((f) => f.path === 'upload_to_hf.sh')?.content ?? ''
    expect(content).toContain(
      [
        'case $exp_name in',
        'qwen3_4b_a | qwen3_4b_c)',
        '  spec_namespace=afeng',
        '  backend=fsdp',
        '  spec_private=true',
        '  ;;',
        'qwen3_4b_b)',
        '  spec_namespace=afeng',
        '  backend=megatron',
        '  spec_private=false',
        '  ;;',
        'esac',
      ].join('\n'),
    )
  })

  it('is byte-identical across compiles and names no build machine or secret', () => {
    const a = compileTexts(specs()).files.find((f) => f.path === 'upload_to_hf.sh')
    const b = compileTexts(specs()).files.find((f) => f.path === 'upload_to_hf.sh')
    expect(a).toEqual(b)
    expect(a?.content).toMatch(/^#!\/usr\/bin\/env bash\n# Generated by finqa from the `upload` settings of /)
    expect(a?.content).toContain('Do not edit')
    expect(a?.content).toContain('\nset -euo pipefail\n')
    expect(a?.content).not.toMatch(/HF_TOKEN=|hf_[A-Za-z0-9]{10}/)
  })
})
