import type { VerlTarget } from './target.js'
import { V0_8_0 } from './v0_8_0.js'
import { V0_9_0 } from './v0_9_0.js'

export type { VerlTarget } from './target.js'

/**
 * Every VERL release finqa supports, oldest first, each defined on first use. A new release: one file beside
 * this one and a line here (ADR 0005).
 */
const RELEASES: readonly { readonly version: string; readonly target: () => VerlTarget }[] = [
  { version: '0.8.0', target: V0_8_0 },
  { version: '0.9.0', target: V0_9_0 },
]

/** The supported versions, oldest first. */
export const VERSIONS: readonly string[] = RELEASES.map((r) => r.version)

/** What a spec without `verl.version` targets: the newest supported release. */
export const DEFAULT_VERSION: string = VERSIONS[VERSIONS.length - 1] as string

/** Every supported release, oldest first. */
export function allTargets(): readonly VerlTarget[] {
  return RELEASES.map((r) => r.target())
}

export function targetFor(version: string | undefined): VerlTarget {
  const v = version ?? DEFAULT_VERSION
  const release = RELEASES.find((x) => x.version === v)
  if (release === undefined) throw new Error(`no VERL target ${v}: the schema should have refused it`)
  const t = release.target()
  if (t.version !== v) throw new Error(`VERL target ${v} is defined from the data of ${t.version}`)
  return t
}
