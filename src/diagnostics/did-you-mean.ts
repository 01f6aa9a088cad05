import { distance } from 'fastest-levenshtein'

/**
 * The nearest candidate by edit distance (case ignored; ties go to the first in sort order), when it is near
 * enough to be a likely typo of `word`: the "did you mean" of every diagnostic and usage error.
 */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase())
    if (d < bestDistance || (d === bestDistance && best !== undefined && c < best)) {
      best = c
      bestDistance = d
    }
  }
  if (best === undefined) return undefined
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined
}
