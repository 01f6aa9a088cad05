import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runScript } from './helpers/run-script.js'
import { compileShippedFor, compose, hasOmegaConf } from './verl/compose.js'

/** The seed's eight scripts and the reward folder of the shipped specs. */
const SCRIPTS = [
  'run_4b.sh',
  'run_8b.sh',
  'run_4b_no_uncertain.sh',
  'run_8b_no_uncertain.sh',
  'run_4b_rollout4.sh',
  'run_4b_rollout12.sh',
  'run_8b_rollout4.sh',
  'run_8b_rollout12.sh',
]
const REWARDS = '/mnt_out/asfeng/fin_w4/launchers/fin_text_qa'
const skip = { FINQA_SKIP_PREFLIGHT: '1' }

/** The overrides a script passes VERL (after `-m verl.trainer.main_ppo`), run with the stub python3. */
function overridesOf(script: string, env: Record<string, string> = {}, args: string[] = []): string[] {
  const run = runScript(script, { env: { ...skip, ...env }, args })
  expect(run.stderr).not.toContain(': error:')
  expect(run.calls).toHaveLength(1)
  return (run.calls[0] ?? []).slice(2)
}

describe.runIf(hasOmegaConf())(
  "every generated script composes with VERL's real config (OmegaConf, struct mode)",
  () => {
    for (const version of ['0.8.0', '0.9.0']) {
      it(`VERL ${version}: every key resolves and the reward function VERL reads is the file USE_UNCERTAINTY picks`, () => {
        const out = compileShippedFor(version)
        for (const script of SCRIPTS) {
          for (const uncertain of [true, false]) {
            const overrides = overridesOf(join(out, script), { USE_UNCERTAINTY: String(uncertain) })
            const composed = compose(version, overrides)
            expect(composed.stderr, `${script} on VERL ${version}`).toBe('')
            expect(composed.status).toBe(0)
            expect(composed.result?.reward, `${script} USE_UNCERTAINTY=${uncertain}`).toEqual({
              path: `${REWARDS}/${uncertain ? 'reward_uncertain_versatile.py' : 'reward_versatile.py'}`,
              name: 'compute_score',
            })
          }
        }
      })

      it(`VERL ${version}: each value reaches VERL with the type meant`, () => {
        const out = compileShippedFor(version)
        const env = { EXP_NAME: '1e5', MODEL_PATH: '~/models/qwen3', LR: '5e-6' }
        const run = runScript(join(out, 'run_4b.sh'), { env: { ...skip, ...env } })
        expect(run.status).toBe(0)
        const home = run.calls.length > 0 ? process.env.HOME : ''
        expect(home).toBeDefined()
        const values = compose(version, (run.calls[0] ?? []).slice(2)).result?.values ?? {}
        expect(values['trainer.experiment_name']).toEqual({ value: '1e5', type: 'str' })
        expect(values['trainer.default_local_dir']).toEqual({ value: '/checkpoints/1e5', type: 'str' })
        expect(values['actor_rollout_ref.model.path']?.type).toBe('str')
        expect(String(values['actor_rollout_ref.model.path']?.value)).toMatch(/^\/.*\/models\/qwen3$/)
        expect(values['actor_rollout_ref.actor.optim.lr']).toEqual({ value: 5e-6, type: 'float' })
        expect(values['data.train_batch_size']).toEqual({ value: 64, type: 'int' })
        expect(values['actor_rollout_ref.actor.use_kl_loss']).toEqual({ value: true, type: 'bool' })
        expect(values['actor_rollout_ref.rollout.name']).toEqual({ value: 'vllm', type: 'str' })
        expect(values['trainer.project_name']).toEqual({ value: 'fin_text_qa', type: 'str' })
        expect(values['trainer.logger']).toEqual({ value: ['console', 'wandb'], type: 'list' })
        for (const name of ['null', 'true', '007']) {
          const v = compose(version, overridesOf(join(out, 'run_4b.sh'), { EXP_NAME: name })).result?.values
          expect(v?.['trainer.experiment_name'], `EXP_NAME=${name}`).toEqual({ value: name, type: 'str' })
        }
      })
    }

    it('the composer tells the keys apart: the legacy custom_reward_function.path composes at 0.9.0 and is read by nothing', () => {
      // What every script passed before finqa targeted VERL versions: accepted by Hydra, ignored by VERL 0.9.0.
      const legacy = ['custom_reward_function.path=/r/reward.py', 'custom_reward_function.name=compute_score']
      expect(compose('0.9.0', legacy).result?.reward).toEqual({ path: null, name: 'compute_score' })
      // 0.8.0 migrates it (reward_loop.py:59-60).
      expect(compose('0.8.0', legacy).result?.reward).toEqual({ path: '/r/reward.py', name: 'compute_score' })
    })

    it("the composer refuses what Hydra refuses: an unknown key, '+' on a set key, an unquoted '~'", () => {
      expect(compose('0.9.0', ['trainer.totl_epochs=3']).status).toBe(1)
      expect(compose('0.9.0', ['+trainer.total_epochs=3']).status).toBe(1)
      expect(compose('0.9.0', ['actor_rollout_ref.model.path=~/m']).status).toBe(1)
      expect(compose('0.9.0', ["actor_rollout_ref.model.path='~/m'"]).result?.values).toEqual({
        'actor_rollout_ref.model.path': { value: '~/m', type: 'str' },
      })
      expect(compose('0.9.0', ['trainer.experiment_name=1e5']).result?.values).toEqual({
        'trainer.experiment_name': { value: 100000, type: 'float' },
      })
    })
  },
)
