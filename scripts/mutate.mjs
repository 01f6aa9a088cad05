#!/usr/bin/env node
// `npm run mutate [-- stryker options]`: Stryker (stryker.config.mjs), then the score of each mutated file
// from its JSON report. Stryker's own `thresholds.break` judges the total; this fails the run when any one
// file is below it, so a weak module cannot hide behind strong ones.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const stryker = join(
  dirname(createRequire(import.meta.url).resolve('@stryker-mutator/core/package.json')),
  'bin',
  'stryker.js',
)
const run = spawnSync(process.execPath, [stryker, 'run', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
})
if (run.status !== 0) process.exit(run.status ?? 1)

const config = (await import(join(root, 'stryker.config.mjs'))).default
const floor = config.thresholds.break
const report = JSON.parse(readFileSync(join(root, config.jsonReporter.fileName), 'utf8'))
const DETECTED = new Set(['Killed', 'Timeout'])
const COUNTED = new Set(['Killed', 'Timeout', 'Survived', 'NoCoverage'])
let low = 0
for (const [file, { mutants }] of Object.entries(report.files).sort()) {
  const counted = mutants.filter((m) => COUNTED.has(m.status))
  const detected = counted.filter((m) => DETECTED.has(m.status)).length
  const score = counted.length === 0 ? 100 : (100 * detected) / counted.length
  if (score < floor) low++
  console.log(
    `${score < floor ? 'LOW ' : 'ok  '} ${score.toFixed(2).padStart(6)}%  ${detected}/${counted.length}  ${file}`,
  )
}
if (low > 0) {
  console.error(`mutate: ${low} file(s) below the break threshold of ${floor}%`)
  process.exit(1)
}
