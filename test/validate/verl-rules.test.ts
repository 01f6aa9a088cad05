import { describe, expect, it } from 'vitest'
import { isVerlKey } from '../../src/validate/verl-rules.js'
import { compileTexts } from '../helpers/compile-repo.js'
import { BASE } from '../helpers/inline-specs.js'

const LEAF = 'extends: ./base.yaml\nname: a\nscript: run_a.sh\n'

/** `file:line:col CODE | message | suggestion` of each error. */
const errors = (specs: Record<string, string>) =>
  compileTexts(specs)
    .diagnostics.filter((d) => d.severity === 'error')
    .map((d) => `${d.file}:${d.line}:${d.col} ${d.code} | ${d.message} | ${d.suggestion}`)

describe('VERL keys and start-up checks', () => {
  it('a key of any supported release is a VERL key (the secrets check leaves it alone)', () => {
    // Only in 0.8.0, only in 0.9.0, in neither.
    expect(isVerlKey('actor_rollout_ref.actor.checkpoint.mbridge_config')).toBe(true)
    expect(isVerlKey('actor_rollout_ref.actor.entropy_from_logits_chunk_size')).toBe(true)
    expect(isVerlKey('nope.key')).toBe(false)
  })

  it('a failed check points at the field the experiment itself set, of those it blames', () => {
    expect(
      errors({ 'experiments/base.yaml': BASE, 'experiments/a.yaml': `${LEAF}training:\n  batch_size: 16\n` }),
    ).toEqual([
      'experiments/a.yaml:5:15 VERL_CHECK | actor.ppo_mini_batch_size 32 exceeds data.train_batch_size 16; VERL 0.9.0 refuses it at start-up (verl/workers/config/actor.py:229) | lower PPO_MINI_BATCH (training.ppo_mini_batch_size) to at most BATCH_SIZE',
    ])
  })

  it('a field overridden in a middle layer and inherited from there is inherited too', () => {
    const mid = 'extends: ./base.yaml\nabstract: true\ntraining:\n  batch_size: 16\n'
    const leaf = 'extends: ./mid.yaml\nname: a\nscript: run_a.sh\n'
    expect(
      errors({ 'experiments/base.yaml': BASE, 'experiments/mid.yaml': mid, 'experiments/a.yaml': leaf }),
    ).toEqual([
      'experiments/base.yaml:22:24 VERL_CHECK | actor.ppo_mini_batch_size 32 exceeds data.train_batch_size 16; VERL 0.9.0 refuses it at start-up (verl/workers/config/actor.py:229) | lower PPO_MINI_BATCH (training.ppo_mini_batch_size) to at most BATCH_SIZE',
    ])
  })

  it('when every field it blames is inherited, at the one it blames first', () => {
    const base = BASE.replace('batch_size: 64', 'batch_size: 16')
    expect(errors({ 'experiments/base.yaml': base, 'experiments/a.yaml': LEAF })).toEqual([
      'experiments/base.yaml:22:24 VERL_CHECK | actor.ppo_mini_batch_size 32 exceeds data.train_batch_size 16; VERL 0.9.0 refuses it at start-up (verl/workers/config/actor.py:229) | lower PPO_MINI_BATCH (training.ppo_mini_batch_size) to at most BATCH_SIZE',
    ])
  })
})
