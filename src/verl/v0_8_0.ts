import { sharedChecks, unpaddedBatchChecks } from './checks.js'
import { defineTarget } from './define.js'
import { readReleaseData } from './release-data.js'
import type { VerlTarget } from './target.js'

let target: VerlTarget | undefined

/**
 * VERL v0.8.0 (verl-project/verl tag v0.8.0). Lines below are at that tag; NOTES-v0.8.0 in the reference
 * material summarises how it differs from v0.9.0.
 * Defined on first use: a compile builds only the releases its experiments target.
 */
export const V0_8_0 = (): VerlTarget =>
  (target ??= defineTarget(readReleaseData('v0.8.0'), {
    // verl/trainer/ppo/reward.py:70 reads config.reward.custom_reward_function. main_ppo.py:47 first calls
    // migrate_legacy_reward_impl, which copies a top-level custom_reward_function over it whole when any of
    // its values is set (verl/experimental/reward_loop/reward_loop.py:59-60): the new spelling works as long
    // as the legacy one stays unset.
    rewardPathKey: 'reward.custom_reward_function.path',
    rewardNameKey: 'reward.custom_reward_function.name',
    ignored: [
      {
        prefix: 'custom_reward_function',
        why: 'at VERL 0.8.0 a legacy custom_reward_function.* value replaces the whole reward.custom_reward_function that finqa sets from reward.* (verl/experimental/reward_loop/reward_loop.py:59-60), dropping the reward file',
        use: 'reward.custom_reward_function',
      },
    ],
    checks: [
      ...sharedChecks(
        {
          batchDivisible: 'verl/utils/config.py:110',
          miniNotAboveBatch: 'verl/workers/config/actor.py:224',
          actorMicroBoth: 'verl/workers/config/actor.py:200',
          actorMicroNone: 'verl/workers/config/actor.py:207',
          actorMicroDividesMini: 'verl/workers/config/actor.py:232',
          actorMicroCoversGpus: 'verl/workers/config/actor.py:237',
          lossAggMode: 'verl/workers/config/actor.py:218',
          spNeedsRemovePadding: 'verl/workers/config/actor.py:327',
          refMicro: 'verl/utils/config.py:156 (check_mutually_exclusive, :140-146)',
          rolloutMicro: 'verl/utils/config.py:163 (check_mutually_exclusive, :140-146)',
          rolloutModeSync: 'verl/workers/config/rollout.py:287',
          rolloutWorld: 'verl/workers/engine_workers.py:600',
          miniTimesNDividesDp:
            'verl/workers/engine_workers.py:258 (mini batch × n formed at verl/trainer/ppo/ray_trainer.py:1311)',
          rewardName: 'verl/trainer/ppo/reward.py:76',
          microDividesPerGpuMini: 'verl/workers/engine/utils.py:91',
          perGpuMicroRequired: 'verl/workers/engine_workers.py:577-578',
          rolloutPipeline: 'verl/workers/config/rollout.py:325',
          prometheusLogStats: 'verl/workers/rollout/llm_server.py:332-334',
          lrScheduler: 'verl/workers/config/optimizer.py:123',
          resourcePool: 'verl/single_controller/ray/base.py:237-239 (_check_resource_available)',
        },
        {
          // verl/workers/config/actor.py:212-217: no token-sum at this tag
          lossAggModes: [
            'token-mean',
            'seq-mean-token-sum',
            'seq-mean-token-mean',
            'seq-mean-token-sum-norm',
          ],
        },
      ),
      ...unpaddedBatchChecks({
        miniDividesBatch: 'verl/utils/tensordict_utils.py:588',
        logProbMicro: 'verl/workers/engine/utils.py:91',
      }),
    ],
  }))
