import { readFileSync } from 'node:fs'
import type { Value } from './expr.js'
import type { PrebuiltCheck, VerlKeyData, VerlTarget } from './target.js'

/** What scripts/derive-verl-keys.mjs derived for one release: its keys and their defaults. */
export type ReleaseData = VerlKeyData & { readonly defaults: Record<string, unknown> }

/**
 * A release's data as the build leaves it in dist/ (`leanReleaseData`), which defines the same target with
 * less to parse: the keys as one text of `key=kind` lines, only the defaults the checks read (resolved), and
 * each check's expressions parsed, with their sources (used only while those are still the check's).
 */
export type LeanReleaseData = Omit<VerlKeyData, 'keys'> & {
  readonly keys: string
  readonly defaults: Record<string, Value>
  readonly checks: readonly PrebuiltCheck[]
}

/**
 * The folder of the files derived for each release and read at run time: `../generated/verl/` from this
 * module as tsc builds it (dist/verl/), from the bundle (dist/bundle/finqa.cjs) and from the sources alike.
 * scripts/build.mjs copies the key data into dist/, then renders each release's launch lib there and puts
 * the lean form of its data in place of the copy (scripts/prerender-verl-libs.mjs).
 */
export const RELEASE_FILES = new URL('../generated/verl/', import.meta.url)

/**
 * The key data of a release, `<tag>.json` in `RELEASE_FILES`, read when a compile first targets it: as derived
 * (src/generated/verl/) or in its lean form (dist/generated/verl/). Not imported: bundled, the two releases'
 * data were 180 KB of object literals that every command loaded and built at start-up, and a compile needs
 * one release.
 */
export function readReleaseData(tag: string): ReleaseData | LeanReleaseData {
  return JSON.parse(readFileSync(new URL(`${tag}.json`, RELEASE_FILES), 'utf8')) as
    | ReleaseData
    | LeanReleaseData
}

/**
 * The lean form of a release's data for the target it defined (`LeanReleaseData`), written by the build.
 * Parsing the derived file's 800 defaults and 950 keys as objects, and the checks' expressions, was some
 * 10 M instructions of every compile, more than any other part of defining a release.
 */
export function leanReleaseData(data: ReleaseData, target: VerlTarget): LeanReleaseData {
  const { keys: _keys, defaults: _defaults, ...meta } = data
  return {
    ...meta,
    keys: [...target.keys].map(([key, kind]) => `${key}=${kind}`).join('\n'),
    defaults: Object.fromEntries(target.defaults),
    checks: target.checks.map((c) => ({
      id: c.id,
      ...(c.when === undefined ? {} : { when: c.when }),
      require: c.require,
      ...(c.whenExpr === undefined ? {} : { whenExpr: c.whenExpr }),
      requireExpr: c.requireExpr,
      reads: c.reads,
    })),
  }
}
