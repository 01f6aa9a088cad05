/**
 * A number as a researcher writes it: `1e-6` rather than `0.000001`, `0.001` and `12` as they are. The one
 * spelling of a number everywhere finqa shows or makes one: sweep names and layer ids (`lr{training.lr}` →
 * `lr1e-6`), `explain`, `diff`, `plan`, the generated README, and the values in the launch scripts. Specs
 * hold finite numbers only (the parser refuses `.inf` and `.nan` with a position); any other is a bug.
 */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`)
  if (Number.isInteger(value)) return String(value)
  // Every number from 2^53 up is an integer: only small fractions need the exponent form (`e-`, never `e+`).
  return Math.abs(value) < 1e-3 ? value.toExponential() : String(value)
}
