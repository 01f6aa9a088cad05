/** The environment variables that decide colour. */
export type ColorEnv = Readonly<Record<string, string | undefined>>

/**
 * Colour only on a terminal: never when NO_COLOR is set and not empty (https://no-color.org) or
 * TERM=dumb. FORCE_COLOR wins over both, as in Node itself: `0`/`false` turns colour off, anything else on.
 */
export function useColor(stream: { readonly isTTY?: boolean }, env: ColorEnv = {}): boolean {
  const force = env.FORCE_COLOR
  if (force !== undefined) return force !== '0' && force !== 'false'
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  if (env.TERM === 'dumb') return false
  return stream.isTTY === true
}
