import { mkdirSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'vitest'
import { REPO } from './compile-repo.js'
import { runScript } from './run-script.js'

/** The seed's eight experiments (experiments/), by name as `finqa status` lists them. */
export const EIGHT: readonly string[] = [
  'qwen3_4b_default',
  'qwen3_4b_no_uncertain',
  'qwen3_4b_rollout12',
  'qwen3_4b_rollout4',
  'qwen3_8b_default',
  'qwen3_8b_no_uncertain',
  'qwen3_8b_rollout12',
  'qwen3_8b_rollout4',
]

/** What VERL leaves after saving step N at `ms`: global_step_N/ (its time) and the tracker file. */
export function saveCheckpoint(dir: string, step: number, ms: number): void {
  const folder = join(dir, `global_step_${step}`)
  mkdirSync(join(folder, 'actor'), { recursive: true })
  writeFileSync(join(folder, 'actor', 'model.pt'), `weights of step ${step}`)
  utimesSync(folder, ms / 1000, ms / 1000)
  writeFileSync(join(dir, 'latest_checkpointed_iteration.txt'), String(step))
}

/**
 * Starts the seed's launch script (dist-scripts/SCRIPT) against `root` with a stub python3, as alice on
 * gpu-03: it writes its run record into ROOT/EXPERIMENT. `env` adds overrides (SLURM_JOB_ID, ROLLOUT_N, ...).
 */
export function startRun(root: string, script: string, env: Record<string, string> = {}): void {
  const run = runScript(join(REPO, 'dist-scripts', script), {
    env: { CHECKPOINT_ROOT: root, FINQA_SKIP_PREFLIGHT: '1', HOSTNAME: 'gpu-03', USER: 'alice', ...env },
  })
  expect([run.status, run.stderr]).toEqual([
    0,
    expect.stringMatching(/^\S+\.sh: python3 -m verl\.trainer\.main_ppo /),
  ])
}
