import { describe, expect, it } from 'vitest'
import { keyProblem, splitOverrideKey } from '../../src/verl/keys.js'
import { refusalOf } from '../../src/verl/refusal.js'
import { compileChecks, ignoredEntry, type KeyKind, type VerlTarget } from '../../src/verl/target.js'

/** A release with a few keys, two typed ones and one ignored tree. */
function target(): VerlTarget {
  const keys: [string, KeyKind][] = [
    ['trainer', 'map'],
    ['trainer.nnodes', 'int'],
    ['trainer.total_epochs', 'int'],
    ['trainer.logger', 'list'],
    ['trainer.sub', 'map'],
    ['trainer.sub.deep', 'str'],
    ['trainer.a_first', 'bool'],
    ['trainer.z_last', 'bool'],
    ['trainer._target_', 'str'],
    ['data', 'map'],
    ['data.kwargs', 'map'],
    ['data.optional', 'null'],
    ['reward', 'map'],
    ['reward.path', 'str'],
  ]
  return {
    version: '9.9.9',
    tag: 'v9.9.9',
    commit: '0123456789abcdef0123',
    repo: 'https://github.com/org/verl',
    keys: new Map(keys),
    rewardPathKey: 'reward.path',
    rewardNameKey: 'reward.name',
    typedKeys: new Map([
      ['trainer.nnodes', { key: 'trainer.nnodes', from: 'trainer.nodes', fields: ['/trainer/nodes'] }],
      ['trainer.mode', { key: 'trainer.mode', from: 'always auto', fields: [] }],
    ]),
    ignored: [
      { prefix: 'reward', why: 'this release reads custom_reward_function', use: 'custom_reward_function' },
    ],
    checks: [],
    defaults: new Map(),
  }
}

describe('override keys: the prefix Hydra reads', () => {
  it('splitOverrideKey: ++, + or ~ before the key, or none', () => {
    expect(['a.b', '+a.b', '++a.b', '~a.b', '+++a', '~+a', '+'].map(splitOverrideKey)).toEqual([
      { prefix: '', key: 'a.b' },
      { prefix: '+', key: 'a.b' },
      { prefix: '++', key: 'a.b' },
      { prefix: '~', key: 'a.b' },
      { prefix: '++', key: '+a' },
      { prefix: '~', key: '+a' },
      { prefix: '+', key: '' },
    ])
  })
})

describe('which override keys a release takes (keyProblem)', () => {
  const t = target()
  it('in a spec, ++ and ~ are refused; as an extra argument they are Hydra’s', () => {
    expect(keyProblem(t, '++trainer.total_epochs', 'spec')).toEqual({
      message: '`++trainer.total_epochs`: the `++` prefix (add or override) would hide a typo',
      suggestion:
        'write `trainer.total_epochs` for a key VERL has, or `+trainer.total_epochs` to add one it lacks',
    })
    expect(keyProblem(t, '~trainer.total_epochs', 'spec')).toEqual({
      message: '`~trainer.total_epochs`: deleting a VERL key is not a setting',
      suggestion: 'remove the entry',
    })
    expect(keyProblem(t, '++trainer.total_epochs', 'argument')).toBe(undefined)
    expect(keyProblem(t, '++new.key', 'argument')).toBe(undefined)
    expect(keyProblem(t, '~trainer.total_epochs', 'argument')).toBe(undefined)
  })

  it('a key a typed field sets is refused in a spec (with the field, unless finqa always sets it)', () => {
    expect(keyProblem(t, 'trainer.nnodes', 'spec')).toEqual({
      message:
        '`trainer.nnodes` is set by finqa from a typed field (trainer.nodes); it cannot be overridden here',
      suggestion: 'set trainer.nodes instead',
    })
    expect(keyProblem(t, '+trainer.mode', 'spec')).toEqual({
      message:
        '`trainer.mode` is set by finqa from a typed field (always auto); it cannot be overridden here',
      suggestion: undefined,
    })
    expect(keyProblem(t, 'trainer.nnodes', 'argument')).toBe(undefined)
  })

  it('a key below a tree the release ignores is refused, with the key to use instead', () => {
    expect(keyProblem(t, 'reward.path', 'argument')).toEqual({
      message: '`reward.path`: this release reads custom_reward_function',
      suggestion: 'write `custom_reward_function.path`',
    })
    expect(keyProblem(t, 'reward', 'spec')).toEqual({
      message: '`reward`: this release reads custom_reward_function',
      suggestion: 'write `custom_reward_function`',
    })
    expect(ignoredEntry(t, 'rewards.x')).toBe(undefined)
    expect(ignoredEntry(t, 'reward.x')).toEqual(t.ignored[0])
  })

  it('+ on a key the config has fails in Hydra, unless its value is null', () => {
    expect(keyProblem(t, '+trainer.total_epochs', 'spec')).toEqual({
      message:
        "`+trainer.total_epochs`: VERL 9.9.9's config already has `trainer.total_epochs`, and Hydra fails on `+` for an existing key",
      suggestion: 'write `trainer.total_epochs` without the `+`',
    })
    expect(keyProblem(t, '+data.optional', 'spec')).toBe(undefined)
    expect(keyProblem(t, '+data.new_key', 'spec')).toBe(undefined)
  })

  it('a plain (or ~) key the config lacks: named with the release, and the nearest key or the + spelling', () => {
    expect(keyProblem(t, 'trainer.total_epoch', 'spec')).toEqual({
      message:
        "`trainer.total_epoch` is not a key of VERL 9.9.9's config (org/verl v9.9.9, commit 0123456789ab)",
      suggestion: 'did you mean `trainer.total_epochs`?',
    })
    expect(keyProblem(t, '~zzz.qqq', 'argument')).toEqual({
      message: "`zzz.qqq` is not a key of VERL 9.9.9's config (org/verl v9.9.9, commit 0123456789ab)",
      suggestion:
        "to add a key VERL's config lacks (an open map such as data.apply_chat_template_kwargs), write `+zzz.qqq`",
    })
  })

  it('a whole group: refused, with up to three settings below it, nearest first then by name', () => {
    expect(keyProblem(t, 'trainer', 'argument')).toEqual({
      message:
        "`trainer` is a group of VERL 9.9.9's config, not one setting: a value here would replace every setting below it, the ones finqa sets from typed fields included",
      suggestion:
        'set the keys below it one by one, e.g. `trainer.a_first`, `trainer.logger`, `trainer.nnodes`',
    })
    expect(keyProblem(t, 'trainer.sub', 'spec')).toEqual({
      message:
        "`trainer.sub` is a group of VERL 9.9.9's config, not one setting: a value here would replace every setting below it",
      suggestion: 'set the keys below it one by one, e.g. `trainer.sub.deep`',
    })
    expect(keyProblem(t, '+data.kwargs', 'argument')).toEqual({
      message:
        "`+data.kwargs`: VERL 9.9.9's config already has `data.kwargs`, and Hydra fails on `+` for an existing key",
      suggestion: 'write `data.kwargs` without the `+`',
    })
    expect(keyProblem(t, 'data.kwargs', 'spec')).toEqual({
      message:
        "`data.kwargs` is a group of VERL 9.9.9's config, not one setting: a value here would replace every setting below it",
      suggestion: 'it is an open map: add a key below it with `+data.kwargs.<name>`',
    })
    expect(keyProblem(t, '~trainer', 'argument')).toBe(undefined)
  })
})

describe('what follows a failed check: who refuses it and when', () => {
  it('each stage in words, with the source; nothing for finqa’s own checks', () => {
    const t = target()
    const stages = [
      'compose',
      'validate_config',
      'worker init',
      'first step',
      'resource pool',
      'finqa',
    ] as const
    const checks = compileChecks(
      stages.map((stage) => ({
        id: stage,
        source: 'v/x.py:9',
        stage,
        require: 'true',
        message: '',
        fix: '',
      })),
    )
    expect(checks.map((c) => refusalOf(t, c))).toEqual([
      '; VERL 9.9.9 refuses it when Hydra composes the config (v/x.py:9)',
      '; VERL 9.9.9 refuses it at start-up (v/x.py:9)',
      '; VERL 9.9.9 refuses it when its workers start, after the model load (v/x.py:9)',
      '; VERL 9.9.9 refuses it at the first training step (v/x.py:9)',
      '; VERL 9.9.9 refuses it when it places its workers on GPUs (v/x.py:9)',
      '',
    ])
  })
})
