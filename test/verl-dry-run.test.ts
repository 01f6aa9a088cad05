import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
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

    describe('submit_all.sh --preflight', () => {
      const submitAll = join(REPO, 'dist-scripts', 'slurm', 'submit_all.sh')
      /** A stand-in sbatch and a python3 that log, in one file, each dry run and each submission in order. */
      function cluster(python3Body: string) {
        const verl = fakeVerl()
        const bin = tempDir('finqa-preflight-bin-')
        const log = join(bin, 'log')
        const write = (name: string, body: string) => {
          writeFileSync(join(bin, name), `#!/usr/bin/env bash\n${body}\n`)
          chmodSync(join(bin, name), 0o755)
        }
        write('sbatch', `echo "sbatch \${@: -1}" >>${log}; echo $((RANDOM + 100))`)
        write(
          'python3',
          `for a; do [[ $a == trainer.experiment_name=* ]] && echo "dry-run \${a#*=}" >>${log}; done\n${python3Body}\nexec ${join(verl.bin, 'python3')} "$@"`,
        )
        const submit = (args: string[]) =>
          spawnSync('bash', [submitAll, ...args], {
            encoding: 'utf8',
            cwd: tempDir(),
            env: { PATH: `${bin}:${process.env.PATH}`, HOME: tempDir(), FINQA_SKIP_PREFLIGHT: '1' },
          })
        const events = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [])
        return { submit, events, started: verl.started }
      }

      it('runs every selected dry run before the first sbatch, then submits as before', () => {
        const c = cluster('')
        const r = c.submit(['--preflight', '--no-upload', 'run_4b', 'run_8b_rollout4'])
        expect(r.stderr).toContain('dry run: VERL composed the config')
        expect(r.status).toBe(0)
        expect(c.events()).toEqual([
          "dry-run 'qwen3_4b_default'",
          "dry-run 'qwen3_8b_rollout4'",
          expect.stringMatching(/^sbatch .*\/slurm\/run_4b\.sbatch$/),
          expect.stringMatching(/^sbatch .*\/slurm\/run_8b_rollout4\.sbatch$/),
        ])
        expect(r.stdout).toMatch(
          /^qwen3_4b_default preflight ok\nqwen3_8b_rollout4 preflight ok\nqwen3_4b_default train \d+\n/,
        )
        expect(existsSync(c.started)).toBe(false)
      })

      it("stops at the first dry run VERL refuses, with VERL's message, and queues nothing", () => {
        const c = cluster(
          `[[ " $* " == *qwen3_4b_no_uncertain* ]] && { echo "Error: Could not override 'data.foo'." >&2; exit 1; }`,
        )
        const r = c.submit(['--preflight', 'run_4b', 'run_4b_no_uncertain', 'run_4b_rollout4'])
        expect(r.status).toBe(2)
        expect(r.stderr).toContain("Could not override 'data.foo'")
        expect(r.stderr).toContain('preflight: qwen3_4b_no_uncertain failed its dry run')
        expect(r.stderr).toContain('nothing was submitted')
        expect(c.events()).toEqual(["dry-run 'qwen3_4b_default'", "dry-run 'qwen3_4b_no_uncertain'"])
      })
    })
  },
)
