import type { Value } from './expr.js'
import { typedKeysFor } from './fields.js'
import type { LeanReleaseData, ReleaseData } from './release-data.js'
import {
  type CompiledCheck,
  compileChecks,
  type IgnoredKey,
  type KeyKind,
  type VerlCheck,
  type VerlTarget,
} from './target.js'

export interface TargetFacts {
  readonly rewardPathKey: string
  readonly rewardNameKey: string
  readonly ignored: readonly IgnoredKey[]
  readonly checks: readonly VerlCheck[]
}

/** The derived key data of a release plus what finqa knows of it, as one `VerlTarget`. */
export function defineTarget(data: ReleaseData | LeanReleaseData, facts: TargetFacts): VerlTarget {
  if (data.commit === null || data.tag === null || data.repo === null) {
    throw new Error(`VERL ${data.version}: the derived key data names no repo, tag or commit`)
  }
  const lean = typeof data.keys === 'string' ? (data as LeanReleaseData) : undefined
  const keys =
    lean === undefined ? new Map(Object.entries(data.keys) as [string, KeyKind][]) : keyLines(lean.keys)
  for (const k of [facts.rewardPathKey, facts.rewardNameKey]) {
    if (!keys.has(k)) throw new Error(`VERL ${data.version} has no key ${k}`)
  }
  const checks: CompiledCheck[] = compileChecks(facts.checks, lean?.checks)
  const defaults = new Map<string, Value>()
  for (const check of checks) {
    for (const key of check.reads) {
      if (key.startsWith('job.')) continue
      if (!keys.has(key))
        throw new Error(`VERL ${data.version}: check ${check.id} reads ${key}, which is not a key`)
      // The lean form holds each default the checks read, already resolved.
      defaults.set(key, lean === undefined ? defaultOf(data.defaults, key) : leanDefault(lean, key))
    }
  }
  return {
    version: data.version,
    tag: data.tag,
    commit: data.commit,
    repo: data.repo,
    keys,
    rewardPathKey: facts.rewardPathKey,
    rewardNameKey: facts.rewardNameKey,
    typedKeys: typedKeysFor(facts.rewardPathKey, facts.rewardNameKey),
    ignored: facts.ignored,
    checks,
    defaults,
  }
}

/** The `key=kind` lines of the lean form as the key map (a key holds no `=`). */
function keyLines(text: string): Map<string, KeyKind> {
  const keys = new Map<string, KeyKind>()
  for (const line of text.split('\n')) {
    const at = line.indexOf('=')
    keys.set(line.slice(0, at), line.slice(at + 1) as KeyKind)
  }
  return keys
}

function leanDefault(data: LeanReleaseData, key: string): Value {
  const v = data.defaults[key]
  if (v === undefined) throw new Error(`VERL ${data.version}: the lean key data has no default for ${key}`)
  return v
}

/**
 * A key's default as VERL's config resolves it: a literal, or an interpolation `${KEY}` /
 * `${oc.select:KEY,DEFAULT}` followed to what it points at.
 */
function defaultOf(defaults: Record<string, unknown>, key: string, depth = 0): Value {
  const v = defaults[key]
  if (typeof v === 'string') {
    const m = /^\$\{(?:oc\.select:)?([A-Za-z0-9_.]+)(?:,(.*))?\}$/.exec(v)
    if (m !== null && depth < 8) {
      const target = m[1] as string
      if (target in defaults) return defaultOf(defaults, target, depth + 1)
      return literal(m[2] ?? 'null')
    }
  }
  if (v === undefined || (v !== null && typeof v === 'object')) {
    throw new Error(`no scalar default for ${key}`)
  }
  return v as Value
}

const literal = (text: string): Value => {
  if (/^-?\d+$/.test(text)) return Number(text)
  if (/^(true|false)$/i.test(text)) return text.toLowerCase() === 'true'
  if (text === 'null') return null
  return text
}
