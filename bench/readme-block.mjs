// README.md's Speed section holds a copy of bench/results.md between two markers: `npm run bench`
// (bench/run.mjs) writes it there, and test/bench-readme.test.ts checks the two agree.

const START = '<!-- bench:results'
const END = '<!-- /bench:results -->'

/** Where the block's text begins and ends in `readme` (after the start marker's line, before the end marker). */
function span(readme) {
  const start = readme.indexOf(START)
  const end = readme.indexOf(END)
  if (start < 0 || end < start) throw new Error('README.md lacks the bench:results markers')
  return { from: readme.indexOf('\n', start) + 1, to: end }
}

/** The results table README.md holds, trimmed. */
export function resultsInReadme(readme) {
  const { from, to } = span(readme)
  return readme.slice(from, to).trim()
}

/** README.md's text with the block between its markers replaced by `results`. */
export function withResults(readme, results) {
  const { from, to } = span(readme)
  return `${readme.slice(0, from)}\n${results}\n${readme.slice(to)}`
}
