import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = join(import.meta.dirname, '..')

describe('README Speed section', () => {
  it('holds the table of bench/results.md, as `npm run bench` copies it', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    const start = readme.indexOf('<!-- bench:results')
    const end = readme.indexOf('<!-- /bench:results -->')
    expect(start, 'README.md lacks the bench:results markers').toBeGreaterThan(0)
    expect(end).toBeGreaterThan(start)
    const block = readme.slice(readme.indexOf('\n', start) + 1, end).trim()
    const results = readFileSync(join(ROOT, 'bench', 'results.md'), 'utf8').trim()
    expect(block, 'README.md and bench/results.md differ: run `npm run bench`').toBe(results)
  })
})
