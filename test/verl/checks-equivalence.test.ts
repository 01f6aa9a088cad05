import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { readTemplates } from '../../src/cli/package-files.js'
import { createTemplates } from '../../src/render/handlebars-env.js'
import { verlLibViewOf } from '../../src/render/render-verl-lib.js'
import { templateOf } from '../../src/render/renderers.js'
import { holds, lookupWith } from '../../src/verl/evaluate.js'
import type { Value } from '../../src/verl/expr.js'
import { allTargets } from '../../src/verl/index.js'
import type { VerlTarget } from '../../src/verl/target.js'
import { tempDir } from '../helpers/cli.js'

/** Literal values a check compares a text key with (null too), plus one no check names. */
function textChoices(target: VerlTarget, key: string): (string | null)[] {
  const found = new Set<string>(['bogus'])
  let nullable = false
  for (const c of target.checks) {
    const src = `${c.when ?? ''} ${c.require}`
    if (!src.includes(key)) continue
    for (const m of src.matchAll(/'([^']*)'/g)) found.add(m[1] as string)
    if (src.includes(`${key} == null`) || src.includes(`${key} != null`)) nullable = true
  }
  return [...[...found].sort(), ...(nullable ? [null] : [])]
}

/** A random value for each key a check reads, of the key's kind. */
function configArb(target: VerlTarget): fc.Arbitrary<Map<string, Value>> {
  const reads = [...new Set(target.checks.flatMap((c) => c.reads))].sort()
  const whole = fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constantFrom(24, 32, 64, 128, 256, 512, 1024))
  const arbs = reads.map((key): fc.Arbitrary<Value> => {
    const kind = key.startsWith('job.') ? 'int' : target.keys.get(key)
    const dflt = target.defaults.get(key)
    if (kind === 'bool') return fc.boolean()
    if (kind === 'int' || (kind === 'interp' && typeof dflt === 'number')) return whole
    if (kind === 'null' && typeof dflt !== 'string')
      return fc.oneof(
        fc.constant(null),
        whole.filter((n) => n > 0),
      )
    return fc.constantFrom(...textChoices(target, key))
  })
  return fc.tuple(...arbs).map((values) => new Map(reads.map((k, i) => [k, values[i] as Value])))
}

/** The ids of the checks that fail, as the generated bash of this release says, for each config. */
function bashFailures(target: VerlTarget, configs: readonly Map<string, Value>[]): string[][] {
  const lib = tempDir('finqa-lib-')
  const templates = createTemplates(readTemplates())
  writeFileSync(
    join(lib, 'finqa-launch.sh'),
    templateOf({ templates } as never, 'launch-lib.sh.hbs')({ specDir: 'x', finqaVersion: '0.1.0' }),
  )
  writeFileSync(
    join(lib, `verl-${target.version}.sh`),
    templateOf({ templates } as never, 'verl-lib.sh.hbs')(verlLibViewOf(target)),
  )
  const version = target.version
  const lines = [
    `FINQA_SCRIPT=t; source ${lib}/finqa-launch.sh; source ${lib}/verl-${version}.sh`,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash text, not a template
    "finqa_report() { printf '%s\\n' \"${!FINQA_FAILED[@]}\" | sort | tr '\\n' ' '; echo; }",
  ]
  for (const config of configs) {
    const sets = [...config].map(([k, v]) => `C[${k}]=${v === null ? 'null' : `'${String(v)}'`}`).join('; ')
    lines.push(`( declare -A C=() FINQA_FAILED=(); FINQA_FAILURES=(); ${sets}; verl_checks )`)
  }
  const r = spawnSync('bash', [], { input: lines.join('\n'), encoding: 'utf8' })
  expect(r.stderr).toBe('')
  return r.stdout
    .split('\n')
    .slice(0, configs.length)
    .map((l) => l.trim().split(' ').filter(Boolean))
}

describe('the start-up checks the scripts make are the ones the compiler makes', () => {
  it.each(allTargets().map((t) => [t.version, t] as const))(
    'VERL %s: for random configs, the generated bash fails exactly the checks the compiler fails',
    (_version, target) => {
      const configs = fc.sample(configArb(target), { numRuns: 300, seed: 18 })
      const bash = bashFailures(target, configs)
      configs.forEach((config, i) => {
        const get = lookupWith(target, config)
        const ts = target.checks
          .filter((c) => !holds(c, get))
          .map((c) => c.id)
          .sort()
        expect(bash[i], JSON.stringify(Object.fromEntries(config))).toEqual(ts)
      })
      // The sample reaches every check failing at least once (else the comparison proves little).
      const seen = new Set(bash.flat())
      expect(target.checks.filter((c) => !seen.has(c.id)).map((c) => c.id)).toEqual([])
    },
  )
})
