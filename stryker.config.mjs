// Mutation testing of the core (`npm run mutate`; CONTRIBUTING.md, "Mutation testing"). The vitest runner
// runs the tests in-process, so only tests that call the code as functions can kill a mutant; the list is
// in vitest.stryker.config.ts.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.stryker.config.ts' },
  coverageAnalysis: 'perTest',
  // Most test files compile specs as they load, so nearly every mutant is also covered "statically", and
  // Stryker would run every listed test against each (hours). With this, such a mutant runs only the tests
  // that cover it; one covered only while test files load (a module-level constant) is Ignored, not counted.
  ignoreStatic: true,
  // Two cores shared with other work: one mutant at a time.
  concurrency: 1,
  // The core (CONTRIBUTING.md, "Mutation testing"): the pipeline's stages, the VERL targets and the run records
  // `finqa status` reads. Not src/generated (written by `npm run gen`), nor emit/pause.ts (a test hook).
  mutate: [
    'src/load/**/*.ts',
    'src/resolve/**/*.ts',
    'src/validate/**/*.ts',
    'src/render/**/*.ts',
    'src/emit/**/*.ts',
    '!src/emit/pause.ts',
    'src/verl/**/*.ts',
    'src/report/status.ts',
  ],
  // A score below `break` fails the run (exit code 1).
  thresholds: { high: 90, low: 85, break: 85 },
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  // Not copied into the sandbox: the CLI-only fixtures (some are dangling links on purpose), build output
  // (the vitest global setup rebuilds dist/ there) and logs.
  ignorePatterns: ['test/cases/spec-link-*', 'dist', 'bench', '.bench', 'coverage', '*.out', 'reports'],
  timeoutMS: 60000,
}
