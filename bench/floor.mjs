#!/usr/bin/env node
// `npm run bench:floor`: where the time of a large compile goes, in one process, warm (the best of
// FINQA_FLOOR_RUNS runs, default 3): the whole compile in memory, then only the chosen libraries' own work on
// the same tree (yaml parsing every spec file, the precompiled ajv validator on every experiment, the
// precompiled Handlebars templates on every experiment's views), and `cp -r` of the compile's output. It
// shows how much of a compile is finqa's own code, and the floor that the libraries alone set against the
// `10,000 experiments <= 2x cp -r` target (README, Speed). Size: FINQA_FLOOR_SIZE (default 10000). Needs
// dist/ (`npm run build`).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { LineCounter, parseDocument } from 'yaml'
import { writeSyntheticTree } from '../scripts/synthetic-tree.mjs'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const dist = (path) => import(join(ROOT, 'dist', path))
const { readFolder } = await dist('cli/load-experiments.js')
const { YAML_OPTIONS } = await dist('load/parse-yaml.js')
const { compileFiles } = await dist('compile.js')
const { createValidators } = await dist('validate/schema.js')
const { createTemplates } = await dist('render/handlebars-env.js')
const { launchViewOf } = await dist('render/render-experiment.js')
const { slurmViewOf, uploadEnabled, uploadJobViewOf } = await dist('render/render-slurm.js')

const SIZE = Number(process.env.FINQA_FLOOR_SIZE ?? 10000)
const RUNS = Number(process.env.FINQA_FLOOR_RUNS ?? 3)

/** The best of RUNS runs of `fn`, in seconds, and its last result. */
function best(fn) {
  let seconds = Number.POSITIVE_INFINITY
  let result
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now()
    result = fn()
    seconds = Math.min(seconds, (performance.now() - start) / 1000)
  }
  return { seconds, result }
}

const dir = mkdtempSync(join(tmpdir(), 'finqa-floor-'))
try {
  writeSyntheticTree(join(dir, 'experiments'), SIZE, { sweeps: true })
  const { input } = readFolder('experiments', dir)
  // The whole compile, in memory: every file rendered, none written nor kept (as the CLI streams them).
  const whole = best(() => {
    const run = compileFiles(input)
    let files = 0
    let bytes = 0
    let step = run.next()
    while (step.done !== true) {
      files++
      bytes += step.value.content.length
      step = run.next()
    }
    return { files, bytes, experiments: step.value.experiments }
  })
  const { files, bytes, experiments } = whole.result
  const texts = [...input.specs.values()]
  const yaml = best(() => {
    for (const text of texts) parseDocument(text, { lineCounter: new LineCounter(), ...YAML_OPTIONS })
  })
  const validate = createValidators(input.schema).experiment
  const values = experiments.map((c) => structuredClone(c.experiment))
  const ajv = best(() => {
    for (const value of values) validate(value)
  })
  const templates = createTemplates(input.templates)
  const launch = templates.get('launch.sh.hbs')
  const slurm = templates.get('slurm.sbatch.hbs')
  const upload = templates.get('slurm-upload.sbatch.hbs')
  const views = experiments.map(({ experiment: e, spec }) => [
    launchViewOf(e, spec.chain, input.specDir, 'f'.repeat(64)),
    slurmViewOf(e, spec.chain, input.specDir),
    uploadEnabled(e) ? uploadJobViewOf(e, spec.chain, input.specDir) : undefined,
  ])
  const handlebars = best(() => {
    for (const [l, s, u] of views) {
      launch(l)
      slurm(s)
      if (u !== undefined) upload(u)
    }
  })
  // The output on disk, as the CLI writes it, for cp -r.
  const out = spawnSync(
    process.execPath,
    [join(ROOT, 'bin', 'finqa.js'), 'compile', 'experiments', '--out', 'out'],
    {
      cwd: dir,
      env: { ...process.env, FINQA_NO_CACHE: '1' },
      stdio: 'ignore',
    },
  )
  if (out.status !== 0) throw new Error(`finqa compile failed (${out.status})`)
  const cp = best(() => {
    rmSync(join(dir, 'copy'), { recursive: true, force: true })
    const r = spawnSync('cp', ['-r', 'out', 'copy'], { cwd: dir })
    if (r.status !== 0) throw new Error('cp -r failed')
  })

  const libraries = yaml.seconds + ajv.seconds + handlebars.seconds
  const s = (x) => `${x.toFixed(2)} s`
  const rows = [
    [
      `whole compile in memory (${experiments.length} experiments, ${files} files, ${(bytes / 2 ** 20).toFixed(0)} MiB)`,
      whole.seconds,
    ],
    [`  yaml: parse ${texts.length} spec files`, yaml.seconds],
    ['  ajv: the precompiled validator on every experiment', ajv.seconds],
    ['  Handlebars: the precompiled templates on every experiment', handlebars.seconds],
    ['  the three libraries together', libraries],
    ["  finqa's own code (the rest, garbage collection included)", whole.seconds - libraries],
    ['cp -r of the output', cp.seconds],
  ]
  process.stdout.write(
    `${rows.map(([label, x]) => `${label.padEnd(72)} ${s(x).padStart(8)}`).join('\n')}\n` +
      `2x cp -r leaves ${s(2 * cp.seconds)} for a whole compile: the libraries alone take ${((100 * libraries) / (2 * cp.seconds)).toFixed(0)}% of it, before a file is written.\n`,
  )
} finally {
  rmSync(dir, { recursive: true, force: true })
}
