import { type Expr, keysOf, parseExpr, type Value } from './expr.js'
import type { TypedKey } from './fields.js'

/** The kind of a VERL config path, from its default in `_generated_ppo_trainer.yaml` (see derive-verl-keys). */
export type KeyKind = 'map' | 'bool' | 'int' | 'float' | 'str' | 'list' | 'null' | 'interp'

/** What scripts/derive-verl-keys.mjs writes for one release (src/generated/verl/<tag>.json). */
export interface VerlKeyData {
  readonly version: string
  readonly repo: string | null
  readonly tag: string | null
  readonly commit: string | null
  readonly commitDate: string | null
  readonly source: string
  readonly keys: Readonly<Record<string, string>>
}

/** When VERL makes a check: what a failure costs. */
export type CheckStage =
  | 'compose' // Hydra composing the config: seconds, but after the queue wait
  | 'validate_config' // main_ppo before the workers start
  | 'worker init' // a config dataclass's __post_init__ or a worker's set-up: after the model load
  | 'first step' // the first rollout or update: after the model load and a rollout
  | 'resource pool' // Ray placing the workers on GPUs
  | 'finqa' // not a VERL check: refused by finqa because no one means it (the message says why)

/**
 * One of VERL's checks that depends only on the config and the job's GPU count. `require` must hold
 * whenever `when` does; both are expressions over VERL's dotted keys (src/verl/expr.ts), plus `job.gpus_per_node`,
 * the GPUs per node the job has (the Slurm allocation at run time; the spec's trainer.gpus_per_node at compile
 * time). Made by the compiler on the resolved spec, and by the launch script on the values in effect.
 */
export interface VerlCheck {
  readonly id: string
  /** VERL's file:line at this release, where the check is made. */
  readonly source: string
  readonly stage: CheckStage
  readonly when?: string
  readonly require: string
  /** What is wrong; `{key}` is replaced by the value in effect. */
  readonly message: string
  /** What to change. */
  readonly fix: string
  /** The keys whose spec field a failure points at, most likely first (default: the keys it reads). */
  readonly blame?: readonly string[]
  /** Not reported when one of these checks failed too: the same cause, said once. */
  readonly unlessFailed?: readonly string[]
}

export interface CompiledCheck extends VerlCheck {
  readonly whenExpr: Expr | undefined
  readonly requireExpr: Expr
  /** The keys the check reads, in the order they appear (`when`, then `require`). */
  readonly reads: readonly string[]
}

/** A typed spec field and the VERL key it becomes. */
export interface FieldKey {
  /** The spec field, as a JSON Pointer into the experiment (`/rollout/n`). */
  readonly field: string
  readonly key: string
}

/** A key a release composes but never reads, so setting it changes nothing. */
export interface IgnoredKey {
  /** The key or the prefix of a tree (`custom_reward_function`). */
  readonly prefix: string
  readonly why: string
  readonly use: string
}

/** Everything finqa knows about one VERL release. Adding a release is adding one of these (ADR 0005). */
export interface VerlTarget {
  /** `0.9.0` */
  readonly version: string
  readonly tag: string
  readonly commit: string
  readonly repo: string
  /** Every dotted path of the config: kind of its default. */
  readonly keys: ReadonlyMap<string, KeyKind>
  /** The reward function's keys: the ones this release reads. */
  readonly rewardPathKey: string
  readonly rewardNameKey: string
  /** Keys that finqa sets from typed fields here, with the fields; `verl_overrides` may not set them again. */
  readonly typedKeys: ReadonlyMap<string, TypedKey>
  readonly ignored: readonly IgnoredKey[]
  readonly checks: readonly CompiledCheck[]
  /** VERL's own default of each key a check reads (as the checks see it). */
  readonly defaults: ReadonlyMap<string, Value>
}

/** A check's expressions as the build parsed them, with their sources (the lean release data). */
export interface PrebuiltCheck {
  readonly id: string
  readonly when?: string
  readonly require: string
  readonly whenExpr?: Expr
  readonly requireExpr: Expr
  readonly reads: readonly string[]
}

/**
 * Each check with its expressions parsed: taken from `prebuilt` (the lean release data, parsed by the build)
 * where the entry at the same place is the same check with the same sources, else parsed here.
 */
export function compileChecks(
  checks: readonly VerlCheck[],
  prebuilt: readonly PrebuiltCheck[] = [],
): CompiledCheck[] {
  return checks.map((c, i) => {
    const p = prebuilt[i]
    if (p !== undefined && p.id === c.id && p.require === c.require && p.when === c.when)
      return { ...c, whenExpr: p.whenExpr, requireExpr: p.requireExpr, reads: [...p.reads] }
    const whenExpr = c.when === undefined ? undefined : parseExpr(c.when)
    const requireExpr = parseExpr(c.require)
    const reads = keysOf(requireExpr, whenExpr === undefined ? new Set() : keysOf(whenExpr))
    return { ...c, whenExpr, requireExpr, reads: [...reads] }
  })
}

export function keyMap(data: VerlKeyData): ReadonlyMap<string, KeyKind> {
  return new Map(Object.entries(data.keys) as [string, KeyKind][])
}

/** The ignored-key entry a key falls under, if any. */
export function ignoredEntry(target: VerlTarget, key: string): IgnoredKey | undefined {
  return target.ignored.find((i) => key === i.prefix || key.startsWith(`${i.prefix}.`))
}
