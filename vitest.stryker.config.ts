import { defineConfig } from 'vitest/config'
import base from './vitest.config.js'

/**
 * The tests `npm run mutate` (Stryker, stryker.config.mjs) runs against each mutant: the ones that run the
 * core in-process. Tests that spawn the built CLI (bin/finqa.js, dist/) never see a mutant, so their files
 * are left out; a file listed here may still spawn the CLI in some tests (those only cost time). So are the
 * property tests that run bash hundreds of times (shell-safety, slot-fuzz): most mutants are "static" (the
 * test files compile specs as they load), and Stryker runs every listed test against each of those.
 */
const ALL = [
  'test/load/*.test.ts',
  'test/resolve/*.test.ts',
  'test/validate/*.test.ts',
  'test/emit/*.test.ts',
  'test/report/status.test.ts',
  'test/render/*.test.ts',
  'test/verl/*.test.ts',
  'test/slurm-compile.test.ts',
  'test/upload-args.test.ts',
  'test/upload-spec.test.ts',
  'test/precompiled.test.ts',
  'test/sweep-equivalence.test.ts',
  'test/compile-changes.test.ts',
]

/**
 * `FINQA_MUTATE_TESTS='test/verl/*.test.ts,...'` measures a module against those test files alone: a lower bound
 * of its score (more tests only kill more), for a module that every compile runs (src/verl/), whose survivors
 * would otherwise each run most of the tests below.
 */
const only = process.env.FINQA_MUTATE_TESTS?.split(',').filter((g) => g !== '')

export default defineConfig({
  test: {
    ...base.test,
    include: only?.length ? only : ALL,
    // slot-fuzz runs bash hundreds of times; prebuilt-verl-lib and lean-release-data run what dist/ holds,
    // built once, which no mutant reaches.
    exclude: [
      'test/render/slot-fuzz.test.ts',
      'test/render/prebuilt-verl-lib.test.ts',
      'test/verl/lean-release-data.test.ts',
    ],
    // One fork: Stryker runs one test process at a time (concurrency 1 in stryker.config.mjs).
    poolOptions: { forks: { maxForks: 1, minForks: 1 } },
    reporters: ['default'],
  },
})
