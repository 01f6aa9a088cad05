import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO } from './helpers/compile-repo.js'
import { runScript } from './helpers/run-script.js'

const script = join(REPO, 'dist-scripts', 'run_4b.sh')
const run = (env: Record<string, string>) => runScript(script, { env: { FINQA_SKIP_PREFLIGHT: '1', ...env } })
const passed = (r: ReturnType<typeof run>, key: string) =>
  r.calls[0]?.find((a) => a.startsWith(`${key}=`))?.slice(key.length + 1)

describe('launch scripts refuse numbers Python would read as inf or 0', () => {
  for (const [name, value] of [
    ['LR', '1e400'],
    ['KL_COEF', '1e400'],
    ['LR', '1e308'],
    ['LR', '2e99999999999999999999'],
    ['KL_COEF', '0.1e309'],
    ['LR', '1e-400'],
    ['KL_COEF', '1e-330'],
  ] as const) {
    it(`${name}=${value} stops with exit 2 before anything runs`, () => {
      const r = run({ [name]: value })
      expect(r.status).toBe(2)
      expect(r.calls).toEqual([])
      expect(r.stderr).toMatch(
        new RegExp(
          `run_4b.sh: error: ${name} must be (a finite number below 1e308|0 or at least 1e-307), got '${value}'`,
        ),
      )
    })
  }

  it('numbers up to 9.9e307 and down to 1e-307, and 0 for KL_COEF, reach VERL as written', () => {
    for (const [name, key, value] of [
      ['LR', 'actor_rollout_ref.actor.optim.lr', '9.9e307'],
      ['LR', 'actor_rollout_ref.actor.optim.lr', '1e-307'],
      ['LR', 'actor_rollout_ref.actor.optim.lr', '0.0000001e-300'],
      ['LR', 'actor_rollout_ref.actor.optim.lr', '5e-6'],
      ['KL_COEF', 'actor_rollout_ref.actor.kl_loss_coef', '0'],
      ['KL_COEF', 'actor_rollout_ref.actor.kl_loss_coef', '0e999'],
      ['KL_COEF', 'actor_rollout_ref.actor.kl_loss_coef', '000.001'],
    ] as const) {
      const r = run({ [name]: value })
      expect(r.status, `${name}=${value}: ${r.stderr}`).toBe(0)
      expect(passed(r, key)).toBe(value)
    }
  })
})
