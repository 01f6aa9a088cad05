/**
 * A number as a researcher writes it: `1e-6` rather than `0.000001`, `0.001` and `12` as they are. The one
 * spelling of a number everywhere finqa shows or makes one: sweep names and layer ids (`lr{training.lr}` →
 * `lr1e-6`), `explain`, `diff`, `plan`, the generated README, and the values in the launch scripts. Specs
 * hold finite numbers only (the parser refuses `.inf` and `.nan` with a position); any other is a bug.
 */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`)
  if (Number.isInteger(value)) return String(value)
  const abs = Math.abs(value)
  return abs < 1e-3 || abs >= 1e21 ? value.toExponential().replace('e+', 'e') : String(value)
}
