import { spawnSync } from 'node:child_process'
import { chmodSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from './helpers/cli.js'
import { REPO } from './helpers/compile-repo.js'
import { hasOmegaConf, SYSTEM_PYTHON } from './verl/compose.js'

const script = join(REPO, 'dist-scripts', 'run_4b.sh')

/**
 * A `python3` standing in for an installed VERL: `-m verl.trainer.main_ppo --cfg job OVERRIDES` composes the
 * overrides with VERL 0.9.0's real config (test/verl/compose.py, OmegaConf) and prints it, as Hydra does;
 * anything else records that the trainer started.
 */
function fakeVerl(version = '0.9.0'): { bin: string; started: string } {
  const dir = tempDir('finqa-fake-verl-')
  const started = join(dir, 'started')
  const config = join(REPO, 'vendor', 'verl', `v${version}`, '_generated_ppo_trainer.yaml')
  writeFileSync(
    join(dir, 'python3'),
    [
      '#!/usr/bin/env bash',
      `if [[ $1 == -m && $2 == verl.trainer.main_ppo && $3 == --cfg && $4 == job ]]; then`,
      `  shift 4; exec ${SYSTEM_PYTHON} ${join(REPO, 'test', 'verl', 'compose.py')} ${config} ${version} --cfg-job -- "$@"`,
      'fi',
      `touch ${started}`,
      '',
    ].join('\n'),
  )
  chmodSync(join(dir, 'python3'), 0o755)
  return { bin: dir, started }
}

const run = (bin: string, args: string[], env: Record<string, string> = {}) =>
  spawnSync('bash', [script, ...args], {
    encoding: 'utf8',
    env: { PATH: `${bin}:${process.env.PATH}`, HOME: tempDir(), FINQA_SKIP_PREFLIGHT: '1', ...env },
  })

describe.runIf(hasOmegaConf())(
  '--dry-run asks the installed VERL to compose the command, and starts nothing',
  () => {
    it('composes, finds the reward file USE_UNCERTAINTY picks in the composed config, and exits 0', () => {
      const verl = fakeVerl()
      for (const [uncertain, file] of [
        ['true', 'reward_uncertain_versatile.py'],
        ['false', 'reward_versatile.py'],
      ]) {
        const r = run(verl.bin, ['--dry-run'], { USE_UNCERTAINTY: uncertain as string })
        expect(r.stderr).toContain(
          `reward.custom_reward_function.path is /mnt_out/asfeng/fin_w4/launchers/fin_text_qa/${file}`,
        )
        expect(r.status).toBe(0)
      }
      expect(spawnSync('test', ['-e', verl.started]).status).toBe(1)
    })

    it("stops with VERL's own message when the installed VERL refuses the command (another release)", () => {
      // The scripts target 0.9.0; the cluster has 0.8.0, which lacks trainer.use_v1.
      const verl = fakeVerl('0.8.0')
      const r = run(verl.bin, ['--dry-run', 'trainer.use_v1=False'])
      expect(r.status).toBe(2)
      expect(r.stderr).toContain("Could not override 'trainer.use_v1'")
      expect(r.stderr).toContain('the installed VERL refused the command')
      expect(spawnSync('test', ['-e', verl.started]).status).toBe(1)
    })
  },
)
