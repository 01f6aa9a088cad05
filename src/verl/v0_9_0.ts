import { sharedChecks } from './checks.js'
import { defineTarget } from './define.js'
import { readReleaseData } from './release-data.js'
import type { VerlTarget } from './target.js'

let target: VerlTarget | undefined

/**
 * VERL v0.9.0 (verl-project/verl tag v0.9.0). Lines below are at that tag; NOTES-v0.9.0 in the reference
 * material summarises what changed from v0.8.0.
 * Defined on first use: a compile builds only the releases its experiments target.
 */
export const V0_9_0 = (): VerlTarget =>
  (target ??= defineTarget(readReleaseData('v0.9.0'), {
    // verl/trainer/ppo/reward.py:70 reads config.reward.custom_reward_function, and main_ppo.py:168-193 no
    // longer migrates the legacy top-level keys.
    rewardPathKey: 'reward.custom_reward_function.path',
    rewardNameKey: 'reward.custom_reward_function.name',
    ignored: [
      {
        // Composed (verl/trainer/config/ppo_trainer.yaml:34, `- legacy_reward_impl`), read by nothing.
        prefix: 'custom_reward_function',
        why: 'VERL 0.9.0 composes the legacy custom_reward_function.* keys and reads none of them (main_ppo.py no longer calls migrate_legacy_reward_impl)',
        use: 'reward.custom_reward_function',
      },
      {
        prefix: 'reward_model',
        why: 'VERL 0.9.0 composes the legacy reward_model.* keys and reads none of them',
        use: 'reward.reward_model',
      },
      {
        prefix: 'sandbox_fusion',
        why: 'VERL 0.9.0 composes the legacy sandbox_fusion.* keys and reads none of them',
        use: 'reward.sandbox_fusion',
      },
    ],
    checks: sharedChecks(
      {
        batchDivisible: 'verl/utils/config.py:110',
        miniNotAboveBatch: 'verl/workers/config/actor.py:229',
        actorMicroBoth: 'verl/workers/config/actor.py:204',
        actorMicroNone: 'verl/workers/config/actor.py:211',
        actorMicroDividesMini: 'verl/workers/config/actor.py:237',
        actorMicroCoversGpus: 'verl/workers/config/actor.py:242',
        lossAggMode: 'verl/workers/config/actor.py:223',
        spNeedsRemovePadding: 'verl/workers/config/actor.py:339',
        refMicro: 'verl/utils/config.py:156 (check_mutually_exclusive, :140-146)',
        rolloutMicro: 'verl/utils/config.py:163 (check_mutually_exclusive, :140-146)',
        rolloutModeSync: 'verl/workers/config/rollout.py:279',
        rolloutWorld: 'verl/workers/engine_workers.py:653',
        miniTimesNDividesDp:
          'verl/workers/engine_workers.py:266 (mini batch × n formed at verl/trainer/ppo/v1/trainer_base.py:1674-1675)',
        rewardName: 'verl/trainer/ppo/reward.py:76',
        microDividesPerGpuMini: 'verl/workers/engine/utils.py:125',
        perGpuMicroRequired: 'verl/workers/engine_workers.py:630-631',
        rolloutPipeline: 'verl/workers/config/rollout.py:317',
        prometheusLogStats: 'verl/workers/rollout/llm_server.py:584-587',
        lrScheduler: 'verl/workers/config/optimizer.py:123',
        resourcePool: 'verl/single_controller/ray/base.py:240-242 (_check_resource_available)',
      },
      {
        // verl/workers/config/actor.py:216-222
        lossAggModes: [
          'token-mean',
          'token-sum',
          'seq-mean-token-sum',
          'seq-mean-token-mean',
          'seq-mean-token-sum-norm',
        ],
      },
    ),
  }))
