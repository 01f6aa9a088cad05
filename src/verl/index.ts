import type { VerlTarget } from './target.js'
import { V0_8_0 } from './v0_8_0.js'
import { V0_9_0 } from './v0_9_0.js'

export type { VerlTarget } from './target.js'

/** Every VERL release finqa supports, oldest first. A new release: one file beside this one (ADR 0005). */
export const TARGETS: readonly VerlTarget[] = [V0_8_0, V0_9_0]

/** What a spec without `verl.version` targets: the newest supported release. */
export const DEFAULT_VERSION: string = (TARGETS[TARGETS.length - 1] as VerlTarget).version

export function targetFor(version: string | undefined): VerlTarget {
  const v = version ?? DEFAULT_VERSION
  const t = TARGETS.find((x) => x.version === v)
  if (t === undefined) throw new Error(`no VERL target ${v}: the schema should have refused it`)
  return t
}
