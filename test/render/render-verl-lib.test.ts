// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the texts are bash, not templates
import { describe, expect, it } from 'vitest'
import type { Experiment } from '../../src/generated/experiment.js'
import { targetsOf, verlLibFile, verlLibViewOf } from '../../src/render/render-verl-lib.js'
import { defineTarget } from '../../src/verl/define.js'

/** A made-up release with two checks: one of finqa's own without `when`, one of VERL's with `when`. */
function target() {
  return defineTarget(
    {
      version: '9.9.9',
      repo: 'https://github.com/o/r',
      tag: 'v9.9.9',
      commit: 'c0ffee',
      commitDate: null,
      source: 'test',
      keys: { 'a.n': 'int', 'a.s': 'str', 'a.f': 'float', 'r.path': 'str', 'r.name': 'str' },
      defaults: { 'a.n': 4, 'a.s': 'x y', 'a.f': null, 'r.path': null, 'r.name': 'compute_score' },
    },
    {
      rewardPathKey: 'r.path',
      rewardNameKey: 'r.name',
      ignored: [{ prefix: 'old', why: "it's unused", use: 'new' }],
      checks: [
        {
          id: 'C1',
          source: 'finqa',
          stage: 'finqa',
          require: 'a.n % job.gpus_per_node == 0',
          message: 'say "hi" $HOME `x` \\ {a.n}',
          fix: 'set a.n',
        },
        {
          id: 'C2',
          source: 'f.py:9',
          stage: 'compose',
          when: "a.s == 'x'",
          require: 'a.f >= 2',
          message: 'a.f is {a.f}',
          fix: 'raise it',
          unlessFailed: ['C1'],
        },
      ],
    },
  )
}

describe('verlLibViewOf: the view of lib/verl-<version>.sh', () => {
  it('writes each check as one bash line: the message double-quoted with its {keys} read from C', () => {
    expect(verlLibViewOf(target()).checks).toEqual([
      {
        note: 'C1: finqa',
        line:
          '(( ${C[job.gpus_per_node]} != 0 && (${C[a.n]} % ${C[job.gpus_per_node]}) == 0 )) || ' +
          'finqa_fail C1 \'\' "say \\"hi\\" \\$HOME \\`x\\` \\\\ ${C[a.n]}. Fix: set a.n"',
      },
      {
        note: 'C2: f.py:9',
        line:
          'if [[ "${C[a.s]}" == \'x\' ]]; then (( ${C[a.f]} >= 2 )) || finqa_fail C2 C1 ' +
          '"a.f is ${C[a.f]}; VERL 9.9.9 refuses it when Hydra composes the config (f.py:9). Fix: raise it"; fi',
      },
    ])
  })

  it('holds the release, the key table, the ignored keys and the defaults quoted, the whole-number keys sorted', () => {
    const view = verlLibViewOf(target())
    expect(view).toMatchObject({
      version: '9.9.9',
      repo: 'o/r',
      tag: 'v9.9.9',
      commit: 'c0ffee',
      keyTable: 'a.n=int\na.s=str\na.f=float\nr.path=str\nr.name=str',
      ignored: [{ prefix: 'old', why: "'it'\\''s unused'", use: 'new' }],
      whole: ['a.f', 'a.n'],
      defaults: ["C['a.n']=4", "C['a.s']='x y'", "C['a.f']=null"],
    })
    expect(view.knobKeys).toContainEqual({ key: 'r.path', knob: "'USE_UNCERTAINTY and REWARD_DIR'" })
    expect(view.knobKeys).toContainEqual({ key: 'data.train_batch_size', knob: 'BATCH_SIZE' })
  })

  it('targetsOf: each release the experiments use once, oldest first; no version is the newest', () => {
    const e = (version?: string) => ({ verl: version === undefined ? undefined : { version } }) as Experiment
    expect(targetsOf([e('0.9.0'), e(), e('0.8.0'), e('0.8.0')]).map((t) => t.version)).toEqual([
      '0.8.0',
      '0.9.0',
    ])
    expect(targetsOf([e()]).map((t) => t.version)).toEqual(['0.9.0'])
    expect(targetsOf([]).map((t) => t.version)).toEqual([])
    expect(verlLibFile('0.8.0')).toBe('lib/verl-0.8.0.sh')
  })
})
