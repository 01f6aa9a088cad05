import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { resultsInReadme } from '../bench/readme-block.mjs'

const ROOT = join(import.meta.dirname, '..')

describe('README Speed section', () => {
  it('holds the table of bench/results.md, as `npm run bench` copies it', () => {
    const block = resultsInReadme(readFileSync(join(ROOT, 'README.md'), 'utf8'))
    const results = readFileSync(join(ROOT, 'bench', 'results.md'), 'utf8').trim()
    expect(block, 'README.md and bench/results.md differ: run `npm run bench`').toBe(results)
  })
})
