import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { targetFor, VERSIONS } from '../../src/verl/index.js'
import type { VerlTarget } from '../../src/verl/target.js'
import { REPO } from '../helpers/compile-repo.js'

// global-setup builds dist/: scripts/prerender-verl-libs.mjs puts each release's lean data there.
describe("the build leaves each release's data in dist/ in its lean form", () => {
  it.each(VERSIONS)(
    'dist/generated/verl/v%s.json is lean and defines the same target as the derived data',
    async (version) => {
      const lean = JSON.parse(
        readFileSync(join(REPO, 'dist', 'generated', 'verl', `v${version}.json`), 'utf8'),
      )
      expect(typeof lean.keys).toBe('string')
      expect(lean.checks.length).toBeGreaterThan(10)
      // dist/verl/ reads dist/generated/verl/ (the lean data), src/verl/ reads src/generated/verl/ (as derived).
      const built = (await import(join(REPO, 'dist', 'verl', 'index.js'))) as {
        targetFor: (v: string) => VerlTarget
      }
      expect(built.targetFor(version)).toEqual(targetFor(version))
    },
  )
})
