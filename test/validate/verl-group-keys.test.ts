import { describe, expect, it } from 'vitest'
import verlKeys from '../../src/generated/verl/v0.9.0.json' with { type: 'json' }
import { compileTexts } from '../helpers/compile-repo.js'
import { BASE, positionOf } from '../helpers/inline-specs.js'

const leaf = (overrides: string) =>
  `extends: ./base.yaml\nname: a\nscript: run_a.sh\nverl_overrides:\n${overrides}`
const compileOverrides = (overrides: string) =>
  compileTexts({ 'experiments/base.yaml': BASE, 'experiments/a.yaml': leaf(overrides) })

const GROUPS = Object.entries(verlKeys.keys)
  .filter(
    ([key, kind]) => kind === 'map' && !/^(custom_reward_function|reward_model|sandbox_fusion)\b/.test(key),
  )
  .map(([key]) => key)

describe('a verl_overrides key that names a whole VERL config group is an error', () => {
  it.each([
    ['actor_rollout_ref', 'false'],
    ['trainer', '1'],
    ['actor_rollout_ref.actor', '[a, b]'],
    ['actor_rollout_ref.actor.optim', 'x'],
  ])('%s: %s is a VERL_KEY error at the key, and no script is written', (key, value) => {
    const spec = leaf(`  ${key}: ${value}\n`)
    const result = compileOverrides(`  ${key}: ${value}\n`)
    const at = positionOf(spec, key, 'verl_overrides')
    expect(result.diagnostics).toMatchObject([
      { file: 'experiments/a.yaml', ...at, severity: 'error', code: 'VERL_KEY' },
    ])
    expect(result.diagnostics[0]?.message).toContain('group')
    expect(result.files).toEqual([])
  })

  it('the message says when the group holds keys finqa sets from typed fields', () => {
    const result = compileOverrides('  trainer: 1\n')
    expect(result.diagnostics[0]?.message).toContain('typed fields')
    expect(result.diagnostics[0]?.suggestion).toMatch(/^set the keys below it one by one, e\.g\. `trainer\./)
  })

  it('an open map (no keys below it in VERL) suggests adding a key with +', () => {
    const result = compileOverrides('  data.apply_chat_template_kwargs: 1\n')
    expect(result.diagnostics[0]?.suggestion).toBe(
      'it is an open map: add a key below it with `+data.apply_chat_template_kwargs.<name>`',
    )
  })

  // Every group of VERL's key list, not the few above.
  it(`each of VERL's ${GROUPS.length} groups is refused, and a leaf below each is accepted`, () => {
    expect(GROUPS.length).toBeGreaterThan(50)
    const result = compileOverrides(GROUPS.map((g) => `  ${g}: 1\n`).join(''))
    const refused = result.diagnostics.filter((d) => d.code === 'VERL_KEY').map((d) => d.message)
    expect(refused).toHaveLength(GROUPS.length)
    for (const m of refused) expect(m).toContain('is a group of VERL')
    const fine = compileOverrides(
      '  trainer.val_before_train: false\n  actor_rollout_ref.actor.clip_ratio: 0.2\n',
    )
    expect(fine.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
  })

  it('a sweep that sets a group through a field variable is refused too', () => {
    const sweep =
      'extends: ./base.yaml\nname: a_{x}\nscript: run_a_{x}.sh\nmatrix:\n  x: [1]\n  verl_overrides.trainer: [1]\n'
    const result = compileTexts({ 'experiments/base.yaml': BASE, 'experiments/a.yaml': sweep })
    expect(result.diagnostics.map((d) => d.code)).toEqual(['VERL_KEY'])
  })
})
