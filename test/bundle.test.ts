import { readdirSync, readFileSync } from 'node:fs'
import { isBuiltin } from 'node:module'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO } from './helpers/compile-repo.js'

// global-setup builds dist/, the bundle included (scripts/bundle.mjs).
describe('the bundled CLI (dist/bundle/finqa.mjs, what bin/finqa.js loads)', () => {
  const dir = join(REPO, 'dist', 'bundle')
  const files = readdirSync(dir).filter((f) => f.endsWith('.mjs'))

  it('imports nothing but Node built-ins and its own chunks', () => {
    expect(files).toContain('finqa.mjs')
    for (const file of files) {
      const text = readFileSync(join(dir, file), 'utf8')
      const specifiers = [...text.matchAll(/\b(?:import|from)\s*\(?\s*["']([^"']+)["']/g)].map(
        (m) => m[1] ?? '',
      )
      const foreign = specifiers.filter((s) => !isBuiltin(s) && !/^\.\/chunk-[\w-]+\.mjs$/.test(s))
      expect(foreign, file).toEqual([])
    }
  })

  it('keeps plan (the parquet reader) out of the file every compile reads', () => {
    const entry = readFileSync(join(dir, 'finqa.mjs'), 'utf8')
    const eager = [...entry.matchAll(/^import\s*(?:[^'"]*from\s*)?["'](\.\/chunk-[\w-]+\.mjs)["']/gm)].map(
      (m) => readFileSync(join(dir, m[1] ?? ''), 'utf8'),
    )
    expect([entry, ...eager].join('\n')).not.toContain('PAR1')
  })
})
