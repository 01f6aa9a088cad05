import type { Diagnostic } from '../diagnostics/diagnostic.js'
import type { Experiment } from '../generated/experiment.js'
import { pointerJoin } from '../load/parse-yaml.js'
import { failingChecks, lookupWith } from '../verl/evaluate.js'
import { allTargets, targetFor } from '../verl/index.js'
import { keyProblem } from '../verl/keys.js'
import { refusalOf } from '../verl/refusal.js'
import { fieldOf, specValues } from '../verl/spec-config.js'
import type { Locate } from './schema.js'

/** Whether any supported VERL release has this key (the secrets check leaves VERL's own keys alone). */
export function isVerlKey(key: string): boolean {
  return allTargets().some((t) => t.keys.has(key))
}

/** Checks every `verl_overrides` key against the targeted release's key list and finqa's key rules. */
export function checkVerlOverrides(experiment: Experiment, locate: Locate): Diagnostic[] {
  const target = targetFor(experiment.verl?.version)
  const out: Diagnostic[] = []
  for (const key of Object.keys(experiment.verl_overrides ?? {})) {
    const problem = keyProblem(target, key, 'spec')
    if (problem === undefined) continue
    // Located only for a key at fault: most keys are fine, and locating builds the layers' history.
    const at = locate(pointerJoin('/verl_overrides', key))
    out.push({
      ...(at.key ?? at.value),
      related: at.related,
      severity: 'error',
      code: 'VERL_KEY',
      message: problem.message,
      suggestion: problem.suggestion,
    })
  }
  return out
}

/** VERL's start-up checks of the targeted release, on the values the launch script passes by default. */
export function checkVerlRules(experiment: Experiment, locate: Locate): Diagnostic[] {
  const target = targetFor(experiment.verl?.version)
  return failingChecks(target, lookupWith(target, specValues(experiment, target))).map((f) => {
    const fields = (f.check.blame ?? f.check.reads).flatMap((k) => fieldOf(target, k, experiment) ?? [])
    // Point at what the experiment itself set, where it set one of them: that is what the user changed.
    const located = fields.map((p) => locate(p))
    const at =
      located.find((l) => !(l.related ?? []).some((r) => r.message.startsWith('inherited'))) ??
      located[0] ??
      locate('/trainer')
    return {
      ...at.value,
      related: at.related,
      severity: 'error' as const,
      code: 'VERL_CHECK' as const,
      message: `${f.message}${refusalOf(target, f.check)}`,
      suggestion: f.check.fix,
    }
  })
}
