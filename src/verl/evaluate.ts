import { evaluate, type Value } from './expr.js'
import type { CompiledCheck, VerlTarget } from './target.js'

/** A check that does not hold, with the values it read. */
export interface CheckFailure {
  readonly check: CompiledCheck
  /** The message with each `{key}` replaced by the value in effect. */
  readonly message: string
}

/** The value in effect of a VERL key: what the launch passes, else VERL's default. */
export type ConfigLookup = (key: string) => Value

/** Per release: the keys its checks and their messages read, and the verdicts already reached by their values. */
const VERDICTS = new WeakMap<VerlTarget, { keys: readonly string[]; seen: Map<string, CheckFailure[]> }>()
const VERDICTS_MAX = 4096

/**
 * The checks of the release that do not hold for this config, each said once (see `unlessFailed`). A verdict
 * depends only on the values of the keys the checks and their messages read, so a compile of many
 * experiments that agree on those (a sweep over other settings) evaluates the checks once.
 */
export function failingChecks(target: VerlTarget, config: ConfigLookup): CheckFailure[] {
  let memo = VERDICTS.get(target)
  if (memo === undefined) {
    const keys = new Set(target.checks.flatMap((c) => c.reads))
    for (const c of target.checks)
      for (const m of c.message.matchAll(/\{([A-Za-z_][A-Za-z0-9_.]*)\}/g)) keys.add(m[1] as string)
    memo = { keys: [...keys], seen: new Map() }
    VERDICTS.set(target, memo)
  }
  let id: string
  try {
    id = JSON.stringify(memo.keys.map(config))
  } catch {
    return evaluateChecks(target, config) // a key without a value: say so as the checks would
  }
  const known = memo.seen.get(id)
  if (known !== undefined) return known
  const out = evaluateChecks(target, config)
  if (memo.seen.size < VERDICTS_MAX) memo.seen.set(id, out)
  return out
}

function evaluateChecks(target: VerlTarget, config: ConfigLookup): CheckFailure[] {
  const out = target.checks
    .filter((c) => !holds(c, config))
    .map((check) => ({ check, message: fill(check.message, config) }))
  const failed = new Set(out.map((f) => f.check.id))
  return out.filter((f) => !(f.check.unlessFailed ?? []).some((id) => failed.has(id)))
}

/** Whether a check holds: its `when` is false, or its `require` true. */
export function holds(check: CompiledCheck, config: ConfigLookup): boolean {
  if (check.whenExpr !== undefined && evaluate(check.whenExpr, config) !== true) return true
  return evaluate(check.requireExpr, config) === true
}

/** `{key}` -> the value in effect, as the launch script prints it (`null` for null: String's spelling). */
export function fill(text: string, get: (key: string) => Value): string {
  return text.replace(/\{([A-Za-z_][A-Za-z0-9_.]*)\}/g, (_, key: string) => String(get(key)))
}

/** A lookup over the values a launch sets, falling back to the release's defaults. */
export function lookupWith(target: VerlTarget, set: ReadonlyMap<string, Value>): ConfigLookup {
  return (key) => {
    // A value may be null (a key VERL leaves unset): `undefined` alone says the map lacks the key.
    const v = set.get(key)
    if (v !== undefined) return v
    if (set.has(key)) return null
    // A default is never undefined (define.ts: defaultOf), null where VERL leaves the key unset.
    const d = target.defaults.get(key)
    if (d !== undefined) return d
    throw new Error(`VERL ${target.version}: no value for ${key}`)
  }
}
