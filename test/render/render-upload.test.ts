import { describe, expect, it } from 'vitest'
import { uploadViewOf } from '../../src/render/render-upload.js'
import { compileTexts } from '../helpers/compile-repo.js'
import { BASE } from '../helpers/inline-specs.js'

/** An experiment layer `experiments/<name>.yaml` below `parent`, with more YAML after its `script`. */
const leaf = (name: string, parent = 'base.yaml', more = '') =>
  `extends: ./${parent}\nname: ${name}\nscript: run_${name}.sh\n${more}`

/**
 * The view of the upload script of these spec files (`experiments/<path>`), compiled without errors (the
 * experiments train alike: DUPLICATE_TRAINING warnings).
 */
function viewOf(files: Record<string, string>) {
  const result = compileTexts(
    Object.fromEntries(Object.entries(files).map(([path, text]) => [`experiments/${path}`, text])),
  )
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
  // Reversed: the view sorts the experiments by name itself.
  return uploadViewOf(
    [...result.experiments]
      .reverse()
      .flatMap(({ experiment, spec }) =>
        experiment.upload === undefined ? [] : [{ name: experiment.name, upload: experiment.upload, spec }],
      ),
    'experiments',
  )
}

const UPLOAD = 'upload:\n  namespace: afeng\n  backend: fsdp\n  private: false\n'

describe('uploadViewOf: the settings of the one upload script', () => {
  it('gives experiments whose settings differ from the defaults a case each, grouped by equal settings', () => {
    const view = viewOf({
      'base.yaml': BASE + UPLOAD,
      'zeta.yaml': leaf('zeta', 'base.yaml', 'upload:\n  namespace: other\n'),
      'alpha.yaml': leaf('alpha', 'base.yaml', 'upload:\n  namespace: other\n'),
      'mid.yaml': leaf('mid', 'base.yaml', 'upload:\n  private: true\n'),
      'plain.yaml': leaf('plain'),
      'mega.yaml': leaf('mega', 'base.yaml', 'upload:\n  backend: megatron\n'),
    })
    expect(view).toEqual({
      script: 'upload_to_hf.sh',
      sources: [
        'experiments/alpha.yaml',
        'experiments/base.yaml',
        'experiments/mega.yaml',
        'experiments/mid.yaml',
        'experiments/zeta.yaml',
      ],
      specDir: 'experiments',
      defaults: { namespace: 'afeng', backend: 'fsdp', private: 'false' },
      cases: [
        { pattern: 'alpha | zeta', settings: { namespace: 'other', backend: 'fsdp', private: 'false' } },
        { pattern: 'mega', settings: { namespace: 'afeng', backend: 'megatron', private: 'false' } },
        { pattern: 'mid', settings: { namespace: 'afeng', backend: 'fsdp', private: 'true' } },
      ],
      experiments: ['alpha', 'mega', 'mid', 'plain', 'zeta'],
    })
  })

  it('takes the defaults from the base layers, even when every experiment overrides them', () => {
    const view = viewOf({
      'base.yaml': BASE + UPLOAD,
      'a.yaml': leaf('a', 'base.yaml', 'upload:\n  namespace: mine\n  private: true\n'),
      'b.yaml': leaf('b', 'base.yaml', 'upload:\n  namespace: mine\n  private: true\n'),
    })
    expect(view.defaults).toEqual({ namespace: 'afeng', backend: 'fsdp', private: 'false' })
    expect(view.cases).toEqual([
      { pattern: 'a | b', settings: { namespace: 'mine', backend: 'fsdp', private: 'true' } },
    ])
  })

  it('counts an experiment whose base leaves `private` out with its own value; no `private` at all is false', () => {
    const view = viewOf({
      'base.yaml': `${BASE}upload:\n  namespace: afeng\n  backend: fsdp\n`,
      'a.yaml': leaf('a', 'base.yaml', 'upload:\n  private: true\n'),
      'b.yaml': leaf('b', 'base.yaml', 'upload:\n  private: true\n'),
      'c.yaml': leaf('c'),
    })
    expect(view.defaults).toEqual({ namespace: 'afeng', backend: 'fsdp', private: 'true' })
    expect(view.cases).toEqual([
      { pattern: 'c', settings: { namespace: 'afeng', backend: 'fsdp', private: 'false' } },
    ])
  })

  it('when the root layers disagree, takes the most common value; a tie goes to the first experiment by name', () => {
    const other = `${BASE}upload:\n  namespace: lab\n  backend: megatron\n`
    const most = viewOf({
      'base.yaml': BASE + UPLOAD,
      'other.yaml': other,
      'a.yaml': leaf('a'),
      'b.yaml': leaf('b', 'other.yaml'),
      'c.yaml': leaf('c', 'other.yaml'),
    })
    expect(most.defaults).toEqual({ namespace: 'lab', backend: 'megatron', private: 'false' })
    expect(most.cases).toEqual([
      { pattern: 'a', settings: { namespace: 'afeng', backend: 'fsdp', private: 'false' } },
    ])
    const tie = viewOf({
      'base.yaml': BASE + UPLOAD,
      'other.yaml': other,
      'b.yaml': leaf('b'),
      'a.yaml': leaf('a', 'other.yaml'),
    })
    expect(tie.defaults).toEqual({ namespace: 'lab', backend: 'megatron', private: 'false' })
    expect(tie.cases).toEqual([
      { pattern: 'b', settings: { namespace: 'afeng', backend: 'fsdp', private: 'false' } },
    ])
  })

  it('needs at least one experiment', () => {
    expect(() => uploadViewOf([], 'experiments')).toThrow('defaultSettings needs at least one experiment')
  })
})
