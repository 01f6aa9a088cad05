import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import type { CompiledExperiment } from '../compile.js'
import type { Diagnostic, Position } from '../diagnostics/diagnostic.js'
import { targetFor } from '../verl/index.js'
import { splitOverrideKey } from '../verl/keys.js'

/** The config file of a VERL checkout's verl/trainer/config folder that lists every key main_ppo takes. */
export const VERL_CONFIG_FILE = '_generated_ppo_trainer.yaml'

/**
 * `verl.config_dir` (I/O at the edge): where a spec names a VERL checkout's config folder and it is readable
 * here, every key the experiment's script passes must be in that folder's own config: a key it lacks is an
 * error naming the folder. When it is not readable (a cluster path on a laptop, in CI) one warning says so
 * and nothing else changes; the generated files never depend on it.
 */
export function checkVerlConfigDirs(experiments: readonly CompiledExperiment[]): Diagnostic[] {
  const out: Diagnostic[] = []
  const keysByDir = new Map<string, Set<string> | string>()
  for (const { experiment, spec } of experiments) {
    const dir = experiment.verl?.config_dir
    if (dir === undefined) continue
    const at: Position = spec.sources.get('/verl/config_dir')?.history.at(-1)?.position ?? {
      file: spec.file,
      line: 1,
      col: 1,
    }
    if (!keysByDir.has(dir)) keysByDir.set(dir, readKeys(dir))
    const keys = keysByDir.get(dir) as Set<string> | string
    if (typeof keys === 'string') {
      if (!out.some((d) => d.code === 'VERL_CONFIG_DIR' && d.message.includes(dir))) {
        out.push({
          ...at,
          severity: 'warning',
          code: 'VERL_CONFIG_DIR',
          message: `verl.config_dir ${dir}: ${keys}; keys checked against VERL ${targetFor(experiment.verl?.version).version}'s key list only`,
          suggestion:
            'nothing to do here; on a machine that sees the folder the compile also checks against it',
        })
      }
      continue
    }
    const target = targetFor(experiment.verl?.version)
    const passed = [
      ...target.typedKeys.keys(),
      ...Object.keys(experiment.verl_overrides ?? {}).flatMap((raw) => {
        const { prefix, key } = splitOverrideKey(raw)
        return prefix === '' ? [key] : []
      }),
    ].filter((k) => k !== 'ray_kwargs.ray_init.num_cpus' || experiment.slurm !== undefined)
    for (const key of passed) {
      if (keys.has(key)) continue
      out.push({
        ...at,
        severity: 'error',
        code: 'VERL_CONFIG_DIR',
        message: `\`${key}\`, which ${experiment.script} passes, is not a key of the VERL at ${dir} (${VERL_CONFIG_FILE}); that VERL would refuse the launch`,
        suggestion: `set verl.version to the release installed there, or update the VERL checkout (finqa checks against VERL ${target.version})`,
      })
    }
  }
  return out
}

function readKeys(dir: string): Set<string> | string {
  let text: string
  try {
    text = readFileSync(join(dir, VERL_CONFIG_FILE), 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return `${VERL_CONFIG_FILE} is not readable here (${code ?? 'error'})`
  }
  let config: unknown
  try {
    config = parse(text)
  } catch {
    return `${VERL_CONFIG_FILE} is not valid YAML`
  }
  const keys = new Set<string>()
  const walk = (value: unknown, prefix: string) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return
    for (const [k, v] of Object.entries(value)) {
      const path = prefix === '' ? k : `${prefix}.${k}`
      keys.add(path)
      walk(v, path)
    }
  }
  walk(config, '')
  return keys
}
