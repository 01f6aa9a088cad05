import { describe, expect, it } from 'vitest'
import type { Experiment } from '../../src/generated/experiment.js'
import { checkDuplicateTraining, hashValue } from '../../src/validate/duplicate-training.js'

// In-process rules of the DUPLICATE_TRAINING check (duplicate-training.test.ts runs it through compiles).
// Every experiment is built inside its test: the check keeps each experiment's hash in a WeakMap.

/** Two strings whose 32-bit hashes meet (FNV-1a, 0x15fef700): the check must still compare them in full. */
const [CLASH_A, CLASH_B] = ['nakmvxxv', 'tbdxatiq']

/** An experiment with the fields the check reads; `more` replaces top-level fields. */
function experiment(name: string, more: Record<string, unknown> = {}): Experiment {
  return {
    name,
    script: `run_${name}.sh`,
    model: { path: 'Qwen/Qwen3-4B', label: 'Qwen3 4B' },
    data: { train_file: 'train.parquet' },
    reward: { use_uncertainty: true, uncertain_file: 'uncertain.py', plain_file: 'plain.py' },
    training: { lr: 1e-6, batch_size: 64, epochs: 2 },
    trainer: { nodes: 1, gpus_per_node: 8, checkpoint_root: '/ck', logger: ['console'] },
    estimate: { seconds_per_step: 50 },
    verl_overrides: { 'data.seed': 7, 'actor_rollout_ref.rollout.stop': ['</answer>', '\n\n'] },
    ...more,
  } as unknown as Experiment
}

const check = (...experiments: Experiment[]) =>
  checkDuplicateTraining(
    experiments.map((experiment, i) => ({ experiment, nameAt: { file: `e${i}.yaml`, line: i + 1, col: 7 } })),
  )

/** `file:line name and name` of each warning. */
const pairs = (...experiments: Experiment[]) =>
  check(...experiments).map((d) => `${d.file}:${d.line} ${d.message.split(' train with')[0]}`)

describe('duplicate training, rule by rule', () => {
  it('names, paths, logging, keys in another order, undefined values and defaults written out do not make a run different', () => {
    const twin = experiment('twin', {
      description: 'the same run',
      // Another order, the default mini-batch (the batch size) and release written out.
      training: { epochs: 2, ppo_mini_batch_size: 64, batch_size: 64, lr: 1e-6, warmup: undefined },
      reward: { plain_file: 'other_plain.py', uncertain_file: 'uncertain.py', use_uncertainty: true },
      trainer: { gpus_per_node: 8, nodes: 1, checkpoint_root: '/elsewhere', logger: ['wandb'] },
      verl: { version: '0.9.0' },
      verl_overrides: { 'actor_rollout_ref.rollout.stop': ['</answer>', '\n\n'], 'data.seed': 7 },
    })
    const d = check(experiment('base'), twin)
    expect(d).toEqual([
      {
        file: 'e1.yaml',
        line: 2,
        col: 7,
        severity: 'warning',
        code: 'DUPLICATE_TRAINING',
        message:
          'twin and base train with the same settings (they differ only in names, paths, scheduling or docs): the same run twice',
        suggestion: 'remove one of them, or change a training setting of twin',
        related: [{ file: 'e0.yaml', line: 1, col: 7, message: 'base is named here' }],
      },
    ])
  })

  it('the plain reward file counts when it is the one in use', () => {
    const plain = (name: string, file: string) =>
      experiment(name, { reward: { use_uncertainty: false, uncertain_file: 'u.py', plain_file: file } })
    expect(pairs(plain('a', 'plain.py'), plain('b', 'other.py'))).toEqual([])
    expect(pairs(plain('a', 'plain.py'), plain('b', 'plain.py'))).toEqual(['e1.yaml:2 b and a'])
    // The uncertain file is then not in use: another one does not make a run different.
    const uncertain = experiment('c', {
      reward: { use_uncertainty: false, uncertain_file: 'v.py', plain_file: 'plain.py' },
    })
    expect(pairs(plain('a', 'plain.py'), uncertain)).toEqual(['e1.yaml:2 c and a'])
  })

  it('gives the GPU-hours when the spec can say: 6,400 rows / 64 × 2 epochs × 50 s × 8 GPUs = 22 GPU-hours', () => {
    const rows = { data: { train_file: 'train.parquet', train_rows: 6400 } }
    const [d] = check(experiment('a', rows), experiment('b', rows))
    expect(d?.message).toBe(
      'b and a train with the same settings (they differ only in names, paths, scheduling or docs): the same run twice (about 22 GPU-hours)',
    )
  })

  it('a null setting equals null', () => {
    const nulls = { verl_overrides: { 'data.seed': null } }
    expect(pairs(experiment('a', nulls), experiment('b', nulls))).toEqual(['e1.yaml:2 b and a'])
  })

  it.each([
    ['a string', { training: { lr: 1e-6, batch_size: 64, epochs: 2, optim: CLASH_A } }],
    ['a list item', { verl_overrides: { stop: ['same', CLASH_A] } }],
    ['a nested map value', { reward: { use_uncertainty: true, kw: { a: 'same', b: CLASH_A } } }],
    ['a nested map key', { reward: { use_uncertainty: true, kw: { [CLASH_A]: 1 } } }],
  ])('settings whose hashes meet but that differ in %s are different runs', (_what, first) => {
    expect(hashValue(CLASH_A, undefined)).toBe(0x15fef700)
    expect(hashValue(CLASH_B, undefined)).toBe(0x15fef700)
    // The second experiment: the first with CLASH_A replaced by CLASH_B.
    const second = JSON.parse(JSON.stringify(first).replaceAll(CLASH_A, CLASH_B)) as Record<string, unknown>
    expect(pairs(experiment('a', first), experiment('b', second))).toEqual([])
  })

  it('finds an experiment equal to any earlier one whose hash met it, the first or a later one', () => {
    const clash = (name: string, s: string) =>
      experiment(name, { training: { lr: 1e-6, batch_size: 64, epochs: 2, optim: s } })
    expect(pairs(clash('a', CLASH_A), clash('b', CLASH_B), clash('c', CLASH_A), clash('d', CLASH_B))).toEqual(
      ['e2.yaml:3 c and a', 'e3.yaml:4 d and b'],
    )
  })

  it('a list with one item more is a different run, even when the hashes meet', () => {
    // FNV-1a of 'foazatum' is the one value that leaves a list's seed unchanged: [] and ['foazatum'] hash alike.
    expect(hashValue([], undefined)).toBe(0x9e3779b9)
    expect(hashValue(['foazatum'], undefined)).toBe(0x9e3779b9)
    const stop = (name: string, items: string[]) => experiment(name, { verl_overrides: { stop: items } })
    expect(pairs(stop('a', []), stop('b', ['foazatum']))).toEqual([])
  })

  it('a map with one key more is a different run, even when that key adds nothing to the hash', () => {
    // A key whose value is its own name adds 0 to a map's hash: {lr: 8} and {lr: 8, x: 'x'} both hash 0x097a5e6d.
    expect(hashValue({ lr: 8 }, undefined)).toBe(0x097a5e6d)
    expect(hashValue({ lr: 8, x: 'x' }, undefined)).toBe(0x097a5e6d)
    const kw = (more: Record<string, unknown>) => ({
      reward: { use_uncertainty: true, kw: { lr: 8, ...more } },
    })
    expect(pairs(experiment('a', kw({})), experiment('b', kw({ x: 'x' })))).toEqual([])
    expect(pairs(experiment('a', kw({ x: 'x' })), experiment('b', kw({})))).toEqual([])
  })
})

describe('the settings hash', () => {
  it('is FNV-1a 32 for a string: the published vectors', () => {
    expect(hashValue('', undefined)).toBe(0x811c9dc5)
    expect(hashValue('a', undefined)).toBe(0xe40c292c)
    expect(hashValue('foobar', undefined)).toBe(0xbf9cf968)
  })

  it('seeds with the type: 8, "8" and true differ', () => {
    expect(hashValue('8', undefined)).toBe(0x3d0cb547)
    expect(hashValue(8, undefined)).toBe(0x00d97c31)
    expect(hashValue(true, undefined)).toBe(0x85b18f39)
  })

  it("hashes a list in order and a map's keys in any order", () => {
    expect(hashValue(['a', 'b'], undefined)).toBe(0x932e7bde)
    expect(hashValue(['b', 'a'], undefined)).toBe(0x0eb50568)
    expect(hashValue({ a: 'x', b: 'y' }, undefined)).toBe(0xe4632b77)
    expect(hashValue({ b: 'y', a: 'x' }, undefined)).toBe(0xe4632b77)
  })

  it('leaves out skipped fields and undefined values', () => {
    const skip = new Map([['name', true as const]])
    expect(hashValue({ name: 'x', a: 'x', b: 'y', c: undefined }, skip)).toBe(0xe4632b77)
  })
})
