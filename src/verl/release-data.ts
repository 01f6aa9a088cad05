import { readFileSync } from 'node:fs'
import type { VerlKeyData } from './target.js'

/** What scripts/derive-verl-keys.mjs derived for one release: its keys and their defaults. */
export type ReleaseData = VerlKeyData & { readonly defaults: Record<string, unknown> }

/**
 * The folder of the files derived for each release and read at run time: `../generated/verl/` from this
 * module as tsc builds it (dist/verl/), from the bundle (dist/bundle/finqa.cjs) and from the sources alike.
 * scripts/build.mjs copies the key data into dist/ and renders each release's launch lib there.
 */
export const RELEASE_FILES = new URL('../generated/verl/', import.meta.url)

/**
 * The derived key data of a release, `src/generated/verl/<tag>.json`, read when a compile first targets it.
 * Not imported: bundled, the two releases' data were 180 KB of object literals that every command loaded
 * and built at start-up, and a compile needs one release.
 */
export function readReleaseData(tag: string): ReleaseData {
  return JSON.parse(readFileSync(new URL(`${tag}.json`, RELEASE_FILES), 'utf8')) as ReleaseData
}
