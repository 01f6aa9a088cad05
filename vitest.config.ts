import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds dist/ first: the CLI tests run the built bin/finqa.js.
    globalSetup: ['test/global-setup.ts'],
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
