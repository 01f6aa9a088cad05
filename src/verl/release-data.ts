import { readFileSync } from 'node:fs'
import type { VerlKeyData } from './target.js'

/** What scripts/derive-verl-keys.mjs derived for one release: its keys and their defaults. */
export type ReleaseData = VerlKeyData & { readonly defaults: Record<string, unknown> }

/**
 * The derived key data of a release, `src/generated/verl/<tag>.json`, read when a compile first targets it.
 * Not imported: bundled, the two releases' data were 180 KB of object literals that every command loaded
 * and built at start-up, and a compile needs one release. The folder is `../generated/verl/` from this
 * module as tsc builds it (dist/verl/), from the bundle (dist/bundle/finqa.cjs) and from the sources alike;
 * scripts/build.mjs copies the files into dist/.
 */
export function readReleaseData(tag: string): ReleaseData {
  return JSON.parse(
    readFileSync(new URL(`../generated/verl/${tag}.json`, import.meta.url), 'utf8'),
  ) as ReleaseData
}
