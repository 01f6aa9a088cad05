import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { onTestFinished } from 'vitest'

/** A complete abstract base layer, small enough to assert positions in (line numbers in the comments). */
export const BASE = `abstract: true
project: fin_text_qa
model:
  path: org/model
data:
  dir: /data
  train_file: train.parquet
  val_file: val.parquet
  max_prompt_length: 4096
  max_response_length: 2048
reward:
  dir: /rewards
  use_uncertainty: true
  uncertain_file: u.py
  plain_file: p.py
  function: compute_score
training:
  epochs: 10
  lr: 1.0e-6
  kl_coef: 0.001
  batch_size: 64
  ppo_mini_batch_size: 32
  ppo_micro_batch_per_gpu: 2
  save_freq: 100
  test_freq: 100
rollout:
  n: 8
  engine: vllm
  tensor_parallel_size: 2
  gpu_memory_utilization: 0.6
trainer:
  checkpoint_root: /checkpoints
  gpus_per_node: 8
  nodes: 1
  logger: [console]
`

/** The 1-based line and column of the first `needle` in `text` (after `after`, when given). */
export function positionOf(text: string, needle: string, after = ''): { line: number; col: number } {
  const start = after === '' ? 0 : text.indexOf(after)
  const offset = text.indexOf(needle, start)
  if (start === -1 || offset === -1) throw new Error(`"${needle}" not found`)
  const before = text.slice(0, offset).split('\n')
  return { line: before.length, col: (before.at(-1)?.length ?? 0) + 1 }
}

/** Writes spec files into a fresh temp project (removed after the test); returns its folder. */
export function writeProject(files: Record<string, string | Uint8Array>): string {
  const root = mkdtempSync(join(tmpdir(), 'finqa-project-'))
  onTestFinished(() => rmSync(root, { recursive: true, force: true }))
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), content)
  }
  return root
}
