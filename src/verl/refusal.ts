import type { CompiledCheck, VerlTarget } from './target.js'

const STAGE_WORDS: Readonly<Record<string, string>> = {
  compose: 'when Hydra composes the config',
  validate_config: 'at start-up',
  'worker init': 'when its workers start, after the model load',
  'first step': 'at the first training step',
  'resource pool': 'when it places its workers on GPUs',
}

/** What follows a failed check's message: who refuses it, when, and where (empty for finqa's own checks). */
export function refusalOf(target: VerlTarget, check: CompiledCheck): string {
  if (check.stage === 'finqa') return ''
  return `; VERL ${target.version} refuses it ${STAGE_WORDS[check.stage]} (${check.source})`
}
