import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readSchema } from '../../src/cli/package-files.js'
import { explainExperiment, formatExplanation } from '../../src/report/explain.js'
import { compileTexts, REPO, readRepoFile } from '../helpers/compile-repo.js'
import { BASE, positionOf } from '../helpers/inline-specs.js'

const LAYERS = {
  'experiments/base.yaml': BASE,
  'experiments/m-4b.yaml': 'abstract: true\nextends: ./base.yaml\nmodel:\n  path: org/m-4b\n',
  'experiments/m-8b.yaml': 'abstract: true\nextends: ./base.yaml\nmodel:\n  path: org/m-8b\n',
}

const SWEEP = `matrix:
  size: [4b, 8b]
  rollout.n: [4, 8, 16]
extends: ./m-{size}.yaml
name: q_{size}_n{rollout.n}
script: run_{size}_rollout{rollout.n}.sh
description: Qwen3-{size|upper} with {rollout.n} rollouts
`

const compileSweep = (sweep: string, extra: Record<string, string> = {}) =>
  compileTexts({ ...LAYERS, 'experiments/sweep.yaml': sweep, ...extra })

/** code, file, line, col of each diagnostic. */
const where = (r: ReturnType<typeof compileSweep>) =>
  r.diagnostics.map((d) => [d.code, d.file, d.line, d.col])
const at = (text: string, needle: string, after?: string) => {
  const p = positionOf(text, needle, after)
  return [p.line, p.col]
}

describe('a sweep of 3 × 2', () => {
  const result = compileSweep(SWEEP)

  it('gives 6 experiments with the names from the template', () => {
    expect(result.diagnostics).toEqual([])
    const made = result.experiments.map(({ experiment: e }) => ({
      name: e.name,
      script: e.script,
      n: e.rollout.n,
      model: e.model.path,
      description: e.description,
    }))
    expect(made).toEqual([
      {
        name: 'q_4b_n16',
        script: 'run_4b_rollout16.sh',
        n: 16,
        model: 'org/m-4b',
        description: 'Qwen3-4B with 16 rollouts',
      },
      {
        name: 'q_4b_n4',
        script: 'run_4b_rollout4.sh',
        n: 4,
        model: 'org/m-4b',
        description: 'Qwen3-4B with 4 rollouts',
      },
      {
        name: 'q_4b_n8',
        script: 'run_4b_rollout8.sh',
        n: 8,
        model: 'org/m-4b',
        description: 'Qwen3-4B with 8 rollouts',
      },
      {
        name: 'q_8b_n16',
        script: 'run_8b_rollout16.sh',
        n: 16,
        model: 'org/m-8b',
        description: 'Qwen3-8B with 16 rollouts',
      },
      {
        name: 'q_8b_n4',
        script: 'run_8b_rollout4.sh',
        n: 4,
        model: 'org/m-8b',
        description: 'Qwen3-8B with 4 rollouts',
      },
      {
        name: 'q_8b_n8',
        script: 'run_8b_rollout8.sh',
        n: 8,
        model: 'org/m-8b',
        description: 'Qwen3-8B with 8 rollouts',
      },
    ])
    expect(result.files.map((f) => f.path).filter((p) => /^run_.*\.sh$/.test(p))).toHaveLength(6)
  })

  it('each combination is its own layer, extending the parent its template names', () => {
    const chains = result.experiments.map((x) => x.spec.chain.join(' > '))
    expect(chains).toContain(
      'experiments/base.yaml > experiments/m-8b.yaml > experiments/sweep.yaml[size=8b,rollout.n=16]',
    )
    const script = result.files.find((f) => f.path === 'run_8b_rollout16.sh')?.content ?? ''
    expect(script).toMatch(/^ROLLOUT_N=\$\{ROLLOUT_N:-16\} /m)
    expect(script).toMatch(/^MODEL_PATH=\$\{MODEL_PATH:-org\/m-8b\} /m)
    expect(script).toContain('experiments/sweep.yaml[size=8b,rollout.n=16]')
  })

  it('positions point into the sweep file: a field variable at its item, a template at its string', () => {
    const item = result.experiments.find((x) => x.experiment.name === 'q_8b_n16')
    const n = item?.spec.sources.get('/rollout/n')?.history.at(-1)
    expect(n?.position).toMatchObject({ file: 'experiments/sweep.yaml', line: 3, col: 21 })
    expect(n?.key).toMatchObject({ line: 3, col: 3 })
    const name = item?.spec.sources.get('/name')?.history.at(-1)
    expect(name).toMatchObject({
      value: 'q_8b_n16',
      position: { file: 'experiments/sweep.yaml', line: 5, col: 7 },
    })
  })
})

describe('include and exclude', () => {
  it('exclude drops matching combinations, include adds whole ones', () => {
    const r = compileSweep(
      `${SWEEP.replace(
        '  rollout.n: [4, 8, 16]\n',
        '  rollout.n: [4, 8, 16]\n  exclude:\n    - { size: 8b, rollout.n: 16 }\n    - { rollout.n: 8 }\n  include:\n    - { size: 8b, rollout.n: 32 }\n',
      )}`,
    )
    expect(r.diagnostics).toEqual([])
    expect(r.experiments.map((x) => x.experiment.name).sort()).toEqual([
      'q_4b_n16',
      'q_4b_n4',
      'q_8b_n32',
      'q_8b_n4',
    ])
  })

  it('an exclude entry that matches nothing is a warning; an unknown axis is an error', () => {
    const sweep = SWEEP.replace(
      '  rollout.n: [4, 8, 16]\n',
      '  rollout.n: [4, 8, 16]\n  exclude:\n    - { size: 2b }\n    - { sizes: 8b }\n',
    )
    const r = compileSweep(sweep)
    expect(r.diagnostics.map((d) => [d.code, d.severity, d.line, d.col])).toEqual([
      ['MATRIX_INVALID', 'warning', ...at(sweep, '{ size: 2b }')],
      ['MATRIX_INVALID', 'error', ...at(sweep, 'sizes')],
    ])
  })

  it('an include entry must give every axis', () => {
    const sweep = SWEEP.replace(
      '  rollout.n: [4, 8, 16]\n',
      '  rollout.n: [4, 8, 16]\n  include:\n    - { size: 8b }\n',
    )
    expect(where(compileSweep(sweep))).toEqual([
      ['MATRIX_INVALID', 'experiments/sweep.yaml', ...at(sweep, '{ size: 8b }')],
    ])
  })
})

describe('sweep errors are reported at the matrix line', () => {
  it('two combinations with the same name are a MATRIX_COLLISION', () => {
    const r = compileSweep(SWEEP.replace('name: q_{size}_n{rollout.n}', 'name: q_{size}'))
    // One per colliding name: q_4b and q_8b each come from three combinations.
    expect(where(r)).toEqual([
      ['MATRIX_COLLISION', 'experiments/sweep.yaml', 1, 1],
      ['MATRIX_COLLISION', 'experiments/sweep.yaml', 1, 1],
    ])
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      'the matrix gives 3 combinations the same name q_4b: size=4b,rollout.n=4; size=4b,rollout.n=8; size=4b,rollout.n=16',
      'the matrix gives 3 combinations the same name q_8b: size=8b,rollout.n=4; size=8b,rollout.n=8; size=8b,rollout.n=16',
    ])
    expect(r.diagnostics[0]?.related).toEqual([
      {
        file: 'experiments/sweep.yaml',
        ...positionOf(SWEEP, 'q_{size}'),
        endLine: 5,
        endCol: 15,
        message: 'the name template',
      },
    ])
    expect(r.files).toEqual([])
  })

  it('a name or script that no combination changes collides too', () => {
    const r = compileSweep(SWEEP.replace('script: run_{size}_rollout{rollout.n}.sh', 'script: run.sh'))
    expect(where(r)).toEqual([['MATRIX_COLLISION', 'experiments/sweep.yaml', 1, 1]])
  })

  it('an empty axis, or an exclude that removes everything, is a MATRIX_EMPTY', () => {
    expect(where(compileSweep(SWEEP.replace('[4, 8, 16]', '[]')))).toEqual([
      ['MATRIX_EMPTY', 'experiments/sweep.yaml', 1, 1],
    ])
    const all = SWEEP.replace(
      '  rollout.n: [4, 8, 16]\n',
      '  rollout.n: [4, 8, 16]\n  exclude:\n    - { size: 4b }\n    - { size: 8b }\n',
    )
    expect(where(compileSweep(all))).toEqual([['MATRIX_EMPTY', 'experiments/sweep.yaml', 1, 1]])
  })

  it('a sweep file whose matrix is not at line 1 reports at its line', () => {
    const sweep = `# a comment\nname: q_{size}\nscript: run_{size}.sh\nextends: ./m-4b.yaml\n\nmatrix:\n  size: []\n`
    expect(where(compileSweep(sweep))).toEqual([['MATRIX_EMPTY', 'experiments/sweep.yaml', 6, 1]])
  })
})

describe('sweep mistakes keep their positions', () => {
  it('a template naming no variable is a MATRIX_TEMPLATE at the string', () => {
    const sweep = SWEEP.replace('Qwen3-{size|upper}', 'Qwen3-{model}')
    expect(where(compileSweep(sweep))).toEqual([
      ['MATRIX_TEMPLATE', 'experiments/sweep.yaml', ...at(sweep, 'Qwen3-{model}')],
    ])
    const filter = SWEEP.replace('{size|upper}', '{size|title}')
    expect(where(compileSweep(filter))).toEqual([
      ['MATRIX_TEMPLATE', 'experiments/sweep.yaml', ...at(filter, 'Qwen3-')],
    ])
  })

  it("an invalid value in one combination is a schema error at that value's item", () => {
    const sweep = SWEEP.replace('[4, 8, 16]', '[4, 0, 16]')
    const r = compileSweep(sweep)
    expect(where(r)).toEqual([['SCHEMA', 'experiments/sweep.yaml', ...at(sweep, '0', 'rollout.n')]])
    expect(r.diagnostics[0]?.message).toContain('`rollout.n` must be >= 1')
  })

  it('an axis naming no field is an UNKNOWN_KEY at the axis', () => {
    const sweep = SWEEP.replace('rollout.n: [4, 8, 16]', 'rollout.nn: [4, 8, 16]').replaceAll(
      '{rollout.n}',
      '{rollout.nn}',
    )
    const r = compileSweep(sweep)
    expect(where(r)).toEqual([['UNKNOWN_KEY', 'experiments/sweep.yaml', ...at(sweep, 'rollout.nn')]])
    expect(r.diagnostics[0]?.suggestion).toBe('did you mean `n`?')
  })

  it('a rule that fails for one combination points at the layer that broke it, inherited by the combination', () => {
    // 60 prompts × 1 rollout = 60 samples: not divisible by 8 GPUs; 60 × 2 = 120 is.
    const sweep = `${SWEEP.replace('[4, 8, 16]', '[1, 2]')}training:\n  batch_size: 60\n`
    const r = compileSweep(sweep)
    // Both sizes fail the same way at the same place: reported once.
    expect(where(r)).toEqual([['VERL_CHECK', 'experiments/sweep.yaml', ...at(sweep, '60')]])
    expect(r.diagnostics[0]?.message).toContain('data.train_batch_size × rollout.n = 60 × 1 is not divisible')
  })

  it('an axis the file also sets is a MATRIX_INVALID at the axis', () => {
    const sweep = `${SWEEP}rollout:\n  n: 5\n`
    const r = compileSweep(sweep)
    expect(where(r)).toEqual([['MATRIX_INVALID', 'experiments/sweep.yaml', 3, 3]])
    expect(r.diagnostics[0]?.related?.[0]).toMatchObject({ line: 9, col: 3 })
  })

  it('a sweep file cannot be extended or abstract', () => {
    const child = 'extends: ./sweep.yaml\nname: c\nscript: c.sh\n'
    expect(where(compileSweep(SWEEP, { 'experiments/child.yaml': child }))).toEqual([
      ['MATRIX_INVALID', 'experiments/child.yaml', 1, 10],
    ])
    const abstract = `abstract: true\n${SWEEP}`
    expect(where(compileSweep(abstract))).toEqual([['MATRIX_INVALID', 'experiments/sweep.yaml', 1, 1]])
  })

  it('a malformed matrix is a schema error at the matrix', () => {
    const sweep = SWEEP.replace('size: [4b, 8b]', 'size: 4b')
    expect(where(compileSweep(sweep)).map(([c, , l, col]) => [c, l, col])).toEqual([['SCHEMA', 2, 9]])
  })
})

describe('numbers in sweep names are spelled one way', () => {
  const sweep = `matrix:
  training.lr: [1e-6, 5.0e-6, 0.000002, 0.0003, 0.5]
extends: ./m-4b.yaml
name: q_lr{training.lr}
script: run_lr{training.lr}.sh
description: learning rate {training.lr}
`
  const r = compileSweep(sweep)

  it('names, scripts, descriptions and layer ids spell a number as explain and the README do (1e-6, not 0.000001)', () => {
    expect(r.diagnostics).toEqual([])
    expect(
      r.experiments.map(({ experiment: e, spec }) => [
        e.name,
        e.script,
        e.description,
        e.training.lr,
        spec.id,
      ]),
    ).toEqual([
      ['q_lr0.5', 'run_lr0.5.sh', 'learning rate 0.5', 0.5, 'experiments/sweep.yaml[training.lr=0.5]'],
      ['q_lr1e-6', 'run_lr1e-6.sh', 'learning rate 1e-6', 1e-6, 'experiments/sweep.yaml[training.lr=1e-6]'],
      ['q_lr2e-6', 'run_lr2e-6.sh', 'learning rate 2e-6', 2e-6, 'experiments/sweep.yaml[training.lr=2e-6]'],
      // Below 0.001 a number is written with an exponent, as explain and the launch scripts write it.
      ['q_lr3e-4', 'run_lr3e-4.sh', 'learning rate 3e-4', 0.0003, 'experiments/sweep.yaml[training.lr=3e-4]'],
      ['q_lr5e-6', 'run_lr5e-6.sh', 'learning rate 5e-6', 5e-6, 'experiments/sweep.yaml[training.lr=5e-6]'],
    ])
  })

  it('explain shows the value in the spelling of the name', () => {
    const item = r.experiments.find(({ experiment: e }) => e.name === 'q_lr1e-6')
    if (item === undefined) throw new Error('q_lr1e-6 missing')
    const result = explainExperiment(item, { key: 'training.lr', schema: readSchema() })
    if (result.kind === 'unknown-key') throw new Error(result.message)
    expect(formatExplanation(result)).toContain('training.lr = 1e-6\n')
    expect(formatExplanation(result)).toContain(
      'layers: experiments/base.yaml > experiments/m-4b.yaml > experiments/sweep.yaml[training.lr=1e-6]',
    )
  })
})

describe("README's sweep example", () => {
  it('compiles beside the shipped experiments to the six experiments it promises, named as it says', () => {
    const readme = readRepoFile('README.md')
    const block = /\n### Sweeps\n[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1] ?? ''
    expect(block).toContain('# experiments/sweeps/lr.yaml: 2 sizes x 3 learning rates = 6 experiments')
    const specs: Record<string, string> = { 'experiments/sweeps/lr.yaml': block }
    for (const e of readdirSync(join(REPO, 'experiments'), { recursive: true, withFileTypes: true })) {
      if (!e.isFile()) continue
      const path = join(e.parentPath, e.name).slice(REPO.length + 1)
      specs[path] = readRepoFile(path)
    }
    const r = compileTexts(specs)
    expect(r.diagnostics).toEqual([])
    expect(
      r.experiments
        .filter(({ spec }) => spec.file === 'experiments/sweeps/lr.yaml')
        .map(({ experiment: e }) => `${e.name} ${e.script} ${e.training.lr}`),
    ).toEqual([
      'qwen3_4b_lr2e-6 run_4b_lr2e-6.sh 0.000002',
      'qwen3_4b_lr5e-6 run_4b_lr5e-6.sh 0.000005',
      'qwen3_4b_lr5e-7 run_4b_lr5e-7.sh 5e-7',
      'qwen3_8b_lr1e-5 run_8b_lr1e-5.sh 0.00001',
      'qwen3_8b_lr2e-6 run_8b_lr2e-6.sh 0.000002',
      'qwen3_8b_lr5e-7 run_8b_lr5e-7.sh 5e-7',
    ])
  })
})
