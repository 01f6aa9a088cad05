import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds dist/ first: the CLI tests run the built bin/finqa.js.
    globalSetup: ['test/global-setup.ts'],
    // The no-op cache of every `finqa compile` the tests spawn goes to a folder of this run, not ~/.cache.
    env: { FINQA_CACHE_DIR: join(tmpdir(), `finqa-test-cache-${process.pid}`) },
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Spawning bash, shellcheck and Slurm jobs: keep two workers on a two-core machine.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    pool: 'forks',
    // Under CI also write a JSON report, from which .ci/run prints a plain 'N passed, N failed' line.
    reporters: process.env.CI === 'true' ? ['default', 'json'] : ['default'],
    outputFile: { json: '.vitest-report.json' },
  },
})
